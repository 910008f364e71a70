// Redsys HMAC_SHA256_V1: per-order 3DES key, HMAC over the Ds_MerchantParameters string as sent,
// and the two base64 alphabets Redsys uses (standard in requests, url-safe with padding in its
// notifications). Written from the published algorithm; unit-tested against providers.md vectors.
import { createCipheriv, createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_VERSION = "HMAC_SHA256_V1";

/** 3DES-EDE3-CBC of the order (zero IV, zero padding to 8 bytes, no PKCS#7) with the merchant key. */
export function deriveOrderKey(secretKey: string, order: string): Buffer {
  const key = Buffer.from(secretKey, "base64");
  const message = Buffer.from(order, "utf8");
  const padded = Buffer.concat([message, Buffer.alloc((8 - (message.length % 8)) % 8)]);
  const cipher = createCipheriv("des-ede3-cbc", key, Buffer.alloc(8));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]);
}

export function signRaw(secretKey: string, order: string, merchantParameters: string): Buffer {
  return createHmac("sha256", deriveOrderKey(secretKey, order)).update(merchantParameters, "utf8").digest();
}

/** Standard base64, as merchants send it and as REST answers carry it. */
export function sign(secretKey: string, order: string, merchantParameters: string): string {
  return signRaw(secretKey, order, merchantParameters).toString("base64");
}

/** base64url alphabet but keeping the `=` padding: what Redsys puts in its notifications. */
export function signForNotification(secretKey: string, order: string, merchantParameters: string): string {
  return toBase64UrlWithPadding(signRaw(secretKey, order, merchantParameters));
}

export function toBase64UrlWithPadding(buf: Buffer): string {
  return buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** Accepts either alphabet, compares bytes in constant time. */
export function verify(secretKey: string, order: string, merchantParameters: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(signature)) return false;
  const given = Buffer.from(signature.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const expected = signRaw(secretKey, order, merchantParameters);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** JSON as PHP's json_encode writes it (Redsys runs PHP-style encoders): slashes escaped. */
export function phpJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, "\\/");
}

export function encodeParameters(params: Record<string, unknown>): string {
  return Buffer.from(phpJson(params), "utf8").toString("base64");
}

/** Decodes Ds_MerchantParameters (either alphabet); undefined when it is not a JSON object. */
export function decodeParameters(merchantParameters: string): Record<string, unknown> | undefined {
  try {
    const text = Buffer.from(merchantParameters.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
