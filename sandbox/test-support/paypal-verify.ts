// How a merchant verifies a PayPal webhook offline: fetch the certificate named in
// PAYPAL-CERT-URL and check RSA-SHA256 over "id|time|webhookId|crc32(rawBody)".
import { verify, X509Certificate } from "node:crypto";
import { crc32 } from "node:zlib";

export async function verifyPaypalWebhookOffline(headers: Record<string, string>, rawBody: string, webhookId: string): Promise<boolean> {
  const certUrl = headers["paypal-cert-url"];
  const id = headers["paypal-transmission-id"];
  const time = headers["paypal-transmission-time"];
  const sig = headers["paypal-transmission-sig"];
  if (!certUrl || !id || !time || !sig || headers["paypal-auth-algo"] !== "SHA256withRSA") return false;
  const pem = await (await fetch(certUrl)).text();
  const cert = new X509Certificate(pem);
  const message = `${id}|${time}|${webhookId}|${crc32(rawBody) >>> 0}`;
  return verify("RSA-SHA256", Buffer.from(message), cert.publicKey, Buffer.from(sig, "base64"));
}
