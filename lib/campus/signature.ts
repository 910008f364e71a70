// Signature of outgoing webhooks, Stripe-style so receivers know the scheme:
// `X-Academy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// The timestamp is signed too, so a receiver can refuse replays older than its tolerance.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Academy-Signature";
export const EVENT_ID_HEADER = "X-Academy-Event-Id";

export function signPayload(secret: string, body: string, timestamp: number): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

/**
 * What a receiver does (and our tests): recompute the HMAC over the raw body and compare in
 * constant time; refuse timestamps further than `toleranceSeconds` from `now`.
 */
export function verifySignature(secret: string, body: string, header: string | undefined, options: { now?: Date; toleranceSeconds?: number } = {}): boolean {
  if (!header) return false;
  const parts = new Map<string, string[]>();
  for (const item of header.split(",")) {
    const [k, v] = item.split("=", 2);
    if (k && v) parts.set(k.trim(), [...(parts.get(k.trim()) ?? []), v.trim()]);
  }
  const t = Number(parts.get("t")?.[0]);
  if (!Number.isInteger(t)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"), "utf8");
  // Several v1 values are allowed (a receiver may see two during a secret rotation).
  return (parts.get("v1") ?? []).some((candidate) => {
    const given = Buffer.from(candidate, "utf8");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
