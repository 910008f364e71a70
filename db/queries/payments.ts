import "server-only";
import { and, eq, inArray, isNull, sql, type SQLWrapper } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { param, patchSet, prepared } from "./prepared";
import { attentionItems, attentionKind, paymentAttempts, providerEvents, receipts, refunds } from "@/db/schema";

/** The providers that send events and hold orders: every one but `manual`. */
type Provider = Exclude<(typeof paymentAttempts.provider.enumValues)[number], "manual">;
/** How an event names the attempt: by the order we created, or by the payment it produced. */
type AttemptRef = { by: "order" | "payment"; value: string };
type InboxEvent = { provider: Provider; eventId: string; eventType: string; payload: unknown; rawBody: string };

// --- the inbox ------------------------------------------------------------------------------

/** Stores a verified delivery once; undefined when it is already in the inbox (a duplicate). */
export async function insertProviderEvent(tx: DbOrTx, event: InboxEvent): Promise<string | undefined> {
  const statement = prepared(tx, "inbox_insert", (db) =>
    db
      .insert(providerEvents)
      .values({
        provider: param("provider"),
        eventId: param("eventId"),
        eventType: param("eventType"),
        payload: param("payload"),
        rawBody: param("rawBody"),
      })
      .onConflictDoNothing({ target: [providerEvents.provider, providerEvents.eventId] })
      .returning({ id: providerEvents.id }),
  );
  const [row] = await statement.execute({
    provider: event.provider,
    eventId: event.eventId,
    eventType: event.eventType,
    payload: event.payload ?? {},
    rawBody: event.rawBody,
  });
  return row?.id;
}

export async function settleProviderEvent(
  tx: DbOrTx,
  id: string,
  result: { outcome: "applied" | "ignored" | "flagged"; attemptId?: string; note?: string },
): Promise<void> {
  const statement = prepared(tx, "inbox_settle", (db) =>
    db
      .update(providerEvents)
      .set({ outcome: param("outcome"), attemptId: param("attemptId"), error: param("error"), processedAt: param("processedAt") })
      .where(eq(providerEvents.id, sql.placeholder("id"))),
  );
  await statement.execute({ id, outcome: result.outcome, attemptId: result.attemptId ?? null, error: result.note ?? null, processedAt: new Date() });
}

// --- locks ----------------------------------------------------------------------------------

const lockedReceiptColumns = {
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
  paidAttemptId: receipts.paidAttemptId,
  overdueAt: receipts.overdueAt,
};

/** Locks the receipt row for the rest of the transaction. Always lock the receipt before its attempts. */
export async function lockReceipt(tx: DbOrTx, receiptId: string) {
  const statement = prepared(tx, "receipt_lock", (db) =>
    db
      .select(lockedReceiptColumns)
      .from(receipts)
      .where(eq(receipts.id, sql.placeholder("id")))
      .for("update"),
  );
  const [row] = await statement.execute({ id: receiptId });
  return row;
}

export type LockedReceipt = NonNullable<Awaited<ReturnType<typeof lockReceipt>>>;

/**
 * Finds the attempt an event is about and locks its receipt (not the attempt: that comes next,
 * in `lockAttempt`, so the lock order stays receipt then attempt). Undefined for an unknown attempt.
 */
export async function lockReceiptOfAttempt(tx: DbOrTx, provider: Provider, ref: AttemptRef) {
  const statement = prepared(tx, `receipt_lock_by_attempt_${ref.by}`, (db) =>
    db
      .select({ attemptId: paymentAttempts.id, receipt: lockedReceiptColumns })
      .from(paymentAttempts)
      .innerJoin(receipts, eq(receipts.id, paymentAttempts.receiptId))
      .where(
        and(
          eq(paymentAttempts.provider, sql.placeholder("provider")),
          eq(ref.by === "order" ? paymentAttempts.providerRef : paymentAttempts.providerPaymentRef, sql.placeholder("ref")),
        ),
      )
      .limit(1)
      .for("update", { of: receipts }),
  );
  const [row] = await statement.execute({ provider, ref: ref.value });
  return row;
}

/** Refunds reported by the provider before the payment they return had reached us. */
function deferredRefundsOf(attemptId: string | SQLWrapper) {
  return and(eq(refunds.attemptId, attemptId), eq(refunds.status, "pending"), sql`${refunds.source} in ('webhook', 'reconciliation')`);
}

/** Locks the attempt row. `hasDeferredRefunds`: whether `listDeferredRefunds` would find any. */
export async function lockAttempt(tx: DbOrTx, attemptId: string) {
  const statement = prepared(tx, "attempt_lock", (db) =>
    db
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
        hasDeferredRefunds: sql<boolean>`exists (select 1 from ${refunds} where ${deferredRefundsOf(paymentAttempts.id)})`,
      })
      .from(paymentAttempts)
      .where(eq(paymentAttempts.id, sql.placeholder("id")))
      .for("update", { of: paymentAttempts }),
  );
  const [row] = await statement.execute({ id: attemptId });
  return row;
}

export type LockedAttempt = NonNullable<Awaited<ReturnType<typeof lockAttempt>>>;

export async function insertAttempt(tx: DbOrTx, values: typeof paymentAttempts.$inferInsert) {
  const [row] = await tx.insert(paymentAttempts).values(values).returning({ id: paymentAttempts.id, providerRef: paymentAttempts.providerRef });
  return row!;
}

/** What the provider adapter needs to look an attempt up (or abandon it); undefined for an unknown attempt. */
export async function getAttemptForLookup(db: DbOrTx, attemptId: string) {
  const [row] = await db
    .select({
      id: paymentAttempts.id,
      provider: paymentAttempts.provider,
      method: paymentAttempts.method,
      status: paymentAttempts.status,
      providerRef: paymentAttempts.providerRef,
      providerPaymentRef: paymentAttempts.providerPaymentRef,
      amount: paymentAttempts.amount,
      currency: paymentAttempts.currency,
      createdAt: paymentAttempts.createdAt,
    })
    .from(paymentAttempts)
    .where(eq(paymentAttempts.id, attemptId));
  return row;
}

export async function updateAttempt(
  tx: DbOrTx,
  id: string,
  patch: Partial<
    Pick<
      typeof paymentAttempts.$inferInsert,
      "status" | "providerRef" | "providerPaymentRef" | "failureCode" | "failureMessage" | "finalizedBy" | "finalizedAt"
    >
  >,
): Promise<void> {
  const { set, values, key } = patchSet({ ...patch, updatedAt: new Date() });
  const statement = prepared(tx, `attempt_update:${key}`, (db) =>
    db
      .update(paymentAttempts)
      .set(set)
      .where(eq(paymentAttempts.id, sql.placeholder("id"))),
  );
  await statement.execute({ ...values, id });
}

export type AttentionKind = (typeof attentionKind.enumValues)[number];

export async function flagForAttention(
  tx: DbOrTx,
  item: { kind: AttentionKind; receiptId?: string; attemptId?: string; providerEventId?: string; evidence: Record<string, unknown> },
): Promise<void> {
  await tx.insert(attentionItems).values(item).onConflictDoNothing();
}

/** Closes the open items about an attempt (of the given kinds) with a resolution. */
export async function resolveAttentionForAttempt(tx: DbOrTx, attemptId: string, kinds: AttentionKind[], resolution: string): Promise<void> {
  await tx
    .update(attentionItems)
    .set({ resolvedAt: new Date(), resolution })
    .where(and(eq(attentionItems.attemptId, attemptId), inArray(attentionItems.kind, kinds), isNull(attentionItems.resolvedAt)));
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

/** Refunds reported by the provider before the payment they return had reached us, oldest first. */
export async function listDeferredRefunds(tx: DbOrTx, attemptId: string) {
  return tx
    .select({ id: refunds.id, providerRef: refunds.providerRef, amount: refunds.amount, currency: refunds.currency })
    .from(refunds)
    .where(deferredRefundsOf(attemptId))
    .orderBy(refunds.createdAt);
}
