// Secret encryption (AES-256-GCM, v1 format) and the webhook signature scheme.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeEncryptionKey } from "@/lib/env";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "./secrets";
import { signPayload, verifySignature } from "@/lib/campus/signature";

const key = decodeEncryptionKey("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")!;

describe("encryptSecret / decryptSecret", () => {
  it("round-trips, with a fresh iv each time, in the documented format", () => {
    const secret = "whsec_ñandú-🔑";
    const a = encryptSecret(secret, key);
    const b = encryptSecret(secret, key);
    expect(a).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(decryptSecret(a, key)).toBe(secret);
    expect(decryptSecret(b, key)).toBe(secret);
  });

  it("rejects a tampered ciphertext, tag or iv, a wrong key and a foreign format", () => {
    const stored = encryptSecret("top secret value", key);
    const [v, iv, tag, data] = stored.split(":") as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString("base64url");
    };
    expect(() => decryptSecret([v, iv, tag, flip(data)].join(":"), key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret([v, iv, flip(tag), data].join(":"), key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret([v, flip(iv), tag, data].join(":"), key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(stored, randomBytes(32))).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(`v2:${iv}:${tag}:${data}`, key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret("plain text", key)).toThrow(SecretDecryptionError);
    expect(() => encryptSecret("x", randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe("webhook signature", () => {
  const body = '{"type":"enrollment.confirmed"}';
  const now = new Date("2026-11-27T12:00:00Z");
  const t = Math.floor(now.getTime() / 1000);

  it("verifies with the right secret and body only", () => {
    const header = signPayload("s3cret", body, t);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature("s3cret", body, header, { now })).toBe(true);
    expect(verifySignature("other", body, header, { now })).toBe(false);
    expect(verifySignature("s3cret", `${body} `, header, { now })).toBe(false);
    expect(verifySignature("s3cret", body, undefined, { now })).toBe(false);
    expect(verifySignature("s3cret", body, "t=abc,v1=00", { now })).toBe(false);
  });

  it("refuses a timestamp outside the tolerance (replays)", () => {
    const old = signPayload("s3cret", body, t - 600);
    expect(verifySignature("s3cret", body, old, { now })).toBe(false);
    expect(verifySignature("s3cret", body, old, { now, toleranceSeconds: 900 })).toBe(true);
  });
});
