// "Probar conexión": one cheap authenticated call per provider with the given credentials,
// answered as ok or as a reason the page can say plainly (credentials refused, host unreachable,
// an unexpected answer), with the provider's own short message or code when it gave one.
// Plain HTTP (fetch) and node:crypto: no provider SDK here, and nothing secret in a result.
import { createCipheriv, createHmac, randomInt } from "node:crypto";
import type { PlainCredentials } from "./provider-credentials";

export type ConnectionFailure = "unauthorized" | "signature" | "unreachable" | "unexpected";
export type ConnectionResult = { ok: true } | { ok: false; reason: ConnectionFailure; detail?: string };

const TIMEOUT_MS = 10_000;

async function call(url: string, init: RequestInit): Promise<Response | ConnectionResult> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "manual" });
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.name) : "error";
    return { ok: false, reason: "unreachable", detail: `${new URL(url).host}: ${cause}` };
  }
}

/** A short, printable piece of the provider's answer (its error message), never our request. */
function short(text: unknown): string | undefined {
  return typeof text === "string" && text.trim() !== "" ? text.trim().slice(0, 200) : undefined;
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await response.json();
    return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Stripe: list one PaymentIntent (a read every secret or restricted key with payments access may do). */
export async function testStripe(c: Pick<PlainCredentials["stripe"], "apiBase" | "secretKey" | "mode">): Promise<ConnectionResult> {
  const base = (c.mode === "sandbox" && c.apiBase ? c.apiBase : "https://api.stripe.com").replace(/\/+$/, "");
  const response = await call(`${base}/v1/payment_intents?limit=1`, { headers: { authorization: `Bearer ${c.secretKey}` } });
  if (!(response instanceof Response)) return response;
  const body = await jsonOf(response);
  const error = (body.error ?? {}) as { message?: unknown; code?: unknown };
  if (response.status === 200) return { ok: true };
  if (response.status === 401 || response.status === 403) return { ok: false, reason: "unauthorized", detail: short(error.code) ?? `HTTP ${response.status}` };
  return { ok: false, reason: "unexpected", detail: `HTTP ${response.status}${short(error.code) ? ` ${short(error.code)}` : ""}` };
}

/** PayPal: the OAuth client-credentials token call. */
export async function testPaypal(c: Pick<PlainCredentials["paypal"], "apiBase" | "mode" | "clientId" | "clientSecret">): Promise<ConnectionResult> {
  const base = (c.mode === "sandbox" && c.apiBase ? c.apiBase : c.mode === "live" ? "https://api-m.paypal.com" : "https://api-m.sandbox.paypal.com").replace(
    /\/+$/,
    "",
  );
  const response = await call(`${base}/v1/oauth2/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: "grant_type=client_credentials",
  });
  if (!(response instanceof Response)) return response;
  const body = await jsonOf(response);
  if (response.status === 200 && typeof body.access_token === "string") return { ok: true };
  if (response.status === 401 || response.status === 403) return { ok: false, reason: "unauthorized", detail: short(body.error) ?? `HTTP ${response.status}` };
  return { ok: false, reason: "unexpected", detail: `HTTP ${response.status}${short(body.error) ? ` ${short(body.error)}` : ""}` };
}

const REDSYS_HOSTS = { live: "https://sis.redsys.es", test: "https://sis-t.redsys.es:25443" } as const;

/**
 * Redsys: the operations query (see lib/payments/providers/redsys.ts) for an order that does
 * not exist, signed with the terminal's key. A wrong key is SIS0042; a right one gets a signed
 * "not found", whose signature we check too.
 */
export async function testRedsys(c: PlainCredentials["redsys"]): Promise<ConnectionResult> {
  const base = (c.mode === "sandbox" && c.baseUrl ? c.baseUrl : REDSYS_HOSTS[c.mode === "live" ? "live" : "test"]).replace(/\/+$/, "");
  const order = `9${String(randomInt(0, 1e9)).padStart(9, "0")}TC`.slice(0, 12);
  const params = Buffer.from(JSON.stringify({ DS_MERCHANT_MERCHANTCODE: c.merchantCode, DS_MERCHANT_TERMINAL: c.terminal, DS_MERCHANT_ORDER: order })).toString(
    "base64",
  );
  const response = await call(`${base}/sis/rest/consultaOperacionesREST`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Ds_SignatureVersion: "HMAC_SHA256_V1", Ds_MerchantParameters: params, Ds_Signature: redsysSignature(c.secretKey, order, params) }),
  });
  if (!(response instanceof Response)) return response;
  const body = await jsonOf(response);
  if (response.status !== 200) return { ok: false, reason: "unexpected", detail: `HTTP ${response.status}` };
  const code = short(body.errorCode);
  // SIS0042: "Error en el cálculo de la firma" — the key does not match the terminal's.
  if (code === "SIS0042") return { ok: false, reason: "signature", detail: code };
  if (code) return { ok: false, reason: code === "SIS0026" || code === "SIS0027" ? "unauthorized" : "unexpected", detail: code };
  if (typeof body.Ds_MerchantParameters !== "string" || typeof body.Ds_Signature !== "string")
    return { ok: false, reason: "unexpected", detail: "no signed answer" };
  let answerOrder: string | undefined;
  try {
    const answer = JSON.parse(Buffer.from(body.Ds_MerchantParameters, "base64").toString("utf8")) as { Ds_Order?: unknown };
    answerOrder = typeof answer.Ds_Order === "string" ? answer.Ds_Order : undefined;
  } catch {
    answerOrder = undefined;
  }
  const expected = Buffer.from(redsysSignature(c.secretKey, answerOrder ?? order, body.Ds_MerchantParameters), "base64");
  const given = Buffer.from(body.Ds_Signature.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (!expected.equals(given)) return { ok: false, reason: "signature", detail: "answer signature" };
  return { ok: true };
}

/** HMAC_SHA256_V1: the order encrypted with 3DES under the terminal key is the HMAC key. */
export function redsysSignature(secretKey: string, order: string, merchantParameters: string): string {
  const key = Buffer.from(secretKey, "base64");
  const message = Buffer.from(order, "utf8");
  const padded = Buffer.concat([message, Buffer.alloc((8 - (message.length % 8)) % 8)]);
  const cipher = createCipheriv("des-ede3-cbc", key, Buffer.alloc(8, 0));
  cipher.setAutoPadding(false);
  const orderKey = Buffer.concat([cipher.update(padded), cipher.final()]);
  return createHmac("sha256", orderKey).update(merchantParameters).digest("base64");
}

/** Moodle: core_webservice_get_site_info, which every web-service token may call. */
export async function testMoodle(c: { url: string; token: string }): Promise<ConnectionResult> {
  const endpoint = `${c.url.replace(/\/+$/, "")}/webservice/rest/server.php`;
  const response = await call(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ wstoken: c.token, wsfunction: "core_webservice_get_site_info", moodlewsrestformat: "json" }).toString(),
  });
  if (!(response instanceof Response)) return response;
  if (response.status !== 200) return { ok: false, reason: "unexpected", detail: `HTTP ${response.status}` };
  const body = await jsonOf(response);
  if (typeof body.exception === "string") {
    const code = short(body.errorcode) ?? "exception";
    return { ok: false, reason: code === "invalidtoken" || code === "accessexception" ? "unauthorized" : "unexpected", detail: code };
  }
  return typeof body.siteurl === "string" || typeof body.sitename === "string" ? { ok: true } : { ok: false, reason: "unexpected", detail: "no site info" };
}
