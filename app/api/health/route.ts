// Liveness check for load balancers and uptime monitors: answers { ok: true } without touching
// the database or any provider, so it says the process serves requests, nothing more. It is also
// the "empty route" that bench/webhooks measures the webhook route against.

// Never prerendered or cached: every call must reach this process.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
