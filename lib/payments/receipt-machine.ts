// The receipt's state machine, pure.
//
//   pending → paid → partially_refunded → refunded
//   pending → cancelled
//
// A receipt is paid at most once. What cannot be applied as a normal payment is not an error
// to swallow: it is flagged for staff with its reason (the "needs attention" list).

import type { Money } from "@/lib/money";

export const receiptStatuses = ["pending", "paid", "cancelled", "refunded", "partially_refunded"] as const;
export type ReceiptStatus = (typeof receiptStatuses)[number];

export type ReceiptState = { status: ReceiptStatus; amount: number; currency: string; refundedAmount: number };

export type ReceiptEvent =
  | { type: "payment_succeeded"; paid: Money }
  | { type: "cancel" }
  | { type: "refund_succeeded"; refunded: Money }
  /** A payment that arrived after the receipt was cancelled, accepted by policy (a seat was free). */
  | { type: "late_payment_accepted"; paid: Money };

export type AttentionReason = "amount_mismatch" | "double_payment" | "payment_on_cancelled" | "refund_exceeds_payment";

export type ReceiptTransition =
  | { kind: "moved"; from: ReceiptStatus; to: ReceiptStatus; refundedAmount: number }
  | { kind: "flagged"; status: ReceiptStatus; reason: AttentionReason }
  | { kind: "refused"; status: ReceiptStatus; reason: "not_pending" | "not_paid" };

const paidStatuses: readonly ReceiptStatus[] = ["paid", "partially_refunded", "refunded"];

export function isPaidReceipt(status: ReceiptStatus): boolean {
  return paidStatuses.includes(status);
}

export function transitionReceipt(state: ReceiptState, event: ReceiptEvent): ReceiptTransition {
  const { status } = state;
  switch (event.type) {
    case "payment_succeeded": {
      if (event.paid.amount !== state.amount || event.paid.currency !== state.currency) return { kind: "flagged", status, reason: "amount_mismatch" };
      if (status === "cancelled") return { kind: "flagged", status, reason: "payment_on_cancelled" };
      if (isPaidReceipt(status)) return { kind: "flagged", status, reason: "double_payment" };
      return { kind: "moved", from: status, to: "paid", refundedAmount: 0 };
    }
    case "late_payment_accepted":
      if (status !== "cancelled") return { kind: "refused", status, reason: "not_pending" };
      if (event.paid.amount !== state.amount || event.paid.currency !== state.currency) return { kind: "flagged", status, reason: "amount_mismatch" };
      return { kind: "moved", from: status, to: "paid", refundedAmount: 0 };
    case "cancel":
      if (status !== "pending") return { kind: "refused", status, reason: "not_pending" };
      return { kind: "moved", from: status, to: "cancelled", refundedAmount: 0 };
    case "refund_succeeded": {
      if (!isPaidReceipt(status)) return { kind: "refused", status, reason: "not_paid" };
      const refundedAmount = state.refundedAmount + event.refunded.amount;
      if (event.refunded.currency !== state.currency || event.refunded.amount <= 0 || refundedAmount > state.amount)
        return { kind: "flagged", status, reason: "refund_exceeds_payment" };
      const to = refundedAmount === state.amount ? "refunded" : "partially_refunded";
      return { kind: "moved", from: status, to, refundedAmount };
    }
  }
}

/** How much of a paid receipt can still be refunded. */
export function refundableAmount(state: ReceiptState): number {
  return isPaidReceipt(state.status) ? state.amount - state.refundedAmount : 0;
}
