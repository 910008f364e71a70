// Stripe-Signature header: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body" keyed with the whole whsec_ secret>`.
import { createHmac } from "node:crypto";

export function stripeSignatureHeader(secret: string, payload: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${v1}`;
}
