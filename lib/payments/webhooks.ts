// The one shape of every provider webhook: raw body → verify (4xx, nothing stored, if it fails)
// → inbox + apply in one transaction per event → 200. Unexpected failures answer 5xx so the
// provider tries again.
import "server-only";
import { getDb } from "@/db/client";
import { applyProviderEvent } from "@/lib/after-payment";
import { paymentProvider } from "./providers";
import { WebhookRejected } from "./providers/provider";
import { PaymentError, type Provider } from "./types";

/**
 * A verification failure, known by its name as well as its class: the adapters are built once
 * per process and shared on globalThis (providers/index.ts), so one may come from another
 * bundle's copy of providers/provider.ts, whose class is not this one (Next bundles
 * instrumentation and each route apart). Without this, a forged delivery would answer 500.
 */
function isWebhookRejected(error: unknown): error is WebhookRejected {
  return error instanceof WebhookRejected || (error instanceof Error && error.name === "WebhookRejected" && "status" in error && "reason" in error);
}

/** Provider events are a few KiB; anything far larger is not one of theirs. */
const MAX_BODY_BYTES = 256 * 1024;

export async function handleWebhook(provider: Provider, request: Request): Promise<Response> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return Response.json({ error: "body too large" }, { status: 413 });
  let rawBody: string;
  try {
    rawBody = await request.text();
  } catch {
    return Response.json({ error: "unreadable body" }, { status: 400 });
  }
  if (Buffer.byteLength(rawBody) > MAX_BODY_BYTES) return Response.json({ error: "body too large" }, { status: 413 });
  try {
    const events = await paymentProvider(provider).parseWebhook({ rawBody, headers: request.headers });
    const db = await getDb();
    const results = [];
    for (const event of events) results.push((await applyProviderEvent(db, event, "webhook")).result);
    return Response.json({ received: true, results });
  } catch (error) {
    if (isWebhookRejected(error)) {
      console.warn(`Rejected ${provider} webhook: ${error.reason}`);
      return Response.json({ error: error.reason }, { status: error.status });
    }
    if (error instanceof PaymentError && error.code === "provider_not_configured") {
      return Response.json({ error: `${provider} is not configured here` }, { status: 404 });
    }
    console.error(`Failed to process a ${provider} webhook:`, error);
    return Response.json({ error: "internal error" }, { status: 500 });
  }
}
