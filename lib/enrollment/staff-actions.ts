// What staff do to an enrollment by hand, and how they close "needs attention" items:
// - confirm (paid at the desk: the receipt is paid with a manual attempt; or already paid but
//   never confirmed), which runs the same side effects as an online payment;
// - cancel with a reason (a pending hold or a place on the waiting list): the seat is released
//   and offered to the next in line, as when a hold expires;
// - withdraw a confirmed student: no more monthly receipts (future pending ones are cancelled)
//   and the seat goes to the waiting list;
// - resolve an attention item with a note, or return a payment that did not pay its receipt
//   (a double payment, a payment on a cancelled receipt) through its provider.
// Each runs in one transaction with the lock order course → receipt → attempt → enrollment and
// writes audit lines with source `staff` and the staff member's id.
import "server-only";
import type { Db, Tx } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { countSeatsTaken, lockCourseCapacity } from "@/db/queries/courses";
import {
  attentionItemExists,
  findEnrollmentReceiptId,
  findFirstSucceededAttemptId,
  getEnrollmentStatus,
  isAttentionItemOpen,
  lockAttentionItem,
  type LockedEnrollment,
  lockEnrollmentForUpdate,
  lockPendingMonthlyReceiptsAfter,
  markAttentionItemResolved,
  resolveOpenAttentionForReceipt,
} from "@/db/queries/enrollments";
import { revokeLivePaymentLinks } from "@/db/queries/payment-links";
import { insertRefund, lockAttempt, lockReceipt, updateRefund } from "@/db/queries/payments";
import { markReceiptCancelled } from "@/db/queries/receipts";
import { findRefundByIdempotencyKey, findRefundIdByProviderRef, giveWayToProviderRefund } from "@/db/queries/refunds";
import { calendarDate } from "@/lib/dates";
import { applyProviderEvent, runPaymentOutcomes } from "@/lib/after-payment";
import { payByHand, type ManualMethod } from "@/lib/payments/manual";
import { paymentProvider } from "@/lib/payments/providers";
import { transitionReceipt } from "@/lib/payments/receipt-machine";
import { EXTRA_PAYMENT_REFUND, PaymentError } from "@/lib/payments/types";
import { offerSeatToWaitingList } from "./holds";
import { cancelEnrollmentStatus, reinstateEnrollment, withdrawEnrollmentStatus } from "./status";
import { AppError } from "@/lib/errors";

export type StaffActionErrorCode =
  "not_found" | "not_allowed" | "no_free_seat" | "method_required" | "receipt_not_payable" | "receipt_paid" | "already_resolved" | "not_refundable";

export class StaffActionError extends AppError<StaffActionErrorCode> {
  constructor(code: StaffActionErrorCode, message: string) {
    super(code, message);
    this.name = "StaffActionError";
  }
}

type Locked = {
  enrollment: LockedEnrollment;
  course: { id: string; capacity: number };
  receipt: Awaited<ReturnType<typeof lockReceipt>>;
};

/** Locks course, enrollment receipt and enrollment, in the order every writer uses. */
async function lockEnrollment(tx: Tx, enrollmentId: string): Promise<Locked> {
  const found = await getEnrollmentStatus(tx, enrollmentId);
  if (!found) throw new StaffActionError("not_found", `no enrollment ${enrollmentId}`);
  const locked = await lockCourseCapacity(tx, found.courseId);
  const course = locked ? { id: found.courseId, capacity: locked.capacity } : undefined;
  const receiptId = await findEnrollmentReceiptId(tx, enrollmentId);
  const receipt = receiptId ? await lockReceipt(tx, receiptId) : undefined;
  const enrollment = await lockEnrollmentForUpdate(tx, enrollmentId);
  if (!enrollment || !course) throw new StaffActionError("not_found", `no enrollment ${enrollmentId}`);
  return { enrollment, course, receipt };
}

export type ConfirmInput = { enrollmentId: string; staffUserId: string; method?: ManualMethod; note?: string; now?: Date };

/**
 * Confirms an enrollment by hand. A pending receipt is paid with a manual attempt (the method
 * is required: the money was taken at the desk); a receipt already paid (the payment landed but
 * the enrollment was not confirmed) is used as is. A hold that ran out, or a cancelled
 * enrollment, needs a free seat. Open "paid but not confirmed" items of the receipt are closed.
 */
export async function confirmEnrollmentByHand(db: Db, input: ConfirmInput): Promise<{ paidNow: boolean }> {
  const now = input.now ?? new Date();
  const note = input.note?.trim() || undefined;
  return db.transaction(async (tx) => {
    const { enrollment, course, receipt } = await lockEnrollment(tx, input.enrollmentId);
    if (enrollment.status !== "pending_payment" && enrollment.status !== "cancelled") {
      throw new StaffActionError("not_allowed", `enrollment is ${enrollment.status}`);
    }
    if (!receipt) throw new StaffActionError("receipt_not_payable", "the enrollment has no receipt");
    const holdsSeat = enrollment.status === "pending_payment" && enrollment.holdExpiresAt !== null && enrollment.holdExpiresAt > now;
    if (!holdsSeat && (await countSeatsTaken(tx, { courseId: course.id, now })) >= course.capacity) {
      throw new StaffActionError("no_free_seat", "the course is full");
    }

    let paidNow = false;
    let attempt;
    let paidAt = now;
    if (receipt.status === "pending") {
      if (!input.method) throw new StaffActionError("method_required", "how was it paid?");
      const move = transitionReceipt(receipt, { type: "payment_succeeded", paid: { amount: receipt.amount, currency: receipt.currency } });
      if (move.kind !== "moved") throw new StaffActionError("receipt_not_payable", `receipt is ${receipt.status}`);
      attempt = (await payByHand(tx, receipt, { method: input.method, note, staffUserId: input.staffUserId, paidAt: now })).attempt;
      paidNow = true;
    } else if (receipt.status === "paid") {
      const paidAttemptId = await findFirstSucceededAttemptId(tx, receipt.id);
      if (!paidAttemptId) throw new StaffActionError("receipt_not_payable", "paid receipt without a successful attempt");
      attempt = await lockAttempt(tx, paidAttemptId);
      paidAt = receipt.paidAt ?? now;
    } else {
      // Cancelled or refunded: there is no money for this seat.
      throw new StaffActionError("receipt_not_payable", `receipt is ${receipt.status}`);
    }

    // The payment path confirms pending enrollments only: a cancelled one goes back to pending
    // for this transaction, holding the seat checked above.
    await reinstateEnrollment(tx, enrollment.id, now);
    await runPaymentOutcomes(tx, [{ type: "receipt_paid", receipt, attempt: attempt!, source: "staff", paidAt }]);
    await recordAudit(tx, {
      source: "staff",
      action: "enrollment.confirmed_by_staff",
      enrollmentId: enrollment.id,
      receiptId: receipt.id,
      staffUserId: input.staffUserId,
      data: { method: input.method, note, from: enrollment.status },
    });
    const closed = await resolveOpenAttentionForReceipt(tx, {
      receiptId: receipt.id,
      kinds: ["paid_not_confirmed", "late_payment"],
      resolvedAt: now,
      resolvedBy: input.staffUserId,
      resolution: "confirmed_by_hand",
    });
    if (closed.length > 0) {
      await recordAudit(
        tx,
        ...closed.map((item) => ({
          source: "staff" as const,
          action: "attention.resolved",
          receiptId: receipt.id,
          staffUserId: input.staffUserId,
          data: { itemId: item.id, kind: item.kind, resolution: "confirmed_by_hand" },
        })),
      );
    }
    return { paidNow };
  });
}

/**
 * Cancels a pending enrollment (its unpaid receipt too) or a place on the waiting list. A held
 * seat is released and offered to the first in line. A paid receipt is refused: the money has
 * to be returned (or the enrollment confirmed) first.
 */
export async function cancelEnrollment(
  db: Db,
  input: { enrollmentId: string; reason: string; staffUserId: string; now?: Date },
): Promise<{ offered: boolean }> {
  const now = input.now ?? new Date();
  const reason = input.reason.trim();
  return db.transaction(async (tx) => {
    const { enrollment, course, receipt } = await lockEnrollment(tx, input.enrollmentId);
    if (enrollment.status !== "pending_payment" && enrollment.status !== "waitlisted") {
      throw new StaffActionError("not_allowed", `enrollment is ${enrollment.status}`);
    }
    if (receipt && receipt.status !== "pending" && receipt.status !== "cancelled") throw new StaffActionError("receipt_paid", `receipt is ${receipt.status}`);
    await cancelEnrollmentStatus(tx, enrollment.id, { at: now, reason });
    await recordAudit(tx, {
      source: "staff",
      action: "enrollment.cancelled",
      enrollmentId: enrollment.id,
      receiptId: receipt?.id,
      staffUserId: input.staffUserId,
      data: { reason, from: enrollment.status },
    });
    if (receipt?.status === "pending") {
      await markReceiptCancelled(tx, receipt.id, { cancelledAt: now, cancelReason: reason });
      await revokeLivePaymentLinks(tx, receipt.id, now);
      await recordAudit(tx, {
        source: "staff",
        action: "receipt.cancelled",
        receiptId: receipt.id,
        enrollmentId: enrollment.id,
        staffUserId: input.staffUserId,
        data: { reason },
      });
    }
    const offered = enrollment.status === "pending_payment" ? await offerSeatToWaitingList(tx, course.id, now) : false;
    return { offered };
  });
}

/**
 * A confirmed student leaves. No more monthly receipts: pending ones for months after this one
 * are cancelled (what is already owed stays owed); the seat goes to the waiting list.
 */
export async function withdrawEnrollment(
  db: Db,
  input: { enrollmentId: string; reason: string; staffUserId: string; now?: Date; timeZone?: string },
): Promise<{ cancelledReceipts: number; offered: boolean }> {
  const now = input.now ?? new Date();
  const reason = input.reason.trim();
  const thisMonth = calendarDate(now, input.timeZone).slice(0, 7);
  return db.transaction(async (tx) => {
    const { enrollment, course } = await lockEnrollment(tx, input.enrollmentId);
    if (enrollment.status !== "confirmed") throw new StaffActionError("not_allowed", `enrollment is ${enrollment.status}`);
    await withdrawEnrollmentStatus(tx, enrollment.id, { at: now, reason });
    const future = await lockPendingMonthlyReceiptsAfter(tx, { enrollmentId: enrollment.id, period: thisMonth });
    for (const row of future) {
      await markReceiptCancelled(tx, row.id, { cancelledAt: now, cancelReason: "withdrawn" });
      await revokeLivePaymentLinks(tx, row.id, now);
    }
    await recordAudit(
      tx,
      {
        source: "staff",
        action: "enrollment.withdrawn",
        enrollmentId: enrollment.id,
        staffUserId: input.staffUserId,
        data: { reason, cancelledReceipts: future.length },
      },
      ...future.map((row) => ({
        source: "staff" as const,
        action: "receipt.cancelled",
        receiptId: row.id,
        enrollmentId: enrollment.id,
        staffUserId: input.staffUserId,
        data: { reason: "withdrawn" },
      })),
    );
    const offered = await offerSeatToWaitingList(tx, course.id, now);
    return { cancelledReceipts: future.length, offered };
  });
}

/** Closes an open attention item with what staff did about it (a resolution code and a note). */
export async function resolveAttentionItem(db: Db, input: ResolveInput): Promise<void> {
  await db.transaction((tx) => resolveItemIn(tx, input));
}

type ResolveInput = { itemId: string; staffUserId: string; resolution: string; note?: string; now?: Date };

async function resolveItemIn(tx: Tx, input: ResolveInput): Promise<void> {
  const now = input.now ?? new Date();
  const note = input.note?.trim() || undefined;
  const item = await markAttentionItemResolved(tx, input.itemId, {
    resolvedAt: now,
    resolvedBy: input.staffUserId,
    resolution: note ? `${input.resolution}: ${note}` : input.resolution,
  });
  if (!item) {
    const exists = await attentionItemExists(tx, input.itemId);
    throw new StaffActionError(exists ? "already_resolved" : "not_found", `attention item ${input.itemId}`);
  }
  await recordAudit(tx, {
    source: "staff",
    action: "attention.resolved",
    receiptId: item.receiptId,
    attemptId: item.attemptId,
    staffUserId: input.staffUserId,
    data: { itemId: item.id, kind: item.kind, resolution: input.resolution, note },
  });
}

/**
 * Returns a payment that did not pay its receipt (a second payment of a paid receipt, a payment
 * on a cancelled one) through the provider that took it, and closes the item. The refund row is
 * written first with an idempotency key (a retry never refunds twice) and marked as money that
 * never paid the receipt, so the provider's refund event leaves the receipt as it is.
 */
export async function refundExtraPayment(db: Db, input: { itemId: string; staffUserId: string; now?: Date }): Promise<{ status: "pending" | "succeeded" }> {
  const prepared = await db.transaction(async (tx) => {
    const item = await lockAttentionItem(tx, input.itemId);
    if (!item) throw new StaffActionError("not_found", `attention item ${input.itemId}`);
    if (item.resolvedAt) throw new StaffActionError("already_resolved", "already resolved");
    if ((item.kind !== "double_payment" && item.kind !== "payment_on_cancelled") || !item.attemptId || !item.receiptId) {
      throw new StaffActionError("not_refundable", `a ${item.kind} item is not returned from here`);
    }
    const receipt = await lockReceipt(tx, item.receiptId);
    const attempt = await lockAttempt(tx, item.attemptId);
    if (!receipt || !attempt || attempt.status !== "succeeded" || attempt.provider === "manual") {
      throw new StaffActionError("not_refundable", "no online payment to return");
    }
    // The payment that paid the receipt is not extra: returning it is a refund of the receipt.
    if (receipt.paidAttemptId === attempt.id) throw new StaffActionError("not_refundable", "this payment paid the receipt");
    const idempotencyKey = `extra-payment:${attempt.id}`;
    const existing = await findRefundByIdempotencyKey(tx, idempotencyKey);
    if (existing && existing.status !== "pending") throw new StaffActionError("not_refundable", `the refund is already ${existing.status}`);
    let refundId = existing?.id;
    if (!refundId) {
      const row = await insertRefund(tx, {
        receiptId: receipt.id,
        attemptId: attempt.id,
        provider: attempt.provider,
        amount: attempt.amount,
        currency: attempt.currency,
        status: "pending",
        idempotencyKey,
        // Not the late-payment reason: its job would e-mail "your late payment was returned".
        reason: EXTRA_PAYMENT_REFUND,
        source: "staff",
        createdBy: input.staffUserId,
      });
      refundId = row.id;
      await recordAudit(tx, {
        source: "staff",
        action: "refund.requested",
        receiptId: receipt.id,
        attemptId: attempt.id,
        staffUserId: input.staffUserId,
        data: { amount: attempt.amount, currency: attempt.currency, reason: item.kind, itemId: item.id },
      });
    }
    return { item, receipt, attempt, refundId };
  });
  const { item, attempt, refundId } = prepared;
  const provider = attempt.provider === "manual" ? undefined : attempt.provider;
  if (!provider) throw new StaffActionError("not_refundable", "manual payment");

  let result;
  try {
    result = await paymentProvider(provider).refund({
      attempt: {
        id: attempt.id,
        method: attempt.method,
        providerRef: attempt.providerRef,
        providerPaymentRef: attempt.providerPaymentRef,
        amount: attempt.amount,
        currency: attempt.currency,
        createdAt: attempt.createdAt,
      },
      amount: attempt.amount,
      currency: attempt.currency,
      idempotencyKey: `refund-${refundId}`,
    });
  } catch (error) {
    console.error(`Returning extra payment ${refundId} through ${provider} did not complete:`, error);
    throw new PaymentError("provider_unavailable", `${provider} did not answer the refund`);
  }
  const now = input.now ?? new Date();
  await db.transaction(async (tx) => {
    // The receipt's lock first, as every writer: a provider event about this refund being
    // applied right now finishes before we look for the row it may have written.
    await lockReceipt(tx, item.receiptId!);
    if (result.status === "failed") {
      await updateRefund(tx, refundId, { status: "failed", completedAt: now });
      await recordAudit(tx, {
        source: "staff",
        action: "refund.failed",
        receiptId: item.receiptId,
        attemptId: attempt.id,
        staffUserId: input.staffUserId,
        data: { failure: result.failure },
      });
      return;
    }
    // The provider's own event may have got here first (a refund it reports at once) and
    // recorded the refund, closing the item: then that row is ours, and ours gives way to it.
    const already = await findRefundIdByProviderRef(tx, { provider, providerRef: result.refundRef });
    if (already && already !== refundId) {
      await giveWayToProviderRefund(tx, {
        ours: refundId,
        theirs: already,
        adopt: { source: "staff", createdBy: input.staffUserId, reason: EXTRA_PAYMENT_REFUND, idempotencyKey: `extra-payment:${attempt.id}` },
      });
    } else {
      // Pending with the provider's reference; the provider's answer settles it through the
      // webhook path (below when it already said "succeeded", else when its event comes).
      await updateRefund(tx, refundId, { providerRef: result.refundRef });
    }
    if (await isAttentionItemOpen(tx, item.id))
      await resolveItemIn(tx, { itemId: item.id, staffUserId: input.staffUserId, resolution: "extra_payment_refunded", now });
  });
  if (result.status === "failed") {
    const said = result.failure ?? `${provider} refused the refund`;
    throw new PaymentError("provider_refused", said, { detail: { providerCode: said.slice(0, 200) } });
  }
  if (result.status === "succeeded") {
    await applyProviderEvent(
      db,
      {
        provider,
        eventId: `refund:${result.refundRef}`,
        eventType: "refund.succeeded",
        ref: { by: "order", value: attempt.providerRef ?? "" },
        outcome: { type: "refunded", refundRef: result.refundRef, amount: attempt.amount, currency: attempt.currency },
        payload: result,
        rawBody: JSON.stringify(result),
      },
      "staff",
    );
  }
  return { status: result.status };
}
