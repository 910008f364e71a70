// The sandbox's Redsys signatures against the vectors in providers.md and against redsys-easy.
import { describe, expect, it } from "vitest";
import { createRedsysAPI, type RedirectInputParams } from "redsys-easy";
import { decodeParameters, deriveOrderKey, encodeParameters, sign, signForNotification, verify } from "./signature";

const SECRET = "sq7HjrUOBfKmC576ILgskD5srU870gJ7";
const VECTOR_PARAMS: RedirectInputParams = {
  DS_MERCHANT_AMOUNT: "1999",
  DS_MERCHANT_CURRENCY: "978",
  DS_MERCHANT_MERCHANTCODE: "999008881",
  DS_MERCHANT_ORDER: "1234ABCD5678",
  DS_MERCHANT_TERMINAL: "1",
  DS_MERCHANT_TRANSACTIONTYPE: "0",
  DS_MERCHANT_MERCHANTURL: "http://localhost:3000/api/redsys/notification",
  DS_MERCHANT_URLOK: "http://localhost:3000/checkout/ok",
  DS_MERCHANT_URLKO: "http://localhost:3000/checkout/ko",
};

describe("redsys signature", () => {
  it("derives the 3DES order key of the vector", () => {
    expect(deriveOrderKey(SECRET, "012345678").toString("base64")).toBe("ub0/L8+E9+9ITQJwk3SvHA==");
  });

  it("signs the request vector", () => {
    const encoded = Buffer.from(JSON.stringify(VECTOR_PARAMS)).toString("base64");
    expect(sign(SECRET, "1234ABCD5678", encoded)).toBe("YR0P/9RECBE4TC6p1CPuIc8US6MQoNjy6JcaZbZVOCE=");
    expect(verify(SECRET, "1234ABCD5678", encoded, "YR0P/9RECBE4TC6p1CPuIc8US6MQoNjy6JcaZbZVOCE=")).toBe(true);
    // The url-safe alphabet (with padding) is the same signature.
    expect(verify(SECRET, "1234ABCD5678", encoded, "YR0P_9RECBE4TC6p1CPuIc8US6MQoNjy6JcaZbZVOCE=")).toBe(true);
    expect(verify(SECRET, "1234ABCD5679", encoded, "YR0P/9RECBE4TC6p1CPuIc8US6MQoNjy6JcaZbZVOCE=")).toBe(false);
  });

  it("agrees with redsys-easy on what it signs", () => {
    const api = createRedsysAPI({ secretKey: SECRET, urls: { redirect: "x", restTrataPeticion: "x", restIniciaPeticion: "x" } });
    const form = api.createRedirectForm(VECTOR_PARAMS);
    expect(form.body.Ds_Signature).toBe("YR0P/9RECBE4TC6p1CPuIc8US6MQoNjy6JcaZbZVOCE=");
    expect(verify(SECRET, "1234ABCD5678", form.body.Ds_MerchantParameters, form.body.Ds_Signature)).toBe(true);
  });

  it("produces notifications redsys-easy verifies (url alphabet with padding, escaped slashes)", () => {
    const params = { Ds_Date: "28/06/2024", Ds_Hour: "12:39", Ds_Order: "1234ABCD5678", Ds_Terminal: "001", Ds_Response: "0000" };
    const encoded = encodeParameters(params);
    expect(Buffer.from(encoded, "base64").toString()).toContain('"28\\/06\\/2024"');
    // Find an order whose signature contains a url-alphabet character, to prove the alphabet.
    const signature = signForNotification(SECRET, "1234ABCD5678", encoded);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    const api = createRedsysAPI({ secretKey: SECRET, urls: { redirect: "x", restTrataPeticion: "x", restIniciaPeticion: "x" } });
    const out = api.processDirectRestNotification({
      Ds_SignatureVersion: "HMAC_SHA256_V1",
      Ds_MerchantParameters: encoded,
      Ds_Signature: signature,
    });
    expect(out.Ds_Date).toBe("28/06/2024");
    expect(decodeParameters(encoded)?.Ds_Terminal).toBe("001");
  });
});
