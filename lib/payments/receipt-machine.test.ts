import { describe, expect, it } from "vitest";
import { receiptStatuses, refundableAmount, transitionReceipt, type ReceiptState, type ReceiptStatus } from "./receipt-machine";

const receipt = (status: ReceiptStatus, refundedAmount = 0): ReceiptState => ({ status, amount: 9500, currency: "EUR", refundedAmount });
const eur = (amount: number) => ({ amount, currency: "EUR" });

describe("payment_succeeded", () => {
  const expected: Record<ReceiptStatus, string> = {
    pending: "moved:paid",
    paid: "flagged:double_payment",
    partially_refunded: "flagged:double_payment",
    refunded: "flagged:double_payment",
    cancelled: "flagged:payment_on_cancelled",
  };
  for (const status of receiptStatuses) {
    it(`on a ${status} receipt → ${expected[status]}`, () => {
      const result = transitionReceipt(receipt(status, status === "refunded" ? 9500 : status === "partially_refunded" ? 100 : 0), {
        type: "payment_succeeded",
        paid: eur(9500),
      });
      const label = result.kind === "moved" ? `moved:${result.to}` : `${result.kind}:${result.reason}`;
      expect(label).toBe(expected[status]);
    });
  }

  it.each([
    ["a smaller amount", { amount: 9499, currency: "EUR" }],
    ["a larger amount", { amount: 9501, currency: "EUR" }],
    ["another currency", { amount: 9500, currency: "USD" }],
  ])("flags %s and never marks it paid", (_, paid) => {
    expect(transitionReceipt(receipt("pending"), { type: "payment_succeeded", paid })).toEqual({
      kind: "flagged",
      status: "pending",
      reason: "amount_mismatch",
    });
  });
});

describe("cancel", () => {
  for (const status of receiptStatuses) {
    it(`on a ${status} receipt`, () => {
      const result = transitionReceipt(receipt(status), { type: "cancel" });
      if (status === "pending") expect(result).toEqual({ kind: "moved", from: "pending", to: "cancelled", refundedAmount: 0 });
      else expect(result).toEqual({ kind: "refused", status, reason: "not_pending" });
    });
  }
});

describe("refund_succeeded", () => {
  it("refunds in part, then the rest", () => {
    const first = transitionReceipt(receipt("paid"), { type: "refund_succeeded", refunded: eur(2000) });
    expect(first).toEqual({ kind: "moved", from: "paid", to: "partially_refunded", refundedAmount: 2000 });
    const second = transitionReceipt(receipt("partially_refunded", 2000), { type: "refund_succeeded", refunded: eur(7500) });
    expect(second).toEqual({ kind: "moved", from: "partially_refunded", to: "refunded", refundedAmount: 9500 });
  });

  it("refunds in full at once", () => {
    expect(transitionReceipt(receipt("paid"), { type: "refund_succeeded", refunded: eur(9500) })).toMatchObject({ to: "refunded" });
  });

  it.each([
    ["more than was paid", receipt("paid"), eur(9501)],
    ["more than is left", receipt("partially_refunded", 9000), eur(501)],
    ["anything after a full refund", receipt("refunded", 9500), eur(1)],
    ["another currency", receipt("paid"), { amount: 100, currency: "USD" }],
    ["a zero amount", receipt("paid"), eur(0)],
  ])("flags %s", (_, state, refunded) => {
    expect(transitionReceipt(state, { type: "refund_succeeded", refunded })).toMatchObject({ kind: "flagged", reason: "refund_exceeds_payment" });
  });

  it.each(["pending", "cancelled"] as const)("refuses a refund of a %s receipt", (status) => {
    expect(transitionReceipt(receipt(status), { type: "refund_succeeded", refunded: eur(100) })).toEqual({
      kind: "refused",
      status,
      reason: "not_paid",
    });
  });
});

describe("refundableAmount", () => {
  it("is what was paid and not yet returned", () => {
    expect(refundableAmount(receipt("paid"))).toBe(9500);
    expect(refundableAmount(receipt("partially_refunded", 2000))).toBe(7500);
    expect(refundableAmount(receipt("refunded", 9500))).toBe(0);
    expect(refundableAmount(receipt("pending"))).toBe(0);
    expect(refundableAmount(receipt("cancelled"))).toBe(0);
  });
});

describe("late_payment_accepted", () => {
  it("pays a cancelled receipt when policy accepts the late payment", () => {
    expect(transitionReceipt(receipt("cancelled"), { type: "late_payment_accepted", paid: eur(9500) })).toEqual({
      kind: "moved",
      from: "cancelled",
      to: "paid",
      refundedAmount: 0,
    });
  });
  it("still refuses a wrong amount", () => {
    expect(transitionReceipt(receipt("cancelled"), { type: "late_payment_accepted", paid: eur(9000) })).toMatchObject({
      kind: "flagged",
      reason: "amount_mismatch",
    });
  });
  it.each(["pending", "paid", "refunded", "partially_refunded"] as const)("does not apply to a %s receipt", (status) => {
    expect(transitionReceipt(receipt(status), { type: "late_payment_accepted", paid: eur(9500) }).kind).toBe("refused");
  });
});
