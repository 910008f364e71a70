// Refunds: what staff and API clients request (lib/payments/refunds.ts: the idempotency lookup,
// what is already on its way back, the attempt whose money is returned, the attention items a
// refund made at the provider raised), and the refunds this app asks a provider for itself.
import "server-only";
import { and, eq, sql, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { attentionItems, paymentAttempts, refunds, provider, receipts, students } from "@/db/schema";

/** The refund an earlier request with this idempotency key made; undefined when there is none. */
export async function findRefundByIdempotencyKey(tx: DbOrTx, idempotencyKey: string) {
  const [row] = await tx
    .select({
      id: refunds.id,
      status: refunds.status,
      amount: refunds.amount,
      currency: refunds.currency,
      receiptId: refunds.receiptId,
      attemptId: refunds.attemptId,
      provider: refunds.provider,
      providerRef: refunds.providerRef,
    })
    .from(refunds)
    .where(eq(refunds.idempotencyKey, idempotencyKey));
  return row;
}

/** What the provider adapter needs of the attempt whose money is returned. */
const refundAttemptColumns = {
  id: paymentAttempts.id,
  provider: paymentAttempts.provider,
  method: paymentAttempts.method,
  providerRef: paymentAttempts.providerRef,
  providerPaymentRef: paymentAttempts.providerPaymentRef,
  amount: paymentAttempts.amount,
  currency: paymentAttempts.currency,
  createdAt: paymentAttempts.createdAt,
};

/** The attempt a refund returns money from, as the provider adapter needs it. */
export async function getAttemptToRefund(tx: DbOrTx, attemptId: string) {
  const [row] = await tx.select(refundAttemptColumns).from(paymentAttempts).where(eq(paymentAttempts.id, attemptId));
  return row;
}

/** The receipt's refunds still pending, in minor units: money that may already be on its way back. */
export async function sumPendingRefunds(tx: DbOrTx, receiptId: string): Promise<number> {
  const [row] = await tx
    .select({ total: sql<number>`coalesce(sum(${refunds.amount}), 0)::int` })
    .from(refunds)
    .where(and(eq(refunds.receiptId, receiptId), eq(refunds.status, "pending")));
  return Number(row?.total ?? 0);
}

/** Closes the `refund_at_provider` items raised about this refund of the receipt. */
export async function resolveRefundAtProviderItems(
  tx: DbOrTx,
  item: { receiptId: string; refundRef: string; resolvedBy: string | undefined; resolution: string },
): Promise<void> {
  await tx
    .update(attentionItems)
    .set({ resolvedAt: new Date(), resolvedBy: item.resolvedBy, resolution: item.resolution })
    .where(
      and(
        eq(attentionItems.kind, "refund_at_provider"),
        eq(attentionItems.receiptId, item.receiptId),
        sql`${attentionItems.evidence}->>'refundRef' = ${item.refundRef}`,
      ),
    );
}

/** The refund now holding this provider reference, whichever row that ended up being. */
export async function findRefundStatusByProviderRef(db: DbOrTx, providerRef: string) {
  const [row] = await db.select({ id: refunds.id, status: refunds.status }).from(refunds).where(eq(refunds.providerRef, providerRef));
  return row;
}

// --- refunds this app asks a provider for ----------------------------------------------------
//
// A late payment or an extra payment returned: the row queued before the call, and the
// provider's own row when its refund event recorded the same refund first.

type RefundProvider = (typeof provider.enumValues)[number];

export async function findRefundIdByProviderRef(tx: DbOrTx, params: { provider: RefundProvider; providerRef: string }): Promise<string | undefined> {
  const [row] = await tx
    .select({ id: refunds.id })
    .from(refunds)
    .where(and(eq(refunds.provider, params.provider), eq(refunds.providerRef, params.providerRef)));
  return row?.id;
}

/**
 * Our queued row gives way to the one the provider's event wrote: ours is deleted first (freeing
 * its idempotency key), then theirs takes what ours said about the refund.
 */
export async function giveWayToProviderRefund(
  tx: DbOrTx,
  params: { ours: string; theirs: string; adopt: Partial<Pick<typeof refunds.$inferInsert, "reason" | "idempotencyKey" | "source" | "createdBy">> },
): Promise<void> {
  await tx.delete(refunds).where(eq(refunds.id, params.ours));
  await tx.update(refunds).set(params.adopt).where(eq(refunds.id, params.theirs));
}

// --- late payments returned by a job ---------------------------------------------------------
//
// The refund queued in the payment's transaction, the queue the job works through, and what the
// payer's e-mail names (lib/enrollment/late-refunds.ts).

/** Queues a refund; a second one with the same idempotency key is left out. Returns whether it was queued now. */
export async function insertRefundUnlessQueued(tx: DbOrTx, values: typeof refunds.$inferInsert): Promise<boolean> {
  const inserted = await tx.insert(refunds).values(values).onConflictDoNothing().returning({ id: refunds.id });
  return inserted.length > 0;
}

/** Pending refunds with this reason not yet asked of the provider, with the attempt they return. */
export async function listRefundsToRequest(db: DbOrTx, params: { reason: string; limit: number }) {
  return db
    .select({
      id: refunds.id,
      receiptId: refunds.receiptId,
      amount: refunds.amount,
      currency: refunds.currency,
      attemptId: paymentAttempts.id,
      provider: paymentAttempts.provider,
      method: paymentAttempts.method,
      providerRef: paymentAttempts.providerRef,
      providerPaymentRef: paymentAttempts.providerPaymentRef,
      attemptAmount: paymentAttempts.amount,
      attemptCurrency: paymentAttempts.currency,
      createdAt: paymentAttempts.createdAt,
    })
    .from(refunds)
    .innerJoin(paymentAttempts, eq(paymentAttempts.id, refunds.attemptId))
    .where(and(eq(refunds.reason, params.reason), eq(refunds.status, "pending"), isNull(refunds.providerRef)))
    .limit(params.limit);
}

/** The receipt's payer and concept, with the student's locale, for the e-mail about the refund. */
export async function getReceiptPayerForNotice(tx: DbOrTx, receiptId: string) {
  const [row] = await tx
    .select({ payerEmail: receipts.payerEmail, payerName: receipts.payerName, concept: receipts.concept, locale: students.locale })
    .from(receipts)
    .innerJoin(students, eq(students.id, receipts.studentId))
    .where(eq(receipts.id, receiptId));
  return row;
}
