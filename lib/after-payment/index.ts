// What follows a payment in the academy. The books (lib/payments/apply.ts) say what a provider's
// word came to (a receipt paid, an enrollment's payment failed, money for an enrollment cancelled
// meanwhile); this module turns each outcome into its effects, in the same transaction, so they
// happen exactly once or not at all: the enrollment confirmed or cancelled as the academy's
// policy says, the payer told (e-mails go through the outbox, whose dedupe keys make a replay
// harmless), the campus account queued, reminders withdrawn.
import "server-only";
import type { Db, Tx } from "@/db/client";
import type { AuditSource } from "@/db/queries/audit";
import { afterEnrollmentPaymentFailed, reclaimSeatForLatePayment } from "@/lib/enrollment/policies";
import { scheduleLatePaymentRefund } from "@/lib/enrollment/late-refunds";
import {
  acceptLatePayment,
  bookProviderEvent,
  refuseLatePayment,
  settleBookedEvent,
  type ApplyResult,
  type Outcome,
  type PaymentOutcome,
} from "@/lib/payments/apply";
import type { ProviderEvent } from "@/lib/payments/types";
import { afterReceiptPaid } from "./receipt-paid";

export type { ApplyResult } from "@/lib/payments/apply";

/**
 * The one path by which a provider's word changes our books and what follows from them:
 * webhooks, return pages, reconciliation and refunds all come here.
 */
export async function applyProviderEvent(db: Db, event: ProviderEvent, source: AuditSource): Promise<ApplyResult> {
  return db.transaction(async (tx) => {
    const booked = await bookProviderEvent(tx, event, source);
    if (booked.eventRowId === undefined) return { result: booked.result };
    const result = (await runPaymentOutcomes(tx, booked.outcomes)) ?? booked.result;
    await settleBookedEvent(tx, booked, result);
    return result;
  });
}

/**
 * Runs the effects of each outcome, in order. A late payment's outcome is decided here (the
 * seat is the enrollment's business), and that decision is what the event came to.
 */
export async function runPaymentOutcomes(tx: Tx, outcomes: PaymentOutcome[]): Promise<Outcome | undefined> {
  let decided: Outcome | undefined;
  // By index: deciding a late payment may add outcomes (the receipt paid), run in their turn.
  for (let index = 0; index < outcomes.length; index++) {
    const outcome = outcomes[index]!;
    switch (outcome.type) {
      case "receipt_paid":
        await afterReceiptPaid(tx, outcome);
        break;
      case "enrollment_payment_failed":
        await afterEnrollmentPaymentFailed(tx, outcome.payment);
        break;
      case "paid_after_cancellation":
        decided = await decideLatePayment(tx, outcome);
        break;
    }
  }
  return decided;
}

async function decideLatePayment(tx: Tx, late: Extract<PaymentOutcome, { type: "paid_after_cancellation" }>): Promise<Outcome> {
  const { books, paid } = late;
  if (await reclaimSeatForLatePayment(tx, late.enrollmentId, books.source)) {
    return acceptLatePayment(books, paid);
  }
  const refused = await refuseLatePayment(books, paid);
  if (books.attempt.provider !== "manual") {
    // No seat for it: the money goes back. The refund is queued here and made by a job (the
    // provider call cannot sit inside this transaction).
    await scheduleLatePaymentRefund(tx, {
      receiptId: books.receipt.id,
      attemptId: books.attempt.id,
      provider: books.attempt.provider,
      amount: paid.amount,
      currency: paid.currency,
      source: books.source,
    });
  }
  return refused;
}
