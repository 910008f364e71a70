// Asking the provider instead of waiting for it: the return page does this when no webhook has
// arrived yet, and the reconciliation job for attempts left without an outcome. What the
// provider says goes through the same path as a webhook, marked with its source.
import "server-only";
import type { Db } from "@/db/client";
import type { AuditSource } from "@/db/queries/audit";
import { getAttemptForLookup, listStaleAttempts } from "@/db/queries/payments";
import { applyProviderEvent } from "@/lib/after-payment";
import { isFinalAttempt } from "./attempt-machine";
import { currentPaymentsConfig, paymentProvider } from "./providers";
import type { ProviderOutcome } from "./types";

/** Same state at the provider, same id: looking twice changes nothing the second time. */
function lookupEventId(attemptId: string, outcome: ProviderOutcome): string {
  const detail = outcome.type === "refunded" ? outcome.refundRef : outcome.type === "succeeded" ? (outcome.paymentRef ?? "") : "";
  return `lookup:${attemptId}:${outcome.type}:${detail}`;
}

export async function refreshAttempt(db: Db, attemptId: string, source: AuditSource, options: { abandoned?: boolean } = {}): Promise<void> {
  const attempt = await getAttemptForLookup(db, attemptId);
  if (!attempt || attempt.provider === "manual" || !attempt.providerRef || isFinalAttempt(attempt.status)) return;
  const adapter = paymentProvider(attempt.provider);
  const abandoned = options.abandoned ? await adapter.abandon(attempt) : undefined;
  const outcomes = abandoned ? [abandoned] : await adapter.lookUp(attempt);
  for (const outcome of outcomes) {
    if (outcome.type === "none") continue;
    await applyProviderEvent(
      db,
      {
        provider: attempt.provider,
        eventId: lookupEventId(attempt.id, outcome),
        eventType: `lookup.${outcome.type}`,
        ref: { by: "order", value: attempt.providerRef },
        outcome,
        payload: { source, outcome },
        rawBody: JSON.stringify(outcome),
      },
      source,
    );
  }
}

export type ReconciliationReport = { checked: number; failed: number };

/** Attempts still open `olderThanMs` after their last change are looked up at the provider. */
export async function reconcileStaleAttempts(db: Db, { olderThanMs, limit = 100 }: { olderThanMs: number; limit?: number }): Promise<ReconciliationReport> {
  const config = currentPaymentsConfig();
  // Attempts of a provider this installation no longer has (e.g. demo data) cannot be asked about.
  const stale = (await listStaleAttempts(db, new Date(Date.now() - olderThanMs), limit)).filter(
    (a) => a.provider !== "manual" && config[a.provider] !== undefined,
  );
  let failed = 0;
  for (const attempt of stale) {
    try {
      await refreshAttempt(db, attempt.id, "reconciliation");
    } catch (error) {
      failed++;
      console.error(`Reconciliation of attempt ${attempt.id} (${attempt.provider}) failed:`, error);
    }
  }
  return { checked: stale.length, failed };
}
