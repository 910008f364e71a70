import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { attentionItems, attentionKind, paymentAttempts, providerEvents, receipts, refunds } from "@/db/schema";
import type { AttemptRef, Provider, ProviderEvent } from "@/lib/payments/types";

/** Stores a verified delivery once; undefined when it is already in the inbox (a duplicate). */
export async function insertProviderEvent(tx: DbOrTx, event: ProviderEvent): Promise<string | undefined> {
  const [row] = await tx
    .insert(providerEvents)
    .values({
      provider: event.provider,
      eventId: event.eventId,
      eventType: event.eventType,
      payload: event.payload ?? {},
      rawBody: event.rawBody,
    })
    .onConflictDoNothing({ target: [providerEvents.provider, providerEvents.eventId] })
    .returning({ id: providerEvents.id });
  return row?.id;
}

export async function settleProviderEvent(
  tx: DbOrTx,
  id: string,
  result: { outcome: "applied" | "ignored" | "flagged"; attemptId?: string; note?: string },
): Promise<void> {
  await tx
    .update(providerEvents)
    .set({ outcome: result.outcome, attemptId: result.attemptId, error: result.note, processedAt: new Date() })
    .where(eq(providerEvents.id, id));
}

/** Finds which attempt (and receipt) an event is about, without locking. */
export async function findAttempt(tx: DbOrTx, provider: Provider, ref: AttemptRef) {
  const column = ref.by === "order" ? paymentAttempts.providerRef : paymentAttempts.providerPaymentRef;
  const [row] = await tx
    .select({ id: paymentAttempts.id, receiptId: paymentAttempts.receiptId })
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.provider, provider), eq(column, ref.value)))
    .limit(1);
  return row;
}

/** Locks the receipt row for the rest of the transaction. Always lock the receipt before its attempts. */
export async function lockReceipt(tx: DbOrTx, receiptId: string) {
  const [row] = await tx
    .select({
      id: receipts.id,
      number: receipts.number,
      kind: receipts.kind,
      status: receipts.status,
      amount: receipts.amount,
      currency: receipts.currency,
      refundedAmount: receipts.refundedAmount,
      concept: receipts.concept,
      enrollmentId: receipts.enrollmentId,
      studentId: receipts.studentId,
      payerName: receipts.payerName,
      payerEmail: receipts.payerEmail,
      dueDate: receipts.dueDate,
      paidAt: receipts.paidAt,
    })
    .from(receipts)
    .where(eq(receipts.id, receiptId))
    .for("update");
  return row;
}

export type LockedReceipt = NonNullable<Awaited<ReturnType<typeof lockReceipt>>>;

export async function lockAttempt(tx: DbOrTx, attemptId: string) {
  const [row] = await tx
    .select({
      id: paymentAttempts.id,
      receiptId: paymentAttempts.receiptId,
      provider: paymentAttempts.provider,
      method: paymentAttempts.method,
      mode: paymentAttempts.mode,
      status: paymentAttempts.status,
      amount: paymentAttempts.amount,
      currency: paymentAttempts.currency,
      providerRef: paymentAttempts.providerRef,
      providerPaymentRef: paymentAttempts.providerPaymentRef,
      createdAt: paymentAttempts.createdAt,
    })
    .from(paymentAttempts)
    .where(eq(paymentAttempts.id, attemptId))
    .for("update");
  return row;
}

export type LockedAttempt = NonNullable<Awaited<ReturnType<typeof lockAttempt>>>;

export async function updateAttempt(
  tx: DbOrTx,
  id: string,
  patch: Partial<Pick<typeof paymentAttempts.$inferInsert, "status" | "providerRef" | "providerPaymentRef" | "failureCode" | "failureMessage" | "finalizedBy" | "finalizedAt">>,
): Promise<void> {
  await tx.update(paymentAttempts).set({ ...patch, updatedAt: new Date() }).where(eq(paymentAttempts.id, id));
}

export async function updateReceipt(
  tx: DbOrTx,
  id: string,
  patch: Partial<Pick<typeof receipts.$inferInsert, "status" | "paidAt" | "paidMethod" | "refundedAmount" | "cancelledAt" | "cancelReason">>,
): Promise<void> {
  await tx.update(receipts).set({ ...patch, updatedAt: new Date() }).where(eq(receipts.id, id));
}

export type AttentionKind = (typeof attentionKind.enumValues)[number];

export async function flagForAttention(
  tx: DbOrTx,
  item: { kind: AttentionKind; receiptId: string; attemptId?: string; providerEventId?: string; evidence: Record<string, unknown> },
): Promise<void> {
  await tx.insert(attentionItems).values(item).onConflictDoNothing();
}

export async function findRefund(tx: DbOrTx, provider: Provider, providerRef: string) {
  const [row] = await tx
    .select({ id: refunds.id, status: refunds.status, amount: refunds.amount, source: refunds.source, reason: refunds.reason })
    .from(refunds)
    .where(and(eq(refunds.provider, provider), eq(refunds.providerRef, providerRef)))
    .for("update");
  return row;
}

export async function insertRefund(tx: DbOrTx, values: typeof refunds.$inferInsert) {
  const [row] = await tx.insert(refunds).values(values).returning({ id: refunds.id });
  return row!;
}

export async function updateRefund(tx: DbOrTx, id: string, patch: Partial<Pick<typeof refunds.$inferInsert, "status" | "providerRef" | "completedAt">>) {
  await tx.update(refunds).set(patch).where(eq(refunds.id, id));
}

/** Attempts still waiting for an outcome, oldest first: the reconciliation job's work list. */
export async function listStaleAttempts(tx: DbOrTx, olderThan: Date, limit: number) {
  return tx
    .select({ id: paymentAttempts.id, provider: paymentAttempts.provider, providerRef: paymentAttempts.providerRef })
    .from(paymentAttempts)
    .where(
      and(
        sql`${paymentAttempts.status} in ('redirected', 'pending')`,
        sql`${paymentAttempts.updatedAt} < ${olderThan.toISOString()}::timestamptz`,
        sql`${paymentAttempts.provider} <> 'manual'`,
      ),
    )
    .orderBy(paymentAttempts.updatedAt)
    .limit(limit);
}

/** Refunds reported by the provider before the payment they return had reached us. */
export async function listDeferredRefunds(tx: DbOrTx, attemptId: string) {
  return tx
    .select({ id: refunds.id, providerRef: refunds.providerRef, amount: refunds.amount, currency: refunds.currency })
    .from(refunds)
    .where(and(eq(refunds.attemptId, attemptId), eq(refunds.status, "pending"), sql`${refunds.source} in ('webhook', 'reconciliation')`))
    .orderBy(refunds.createdAt);
}
