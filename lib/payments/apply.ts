// How a provider's word changes the books: inbox insert, locks, checks, the attempt's and the
// receipt's state changes and their audit lines. Webhooks, return pages, reconciliation and
// refunds all come here through `applyProviderEvent` in lib/after-payment, which owns the
// transaction and turns the outcomes this module reports (a receipt paid, an enrollment's
// payment failed, a payment after cancellation) into what follows in the academy (the
// enrollment confirmed, e-mails, campus access), so a failure anywhere leaves nothing
// half-written and the provider's retry starts clean.
//
// It runs for every notification, so it keeps its round trips few (bench/webhooks/findings.md):
// the attempt is found by the statement that locks its receipt, and the attempt's lock says
// whether deferred refunds wait for it.
import "server-only";
import type { Tx } from "@/db/client";
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
  updateRefund,
  type AttentionKind,
  type LockedAttempt,
  type LockedReceipt,
} from "@/db/queries/payments";
import { markReceiptPaid, markReceiptRefunded } from "@/db/queries/receipts";
import { env, type Env } from "@/lib/env";
import type { Money } from "@/lib/money";
import { transitionAttempt, type AttemptEvent } from "./attempt-machine";
import { transitionReceipt } from "./receipt-machine";
import { EXTRA_PAYMENT_REFUND, LATE_PAYMENT_REFUND, type ProviderEvent, type ProviderOutcome } from "./types";

export type ApplyResult =
  | { result: "duplicate" }
  | { result: "unknown_attempt" }
  | { result: "applied"; attemptId: string; receiptId: string; changed: boolean }
  | { result: "flagged"; attemptId: string; receiptId: string; reason: string };

/** What the books report to the academy's side: lib/after-payment acts on each. */
export type PaymentOutcome =
  | { type: "receipt_paid"; receipt: LockedReceipt; attempt: LockedAttempt; source: AuditSource; paidAt: Date }
  | { type: "enrollment_payment_failed"; payment: FailedEnrollmentPayment }
  /** Money for an enrollment cancelled meanwhile: the receipt waits, cancelled, for the enrollment policy to decide. */
  | { type: "paid_after_cancellation"; enrollmentId: string; paid: Money; books: Books };

export type FailedEnrollmentPayment = {
  receiptId: string;
  enrollmentId: string;
  attemptId: string;
  payerEmail: string;
  payerName: string;
  concept: string;
  amount: number;
  currency: string;
  source: AuditSource;
};

/** A provider event taken into the books: what it did, and the outcomes that follow from it. */
export type BookedEvent =
  | { result: "duplicate" | "unknown_attempt"; outcomes: []; eventRowId?: undefined }
  | { result: Outcome; outcomes: PaymentOutcome[]; eventRowId: string; attemptId: string };

/** The locked receipt and attempt one event is applied to. */
export type Books = {
  tx: Tx;
  receipt: LockedReceipt;
  attempt: LockedAttempt;
  source: AuditSource;
  eventRowId: string;
  event: ProviderEvent;
  outcomes: PaymentOutcome[];
  /** Timeline lines not yet written: see `audit`. */
  auditLines: AuditEntry[];
};

/** Stores the event (a duplicate stops here), locks what it is about and applies it. */
export async function bookProviderEvent(tx: Tx, event: ProviderEvent, source: AuditSource): Promise<BookedEvent> {
  const eventRowId = await insertProviderEvent(tx, event);
  if (!eventRowId) return { result: "duplicate", outcomes: [] };

  // Receipt first, then attempt: every writer takes the locks in this order.
  const target = await lockReceiptOfAttempt(tx, event.provider, event.ref);
  if (!target) {
    await settleProviderEvent(tx, eventRowId, { outcome: "ignored", note: `no attempt for ${event.ref.by} ${event.ref.value}` });
    return { result: "unknown_attempt", outcomes: [] };
  }
  const attempt = (await lockAttempt(tx, target.attemptId))!;
  const books: Books = { tx, receipt: target.receipt, attempt, source, eventRowId, event, outcomes: [], auditLines: [] };
  const result = await applyOutcome(books, event.outcome);
  await writeAudit(books);
  return { result, outcomes: books.outcomes, eventRowId, attemptId: attempt.id };
}

/** Closes the stored event with what applying it came to. */
export async function settleBookedEvent(tx: Tx, booked: Extract<BookedEvent, { eventRowId: string }>, result: Outcome): Promise<void> {
  await settleProviderEvent(tx, booked.eventRowId, {
    outcome: result.result === "flagged" ? "flagged" : result.changed ? "applied" : "ignored",
    attemptId: booked.attemptId,
    note: result.result === "flagged" ? result.reason : undefined,
  });
}

/**
 * Adds a line to the receipt's timeline. The lines of one step of the books go out in one
 * insert when the step returns (`writeAudit`), before anything outside the books runs, so the
 * timeline keeps the order things happened in at the cost of one round trip.
 */
function audit(books: Books, entry: AuditEntry): void {
  books.auditLines.push(entry);
}

async function writeAudit(books: Books): Promise<void> {
  await recordAudit(books.tx, ...books.auditLines.splice(0));
}

export type Outcome = Extract<ApplyResult, { result: "applied" } | { result: "flagged" }>;

async function applyOutcome(books: Books, outcome: ProviderOutcome): Promise<Outcome> {
  switch (outcome.type) {
    case "succeeded":
      return applySuccess(books, outcome);
    case "pending":
    case "failed":
    case "cancelled":
    case "expired":
      return moveAttempt(books, outcome.type, outcome.type === "failed" ? outcome : undefined);
    case "refunded":
      return applyRefund(books, outcome);
    case "refund_failed":
      return applyRefundFailure(books, outcome);
    case "none":
      return unchanged(books);
  }
}

function unchanged({ attempt, receipt }: Books): Outcome {
  return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: false };
}

function changed({ attempt, receipt }: Books): Outcome {
  return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
}

async function moveAttempt(books: Books, event: AttemptEvent, failure?: { code?: string; message?: string }): Promise<Outcome> {
  const { tx, attempt, receipt, source } = books;
  const move = transitionAttempt(attempt.status, event);
  if (move.kind === "unchanged") return unchanged(books);
  const final = move.to !== "pending" && move.to !== "redirected";
  await updateAttempt(tx, attempt.id, {
    status: move.to,
    failureCode: failure?.code ?? null,
    failureMessage: failure?.message ?? null,
    ...(final ? { finalizedBy: source, finalizedAt: new Date() } : {}),
  });
  audit(books, {
    source,
    action: `attempt.${move.to}`,
    receiptId: receipt.id,
    attemptId: attempt.id,
    data: { from: move.from, provider: attempt.provider, method: attempt.method, eventId: books.event.eventId, ...failure },
  });
  if (final && move.to !== "succeeded" && receipt.kind === "enrollment" && receipt.enrollmentId && receipt.status === "pending") {
    books.outcomes.push({
      type: "enrollment_payment_failed",
      payment: {
        receiptId: receipt.id,
        enrollmentId: receipt.enrollmentId,
        attemptId: attempt.id,
        payerEmail: receipt.payerEmail,
        payerName: receipt.payerName,
        concept: receipt.concept,
        amount: receipt.amount,
        currency: receipt.currency,
        source,
      },
    });
  }
  return changed(books);
}

async function applySuccess(books: Books, paid: Extract<ProviderOutcome, { type: "succeeded" }>): Promise<Outcome> {
  const { tx, attempt, receipt, source } = books;
  const move = transitionAttempt(attempt.status, "succeeded");
  // The same attempt reported successful again (another event type, a query): nothing new.
  if (move.kind === "unchanged") return unchanged(books);

  await updateAttempt(tx, attempt.id, {
    status: "succeeded",
    providerPaymentRef: paid.paymentRef ?? attempt.providerPaymentRef,
    finalizedBy: source,
    finalizedAt: new Date(),
  });
  audit(books, {
    source,
    action: "attempt.succeeded",
    receiptId: receipt.id,
    attemptId: attempt.id,
    data: { from: move.from, ...paymentEvidence(books, paid) },
  });

  // What the provider charged must be what we asked for, to the cent and the currency.
  const mismatch = paid.amount !== attempt.amount || paid.currency !== attempt.currency;
  // A test card through a provider left in test mode is not money: never booked as such in production.
  const testMoney = !paymentIsMoney(env(), attempt.mode);
  const transition = mismatch
    ? ({ kind: "flagged", reason: "amount_mismatch" } as const)
    : testMoney
      ? ({ kind: "flagged", reason: "test_payment" } as const)
      : transitionReceipt(receipt, { type: "payment_succeeded", paid: { amount: paid.amount, currency: paid.currency } });
  if (transition.kind === "moved") return payReceipt(books, paid);
  if (transition.reason === "payment_on_cancelled" && receipt.kind === "enrollment" && receipt.enrollmentId) {
    // Whether the seat is still free is the enrollment's policy: see acceptLatePayment / refuseLatePayment.
    books.outcomes.push({ type: "paid_after_cancellation", enrollmentId: receipt.enrollmentId, paid: { amount: paid.amount, currency: paid.currency }, books });
    return { result: "flagged", attemptId: attempt.id, receiptId: receipt.id, reason: "payment_on_cancelled" };
  }
  const reason = transition.reason;
  const kind = reason === "amount_mismatch" || reason === "test_payment" || reason === "payment_on_cancelled" ? reason : "double_payment";
  return flagPayment(books, paid, kind);
}

function paymentEvidence(books: Books, paid: Money & { paymentRef?: string }) {
  const { attempt, receipt } = books;
  return {
    eventId: books.event.eventId,
    provider: attempt.provider,
    asked: { amount: attempt.amount, currency: attempt.currency },
    paid: { amount: paid.amount, currency: paid.currency },
    paymentRef: paid.paymentRef,
    receiptStatus: receipt.status,
  };
}

async function flagPayment(books: Books, paid: Money & { paymentRef?: string }, kind: AttentionKind): Promise<Outcome> {
  const { tx, attempt, receipt, source } = books;
  const evidence = paymentEvidence(books, paid);
  await flagForAttention(tx, { kind, receiptId: receipt.id, attemptId: attempt.id, providerEventId: books.eventRowId, evidence });
  audit(books, { source, action: "receipt.payment_flagged", receiptId: receipt.id, attemptId: attempt.id, data: { reason: kind, ...evidence } });
  return { result: "flagged", attemptId: attempt.id, receiptId: receipt.id, reason: kind };
}

/** The receipt paid by this attempt; refunds that overtook the payment settle right after. */
async function payReceipt(books: Books, paid: Money): Promise<Outcome> {
  const { tx, attempt, receipt, source } = books;
  const paidAt = new Date();
  await markReceiptPaid(tx, receipt.id, { paidAt, paidMethod: attempt.method, paidAttemptId: attempt.id });
  audit(books, {
    source,
    action: "receipt.paid",
    receiptId: receipt.id,
    attemptId: attempt.id,
    data: { amount: paid.amount, currency: paid.currency, method: attempt.method },
  });
  books.outcomes.push({ type: "receipt_paid", receipt, attempt, source, paidAt });
  const paidReceipt = { ...receipt, status: "paid" as const, paidAttemptId: attempt.id };
  const deferredRefunds = attempt.hasDeferredRefunds ? await listDeferredRefunds(tx, attempt.id) : [];
  for (const deferred of deferredRefunds) {
    await settleRefund(
      books,
      paidReceipt,
      deferred.id,
      { refundRef: deferred.providerRef ?? "", amount: deferred.amount, currency: deferred.currency, madeAtProvider: true },
      {
        refundRef: deferred.providerRef,
        amount: deferred.amount,
        deferred: true,
      },
    );
  }
  return changed(books);
}

/** The enrollment got its seat back: the late payment pays the receipt. */
export async function acceptLatePayment(books: Books, paid: Money): Promise<Outcome> {
  const transition = transitionReceipt(books.receipt, { type: "late_payment_accepted", paid });
  const result = transition.kind === "moved" ? await payReceipt(books, paid) : await flagPayment(books, paid, "late_payment");
  await writeAudit(books);
  return result;
}

/** No seat for a late payment: it waits for staff, and (but for money taken by hand) goes back to the payer. */
export async function refuseLatePayment(books: Books, paid: Money): Promise<Outcome> {
  const result = await flagPayment(books, paid, "late_payment");
  await writeAudit(books);
  return result;
}

/** Whether a payment in this mode pays receipts: live always; sandbox and test outside production, or where allowed. */
export function paymentIsMoney(config: Pick<Env, "NODE_ENV" | "ALLOW_TEST_PAYMENTS">, mode: string): boolean {
  return mode === "live" || config.NODE_ENV !== "production" || config.ALLOW_TEST_PAYMENTS;
}

async function applyRefund(books: Books, refund: Extract<ProviderOutcome, { type: "refunded" }>): Promise<Outcome> {
  const { tx, attempt, receipt, source } = books;
  if (attempt.provider === "manual") return unchanged(books);
  const provider = attempt.provider;
  const existing = await findRefund(tx, provider, refund.refundRef);
  if (existing?.status === "succeeded") return unchanged(books);
  const evidence = { eventId: books.event.eventId, refundRef: refund.refundRef, amount: refund.amount, currency: refund.currency };

  if (receipt.status === "pending" && attempt.status !== "succeeded") {
    // The refund overtook the payment it returns (deliveries come out of order). Keep it
    // pending; applySuccess settles it as soon as the payment lands.
    if (!existing) {
      await insertProviderRefund(books, refund, { status: "pending", reason: "made at the provider" });
      audit(books, { source, action: "refund.deferred", receiptId: receipt.id, attemptId: attempt.id, data: evidence });
    }
    return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
  }
  if (!paidTheReceipt(receipt, attempt.id)) return returnExtraPayment(books, existing, refund, evidence);
  const madeAtProvider = !existing || (existing.source !== "staff" && existing.source !== "api");
  return settleRefund(books, receipt, existing?.id, { ...refund, madeAtProvider }, evidence);
}

/** A pending refund the provider could not make: it ends failed, and the money stays where it is. */
async function applyRefundFailure(books: Books, failed: Extract<ProviderOutcome, { type: "refund_failed" }>): Promise<Outcome> {
  const { tx, attempt, receipt, source } = books;
  if (attempt.provider === "manual") return unchanged(books);
  const existing = await findRefund(tx, attempt.provider, failed.refundRef);
  if (!existing || existing.status !== "pending") return unchanged(books);
  await updateRefund(tx, existing.id, { status: "failed", completedAt: new Date() });
  audit(books, {
    source,
    action: "refund.failed",
    receiptId: receipt.id,
    attemptId: attempt.id,
    data: { eventId: books.event.eventId, refundRef: failed.refundRef, failure: failed.reason },
  });
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
  books: Books,
  existing: { id: string; reason: string | null } | undefined,
  refund: Extract<ProviderOutcome, { type: "refunded" }>,
  evidence: Record<string, unknown>,
): Promise<Outcome> {
  const { tx, attempt, receipt, source } = books;
  await recordSucceededRefund(books, existing?.id, refund, EXTRA_PAYMENT_REFUND);
  await resolveAttentionForAttempt(
    tx,
    attempt.id,
    ["double_payment", "payment_on_cancelled", "late_payment", "amount_mismatch", "test_payment"],
    "payment returned to the payer",
  );
  const action = existing?.reason === LATE_PAYMENT_REFUND ? "refund.late_payment_returned" : "refund.extra_payment_returned";
  audit(books, { source, action, receiptId: receipt.id, attemptId: attempt.id, data: evidence });
  return { result: "applied", attemptId: attempt.id, receiptId: receipt.id, changed: true };
}

/** A refund the provider made: our row settles, or, for one made at the provider, a new row. */
async function recordSucceededRefund(
  books: Books,
  rowId: string | undefined,
  refund: { refundRef: string; amount: number; currency: string },
  reason: string,
): Promise<void> {
  const now = new Date();
  if (rowId) await updateRefund(books.tx, rowId, { status: "succeeded", completedAt: now });
  else await insertProviderRefund(books, refund, { status: "succeeded", reason, completedAt: now });
}

/** The row of a refund the provider reported, named by its reference (a replay finds it again). */
async function insertProviderRefund(
  books: Books,
  refund: { refundRef: string; amount: number; currency: string },
  row: { status: "pending" | "succeeded"; reason: string; completedAt?: Date },
): Promise<void> {
  const { tx, attempt, receipt, source } = books;
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
  books: Books,
  receipt: { id: string; status: LockedReceipt["status"]; amount: number; currency: string; refundedAmount: number },
  refundRowId: string | undefined,
  refund: { refundRef: string; amount: number; currency: string; madeAtProvider: boolean },
  evidence: Record<string, unknown>,
): Promise<Outcome> {
  const { tx, attempt, source } = books;
  const transition = transitionReceipt(receipt, { type: "refund_succeeded", refunded: { amount: refund.amount, currency: refund.currency } });
  if (transition.kind !== "moved") {
    // A refund we cannot square with the receipt (more than was paid, a cancelled receipt):
    // keep the evidence for staff rather than guess.
    await flagForAttention(tx, {
      kind: "refund_at_provider",
      receiptId: receipt.id,
      attemptId: attempt.id,
      providerEventId: books.eventRowId,
      evidence: { ...evidence, reason: transition.reason },
    });
    audit(books, { source, action: "refund.flagged", receiptId: receipt.id, attemptId: attempt.id, data: { ...evidence, reason: transition.reason } });
    return { result: "flagged", attemptId: attempt.id, receiptId: receipt.id, reason: transition.reason };
  }
  await recordSucceededRefund(books, refundRowId, refund, "made at the provider");
  if (refund.madeAtProvider) {
    // Not asked for through us: made directly at the provider. Tell staff.
    await flagForAttention(tx, { kind: "refund_at_provider", receiptId: receipt.id, attemptId: attempt.id, providerEventId: books.eventRowId, evidence });
  }
  if (transition.to !== "refunded" && transition.to !== "partially_refunded") throw new Error(`a refund cannot move a receipt to ${transition.to}`);
  await markReceiptRefunded(tx, receipt.id, { status: transition.to, refundedAmount: transition.refundedAmount });
  audit(books, {
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
