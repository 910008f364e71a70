// Drives a Redsys card payment over plain HTTP (no browser) for tests that only care about
// what happens after the buyer's choice: notifications, faults, reconciliation.
import { createRedsysAPI, randomTransactionId, type RedsysAPI } from "redsys-easy";
import type { Sandbox } from "../server";

export const REDSYS_TEST_SECRET = "sq7HjrUOBfKmC576ILgskD5srU870gJ7";

export function redsysFor(sandbox: Sandbox): RedsysAPI {
  return createRedsysAPI({
    secretKey: REDSYS_TEST_SECRET,
    urls: {
      redirect: `${sandbox.urls.redsys}/sis/realizarPago`,
      restTrataPeticion: `${sandbox.urls.redsys}/sis/rest/trataPeticionREST`,
      restIniciaPeticion: `${sandbox.urls.redsys}/sis/rest/iniciaPeticionREST`,
    },
    fetch: globalThis.fetch as never,
  });
}

/** Starts a payment and pays (or cancels) it with a card; returns the browser's final Location. */
export async function payRedsysByCard(
  sandbox: Sandbox,
  notifyUrl: string,
  options: { order?: string; pan?: string; cancel?: boolean; transactionType?: "0" | "1" } = {},
): Promise<{ order: string; location: string }> {
  const order = options.order ?? randomTransactionId();
  const form = redsysFor(sandbox).createRedirectForm({
    DS_MERCHANT_AMOUNT: "2500",
    DS_MERCHANT_CURRENCY: "978",
    DS_MERCHANT_MERCHANTCODE: "999008881",
    DS_MERCHANT_ORDER: order,
    DS_MERCHANT_TERMINAL: "1",
    DS_MERCHANT_TRANSACTIONTYPE: options.transactionType ?? "0",
    DS_MERCHANT_MERCHANTURL: notifyUrl,
    DS_MERCHANT_URLOK: "http://127.0.0.1:9/ok",
    DS_MERCHANT_URLKO: "http://127.0.0.1:9/ko",
  });
  const start = await fetch(form.url, { method: "POST", body: new URLSearchParams({ ...form.body }), redirect: "manual" });
  const pageUrl = start.headers.get("location");
  if (start.status !== 303 || !pageUrl) throw new Error(`payment not started: ${start.status} ${await start.text()}`);
  const pay = await fetch(`${pageUrl}/card`, {
    method: "POST",
    body: new URLSearchParams({ pan: options.pan ?? "4548810000000003", expiry: "12/39", cvv: "123", action: options.cancel ? "cancel" : "pay" }),
    redirect: "manual",
  });
  return { order, location: pay.headers.get("location") ?? `status ${pay.status}` };
}

export function signedFormFields(raw: string): { Ds_SignatureVersion: string; Ds_MerchantParameters: string; Ds_Signature: string } {
  const form = new URLSearchParams(raw);
  return {
    Ds_SignatureVersion: form.get("Ds_SignatureVersion") ?? "",
    Ds_MerchantParameters: form.get("Ds_MerchantParameters") ?? "",
    Ds_Signature: form.get("Ds_Signature") ?? "",
  };
}
