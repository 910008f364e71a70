// Checks a signed Redsys request (redirect form, REST trataPeticion, query) the way the SIS does,
// in its order: version, JSON, merchant/terminal, order number, signature, amount, currency.
import type { SandboxConfig } from "../shared/config";
import type { SisCode } from "./codes";
import { decodeParameters, SIGNATURE_VERSION, verify } from "./signature";

export type SignedFields = { Ds_SignatureVersion?: string; Ds_MerchantParameters?: string; Ds_Signature?: string };

/** Parameters with their keys upper-cased: merchants send both DS_MERCHANT_X and Ds_Merchant_X. */
export type MerchantParams = Record<string, string>;

export type Validation = { ok: true; params: MerchantParams } | { ok: false; code: SisCode };

export const ORDER_FORMAT = /^\d{4}[0-9A-Za-z]{0,8}$/;

export function validateSigned(fields: SignedFields, config: SandboxConfig["redsys"], checks: { amount: boolean; currency: boolean }): Validation {
  if (fields.Ds_SignatureVersion !== SIGNATURE_VERSION) return { ok: false, code: "SIS0429" };
  const raw = fields.Ds_MerchantParameters ?? "";
  const decoded = decodeParameters(raw);
  if (!decoded) return { ok: false, code: "SIS0431" };
  const params: MerchantParams = {};
  for (const [key, value] of Object.entries(decoded)) {
    if (value === null || value === undefined) continue;
    params[key.toUpperCase()] = typeof value === "string" ? value : String(value);
  }
  const merchant = params.DS_MERCHANT_MERCHANTCODE;
  if (!merchant) return { ok: false, code: "SIS0008" };
  const terminal = params.DS_MERCHANT_TERMINAL;
  if (!terminal) return { ok: false, code: "SIS0010" };
  if (merchant !== config.merchantCode || !/^\d{1,3}$/.test(terminal) || Number(terminal) !== Number(config.terminal)) {
    return { ok: false, code: "SIS0026" };
  }
  const order = params.DS_MERCHANT_ORDER;
  if (!order) return { ok: false, code: "SIS0074" };
  if (order.length < 4 || order.length > 12) return { ok: false, code: "SIS0075" };
  if (!ORDER_FORMAT.test(order)) return { ok: false, code: "SIS0434" };
  // The MAC covers the parameters string exactly as received, never a re-encoding of it.
  if (!fields.Ds_Signature || !verify(config.secretKey, order, raw, fields.Ds_Signature)) return { ok: false, code: "SIS0042" };
  if (checks.amount) {
    const amount = params.DS_MERCHANT_AMOUNT;
    if (!amount) return { ok: false, code: "SIS0018" };
    if (!/^\d{1,12}$/.test(amount) || Number(amount) <= 0) return { ok: false, code: "SIS0019" };
  }
  if (checks.currency) {
    const currency = params.DS_MERCHANT_CURRENCY;
    if (!currency) return { ok: false, code: "SIS0015" };
    // The test terminal (and every academy we serve) is configured for euros only.
    if (currency !== "978") return { ok: false, code: "SIS0027" };
  }
  return { ok: true, params };
}
