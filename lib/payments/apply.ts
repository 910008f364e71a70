// The one code path by which a provider's word changes our books: webhooks, return pages and
// reconciliation all come here. Inbox insert, locks, checks, state changes, audit trail and
// side effects happen in one transaction, so a failure anywhere leaves nothing half-written
// and the provider's retry starts clean.
//
// It runs for every notification, so it keeps its round trips few (bench/webhooks/findings.md):
// the attempt is found by the statement that locks its receipt, the attempt's lock says whether
// deferred refunds wait for it, and the audit lines are written together (see `audit`).
import "server-only";
import type { Db, Tx } from "@/db/client";
import type { AuditEntry, AuditSource } from "@/db/queries/audit";
import { recordAudit } from "@/db/queries/audit";
import {
  findRefund,
  flagForAttention,
  insertProviderEvent,
  insertRefund,
  listDeferredRefunds,
  lockAttempt,
  lockReceiptOfAttempt,
  resolveAttentionForAttempt,
  settleProviderEvent,
  updateAttempt,
  updateReceipt,
  updateRefund,
  type LockedAttempt,
  type LockedReceipt,
} from "@/db/queries/payments";
import { env, type Env } from "@/lib/env";
import { afterEnrollmentPaymentFailed, reclaimSeatForLatePayment } from "@/lib/enrollment/policies";
import { LATE_PAYMENT_REFUND, scheduleLatePaymentRefund } from "@/lib/enrollment/late-refunds";
import { transitionAttempt, type AttemptEvent } from "./attempt-machine";
import { afterReceiptPaid } from "./effects";
import { transitionReceipt } from "./receipt-machine";
import { EXTRA_PAYMENT_REFUND, type ProviderEvent, type ProviderOutcome } from "./types";

export type ApplyResult =
  | { result: "duplicate" }
  | { result: "unknown_attempt" }
  | { result: "applied"; attemptId: string; receiptId: string; changed: boolean }
  | { result: "flagged"; attemptId: string; receiptId: string; reason: string };

export async function applyProviderEvent(db: Db, event: ProviderEvent, source: AuditSource): Promise<ApplyResult> {
  return db.transaction(async (tx) => {
    const eventRowId = await insertProviderEvent(tx, event);
    if (!eventRowId) return { result: "duplicate" };

    // Receipt first, then attempt: every writer takes the locks in this order.
    const target = await lockReceiptOfAttempt(tx, event.provider, event.ref);
    if (!target) {
      await settleProviderEvent(tx, eventRowId, { outcome: "ignored", note: `no attempt for ${event.ref.by} ${event.ref.value}` });
      return { result: "unknown_attempt" };
    }
    const receipt = target.receipt;
    const attempt = (await lockAttempt(tx, target.attemptId))!;
    const context: Context = { tx, receipt, attempt, source, eventRowId, event, auditLines: [] };
    const result = await applyOutcome(context, event.outcome);
    await writeAudit(context);
    await settleProviderEvent(tx, eventRowId, {
      outcome: result.result === "flagged" ? "flagged" : result.changed ? "applied" : "ignored",
      attemptId: attempt.id,
      note: result.result === "flagged" ? result.reason : undefined,
    });
    return result;
  });
}

type Context = {
  tx: Tx;
  receipt: LockedReceipt;
  attempt: LockedAttempt;
  source: AuditSource;
  eventRowId: string;
  event: ProviderEvent;
  /** Audit lines not yet written: see `audit`. */
  auditLines: AuditEntry[];
};

/**
 * Adds a line to the receipt's timeline. Lines are held and written in one insert by
 * `writeAudit`, which runs before any other module's code (it may write lines of its own, and
 * the timeline keeps the order things happened in) and at the end of the transaction.
 */
function audit(ctx: Context, entry: AuditEntry): void {
  ctx.auditLines.push(entry);
}

async function writeAudit(ctx: Context): Promise<void> {
  await recordAudit(ctx.tx, ...ctx.auditLines.splice(0));
}

type Outcome = Extract<ApplyResult, { result: "applied" } | { result: "flagged" }>;

async function applyOutcome(ctx: Context, outcome: ProviderOutcome): Promise<Outcome> {
  switch (outcome.type) {
    case "succeeded":
      return applySuccess(ctx, outcome);
    case "pending":
    case "failed":
    case "cancelled":
    case "expired":
      return moveAttempt(ctx, outcome.type, outcome.type === "failed" ? outcome : undefined);
    case "refunded":
      return applyRefund(ctx, outcome);
    case "refund_failed":
      return applyRefundFailure(ctx, outcome);
    case "none":
      return unchanged(ctx);
  }
}

function unchanged({ attempt, receipt }: Context): Outcome {
  return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: false };
}

async function moveAttempt(ctx: Context, event: AttemptEvent, failure?: { code?: string; message?: string }): Promise<Outcome> {
  const { tx, attempt, receipt, source } = ctx;
  const move = transitionAttempt(attempt.status, event);
  if (move.kind === "unchanged") return unchanged(ctx);
  const final = move.to !== "pending" && move.to !== "redirected";
  await updateAttempt(tx, attempt.id, {
    status: move.to,
    failureCode: failure?.code ?? null,
    failureMessage: failure?.message ?? null,
    ...(final ? { finalizedBy: source, finalizedAt: new Date() } : {}),
  });
  audit(ctx, {
    source,
    action: `attempt.${move.to}`,
    receiptId: receipt.id,
    attemptId: attempt.id,
    data: { from: move.from, provider: attempt.provider, method: attempt.method, eventId: ctx.event.eventId, ...failure },
  });
  if (final && move.to !== "succeeded" && receipt.kind === "enrollment" && receipt.enrollmentId && receipt.status === "pending") {
    await writeAudit(ctx);
    await afterEnrollmentPaymentFailed(tx, {
      receiptId: receipt.id,
      enrollmentId: receipt.enrollmentId,
      attemptId: attempt.id,
      payerEmail: receipt.payerEmail,
      payerName: receipt.payerName,
      concept: receipt.concept,
      amount: receipt.amount,
      currency: receipt.currency,
      source,
    });
  }
  return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
}

async function applySuccess(ctx: Context, paid: Extract<ProviderOutcome, { type: "succeeded" }>): Promise<Outcome> {
  const { tx, attempt, receipt, source } = ctx;
  const move = transitionAttempt(attempt.status, "succeeded");
  // The same attempt reported successful again (another event type, a query): nothing new.
  if (move.kind === "unchanged") return unchanged(ctx);

  await updateAttempt(tx, attempt.id, {
    status: "succeeded",
    providerPaymentRef: paid.paymentRef ?? attempt.providerPaymentRef,
    finalizedBy: source,
    finalizedAt: new Date(),
  });
  const evidence = {
    eventId: ctx.event.eventId,
    provider: attempt.provider,
    asked: { amount: attempt.amount, currency: attempt.currency },
    paid: { amount: paid.amount, currency: paid.currency },
    paymentRef: paid.paymentRef,
    receiptStatus: receipt.status,
  };
  audit(ctx, {
    source,
    action: "attempt.succeeded",
    receiptId: receipt.id,
    attemptId: attempt.id,
    data: { from: move.from, ...evidence },
  });

  // What the provider charged must be what we asked for, to the cent and the currency.
  const mismatch = paid.amount !== attempt.amount || paid.currency !== attempt.currency;
  // A test card through a provider left in test mode is not money: never booked as such in production.
  const testMoney = !paymentIsMoney(env(), attempt.mode);
  let transition = mismatch
    ? ({ kind: "flagged", reason: "amount_mismatch" } as const)
    : testMoney
      ? ({ kind: "flagged", reason: "test_payment" } as const)
      : transitionReceipt(receipt, { type: "payment_succeeded", paid: { amount: paid.amount, currency: paid.currency } });
  // Paid after the enrollment was cancelled: accepted when its seat is still free (policy).
  let latePayment = false;
  if (transition.kind === "flagged" && transition.reason === "payment_on_cancelled" && receipt.kind === "enrollment" && receipt.enrollmentId) {
    latePayment = true;
    await writeAudit(ctx);
    if (await reclaimSeatForLatePayment(tx, receipt.enrollmentId, source)) {
      transition = transitionReceipt(receipt, { type: "late_payment_accepted", paid: { amount: paid.amount, currency: paid.currency } });
    }
  }

  if (transition.kind === "moved") {
    const paidAt = new Date();
    await updateReceipt(tx, receipt.id, { status: "paid", paidAt, paidMethod: attempt.method, paidAttemptId: attempt.id });
    audit(ctx, {
      source,
      action: "receipt.paid",
      receiptId: receipt.id,
      attemptId: attempt.id,
      data: { amount: paid.amount, currency: paid.currency, method: attempt.method },
    });
    await writeAudit(ctx);
    await afterReceiptPaid(tx, { receipt, attempt, source, paidAt });
    const paidReceipt = { ...receipt, status: "paid" as const, paidAttemptId: attempt.id };
    const deferredRefunds = attempt.hasDeferredRefunds ? await listDeferredRefunds(tx, attempt.id) : [];
    for (const deferred of deferredRefunds) {
      await settleRefund(ctx, paidReceipt, deferred.id, { refundRef: deferred.providerRef ?? "", amount: deferred.amount, currency: deferred.currency, madeAtProvider: true }, {
        refundRef: deferred.providerRef,
        amount: deferred.amount,
        deferred: true,
      });
    }
    return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
  }
  const reason = transition.reason;
  const kind =
    reason === "amount_mismatch" || reason === "test_payment"
      ? reason
      : reason === "payment_on_cancelled"
        ? latePayment
          ? "late_payment"
          : "payment_on_cancelled"
        : "double_payment";
  await flagForAttention(tx, { kind, receiptId: receipt.id, attemptId: attempt.id, providerEventId: ctx.eventRowId, evidence });
  audit(ctx, { source, action: "receipt.payment_flagged", receiptId: receipt.id, attemptId: attempt.id, data: { reason: kind, ...evidence } });
  if (kind === "late_payment" && attempt.provider !== "manual") {
    await writeAudit(ctx);
    // No seat for it: the money goes back. The refund is queued here and made by a job (the
    // provider call cannot sit inside this transaction).
    await scheduleLatePaymentRefund(tx, { receiptId: receipt.id, attemptId: attempt.id, provider: attempt.provider, amount: paid.amount, currency: paid.currency, source });
  }
  return { result: "flagged", attemptId: attempt.id, receiptId: receipt.id, reason: kind };
}

/** Whether a payment in this mode pays receipts: live always; sandbox and test outside production, or where allowed. */
export function paymentIsMoney(config: Pick<Env, "NODE_ENV" | "ALLOW_TEST_PAYMENTS">, mode: string): boolean {
  return mode === "live" || config.NODE_ENV !== "production" || config.ALLOW_TEST_PAYMENTS;
}

async function applyRefund(ctx: Context, refund: Extract<ProviderOutcome, { type: "refunded" }>): Promise<Outcome> {
  const { tx, attempt, receipt, source } = ctx;
  if (attempt.provider === "manual") return unchanged(ctx);
  const provider = attempt.provider;
  const existing = await findRefund(tx, provider, refund.refundRef);
  if (existing?.status === "succeeded") return unchanged(ctx);
  const evidence = { eventId: ctx.event.eventId, refundRef: refund.refundRef, amount: refund.amount, currency: refund.currency };

  if (receipt.status === "pending" && attempt.status !== "succeeded") {
    // The refund overtook the payment it returns (deliveries come out of order). Keep it
    // pending; applySuccess settles it as soon as the payment lands.
    if (!existing) {
      await insertProviderRefund(ctx, refund, { status: "pending", reason: "made at the provider" });
      audit(ctx, { source, action: "refund.deferred", receiptId: receipt.id, attemptId: attempt.id, data: evidence });
    }
    return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
  }
  if (!paidTheReceipt(receipt, attempt.id)) return returnExtraPayment(ctx, existing, refund, evidence);
  const madeAtProvider = !existing || (existing.source !== "staff" && existing.source !== "api");
  return settleRefund(ctx, receipt, existing?.id, { ...refund, madeAtProvider }, evidence);
}

/** A pending refund the provider could not make: it ends failed, and the money stays where it is. */
async function applyRefundFailure(ctx: Context, failed: Extract<ProviderOutcome, { type: "refund_failed" }>): Promise<Outcome> {
  const { tx, attempt, receipt, source } = ctx;
  if (attempt.provider === "manual") return unchanged(ctx);
  const existing = await findRefund(tx, attempt.provider, failed.refundRef);
  if (!existing || existing.status !== "pending") return unchanged(ctx);
  await updateRefund(tx, existing.id, { status: "failed", completedAt: new Date() });
  audit(ctx, { source, action: "refund.failed", receiptId: receipt.id, attemptId: attempt.id, data: { eventId: ctx.event.eventId, refundRef: failed.refundRef, failure: failed.reason } });
  return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
}

/** Whether this attempt's money paid the receipt (receipts paid before the column existed: any paid one). */
function paidTheReceipt(receipt: LockedReceipt, attemptId: string): boolean {
  if (receipt.paidAttemptId) return receipt.paidAttemptId === attemptId;
  return receipt.status !== "pending" && receipt.status !== "cancelled";
}

/**
 * Money that never paid the receipt going back (a second payment, a payment on a cancelled
 * receipt, a wrong amount): recorded against its own attempt, the item about it closed, the
 * receipt as it was.
 */
async function returnExtraPayment(
  ctx: Context,
  existing: { id: string; reason: string | null } | undefined,
  refund: Extract<ProviderOutcome, { type: "refunded" }>,
  evidence: Record<string, unknown>,
): Promise<Outcome> {
  const { tx, attempt, receipt, source } = ctx;
  await recordSucceededRefund(ctx, existing?.id, refund, EXTRA_PAYMENT_REFUND);
  await resolveAttentionForAttempt(tx, attempt.id, ["double_payment", "payment_on_cancelled", "late_payment", "amount_mismatch", "test_payment"], "payment returned to the payer");
  const action = existing?.reason === LATE_PAYMENT_REFUND ? "refund.late_payment_returned" : "refund.extra_payment_returned";
  audit(ctx, { source, action, receiptId: receipt.id, attemptId: attempt.id, data: evidence });
  return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
}

/** A refund the provider made: our row settles, or, for one made at the provider, a new row. */
async function recordSucceededRefund(ctx: Context, rowId: string | undefined, refund: { refundRef: string; amount: number; currency: string }, reason: string): Promise<void> {
  const now = new Date();
  if (rowId) await updateRefund(ctx.tx, rowId, { status: "succeeded", completedAt: now });
  else await insertProviderRefund(ctx, refund, { status: "succeeded", reason, completedAt: now });
}

/** The row of a refund the provider reported, named by its reference (a replay finds it again). */
async function insertProviderRefund(
  ctx: Context,
  refund: { refundRef: string; amount: number; currency: string },
  row: { status: "pending" | "succeeded"; reason: string; completedAt?: Date },
): Promise<void> {
  const { tx, attempt, receipt, source } = ctx;
  const provider = attempt.provider === "manual" ? "redsys" : attempt.provider;
  await insertRefund(tx, {
    receiptId: receipt.id,
    attemptId: attempt.id,
    provider,
    amount: refund.amount,
    currency: refund.currency,
    providerRef: refund.refundRef,
    idempotencyKey: `provider:${provider}:${refund.refundRef}`,
    source,
    ...row,
  });
}

/** Applies a refund to a paid receipt, creating its row when it was made at the provider. */
async function settleRefund(
  ctx: Context,
  receipt: { id: string; status: LockedReceipt["status"]; amount: number; currency: string; refundedAmount: number },
  refundRowId: string | undefined,
  refund: { refundRef: string; amount: number; currency: string; madeAtProvider: boolean },
  evidence: Record<string, unknown>,
): Promise<Outcome> {
  const { tx, attempt, source } = ctx;
  const transition = transitionReceipt(receipt, { type: "refund_succeeded", refunded: { amount: refund.amount, currency: refund.currency } });
  if (transition.kind !== "moved") {
    // A refund we cannot square with the receipt (more than was paid, a cancelled receipt):
    // keep the evidence for staff rather than guess.
    await flagForAttention(tx, {
      kind: "refund_at_provider",
      receiptId: receipt.id,
      attemptId: attempt.id,
      providerEventId: ctx.eventRowId,
      evidence: { ...evidence, reason: transition.reason },
    });
    audit(ctx, { source, action: "refund.flagged", receiptId: receipt.id, attemptId: attempt.id, data: { ...evidence, reason: transition.reason } });
    return { result: "flagged", attemptId: attempt.id, receiptId: receipt.id, reason: transition.reason };
  }
  await recordSucceededRefund(ctx, refundRowId, refund, "made at the provider");
  if (refund.madeAtProvider) {
    // Not asked for through us: made directly at the provider. Tell staff.
    await flagForAttention(tx, { kind: "refund_at_provider", receiptId: receipt.id, attemptId: attempt.id, providerEventId: ctx.eventRowId, evidence });
  }
  await updateReceipt(tx, receipt.id, { status: transition.to, refundedAmount: transition.refundedAmount });
  audit(ctx, {
    source,
    action: `receipt.${transition.to}`,
    receiptId: receipt.id,
    attemptId: attempt.id,
    data: { ...evidence, refundedAmount: transition.refundedAmount },
  });
  receipt.status = transition.to;
  receipt.refundedAmount = transition.refundedAmount;
  return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
}
