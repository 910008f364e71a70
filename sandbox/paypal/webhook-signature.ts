// PayPal webhook transmission signatures: RSA-SHA256 over
// "transmissionId|transmissionTime|webhookId|crc32(body)" (CRC32 as an unsigned decimal).
import { createSign, createVerify, type KeyObject } from "node:crypto";
import { crc32 } from "node:zlib";

export type Transmission = { transmissionId: string; transmissionTime: string; webhookId: string; body: string };

export function transmissionMessage(t: Transmission): string {
  return `${t.transmissionId}|${t.transmissionTime}|${t.webhookId}|${crc32(t.body) >>> 0}`;
}

/** Base64 signature; `corrupt` signs a different message so verification fails (fault switch). */
export function signTransmission(privateKey: KeyObject, t: Transmission, corrupt = false): string {
  const message = transmissionMessage(t);
  return createSign("RSA-SHA256")
    .update(corrupt ? `${message}x` : message)
    .sign(privateKey, "base64");
}

export function verifyTransmission(publicKey: KeyObject, t: Transmission, signature: string): boolean {
  return createVerify("RSA-SHA256").update(transmissionMessage(t)).verify(publicKey, signature, "base64");
}
