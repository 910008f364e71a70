// Property-based checks of the two state machines: whatever sequence of events arrives, in
// whatever order and however often, a receipt is paid at most once, never refunds more than was
// paid, and an attempt never moves backwards or out of success.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attemptEvents, attemptStatuses, isFinalAttempt, transitionAttempt, type AttemptStatus } from "./attempt-machine";
import { isPaidReceipt, receiptStatuses, transitionReceipt, type ReceiptEvent, type ReceiptState } from "./receipt-machine";

const currency = fc.constantFrom("EUR", "USD");
const amount = fc.integer({ min: 1, max: 500_000 });

function receiptEvent(owed: number): fc.Arbitrary<ReceiptEvent> {
  // Amounts near what is owed, so that exact payments and mismatches both happen often.
  const near = fc.oneof(
    fc.constant(owed),
    fc.integer({ min: -2, max: 2 }).map((d) => owed + d),
    amount,
  );
  return fc.oneof(
    fc.record({ type: fc.constant("payment_succeeded" as const), paid: fc.record({ amount: near, currency }) }),
    fc.record({ type: fc.constant("late_payment_accepted" as const), paid: fc.record({ amount: near, currency }) }),
    fc.constant({ type: "cancel" as const }),
    fc.record({
      type: fc.constant("refund_succeeded" as const),
      refunded: fc.record({ amount: fc.oneof(fc.integer({ min: -5, max: owed + 5 }), near), currency }),
    }),
  );
}

const receiptRun = amount.chain((owed) => fc.record({ owed: fc.constant(owed), events: fc.array(receiptEvent(owed), { maxLength: 40 }) }));

describe("receipt machine, for any sequence of events", () => {
  it("pays a receipt at most once, from pending or (by policy) from cancelled, and only the exact amount", () => {
    fc.assert(
      fc.property(receiptRun, ({ owed, events }) => {
        let state: ReceiptState = { status: "pending", amount: owed, currency: "EUR", refundedAmount: 0 };
        let timesPaid = 0;
        for (const event of events) {
          const result = transitionReceipt(state, event);
          if (result.kind !== "moved") {
            // Flagged or refused: nothing changes.
            expect(result.status).toBe(state.status);
            continue;
          }
          if (result.to === "paid") {
            timesPaid += 1;
            expect(["pending", "cancelled"]).toContain(result.from);
            expect(event.type === "payment_succeeded" || event.type === "late_payment_accepted").toBe(true);
            if (event.type === "payment_succeeded" || event.type === "late_payment_accepted") expect(event.paid).toEqual({ amount: owed, currency: "EUR" });
          }
          state = { ...state, status: result.to, refundedAmount: result.refundedAmount };
        }
        expect(timesPaid).toBeLessThanOrEqual(1);
      }),
      { numRuns: 3000 },
    );
  });

  it("never refunds more than was paid, nor anything of an unpaid receipt", () => {
    fc.assert(
      fc.property(receiptRun, ({ owed, events }) => {
        let state: ReceiptState = { status: "pending", amount: owed, currency: "EUR", refundedAmount: 0 };
        for (const event of events) {
          const result = transitionReceipt(state, event);
          if (result.kind === "moved") state = { ...state, status: result.to, refundedAmount: result.refundedAmount };
          expect(state.refundedAmount).toBeGreaterThanOrEqual(0);
          expect(state.refundedAmount).toBeLessThanOrEqual(owed);
          if (state.refundedAmount > 0) expect(isPaidReceipt(state.status)).toBe(true);
          expect(state.status === "refunded").toBe(state.refundedAmount === owed && isPaidReceipt(state.status));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("answers every status and event without throwing", () => {
    fc.assert(
      fc.property(fc.constantFrom(...receiptStatuses), amount, fc.nat({ max: 100 }), receiptEvent(1000), (status, owed, refunded, event) => {
        const state: ReceiptState = { status, amount: owed, currency: "EUR", refundedAmount: Math.min(refunded, owed) };
        expect(["moved", "flagged", "refused"]).toContain(transitionReceipt(state, event).kind);
      }),
    );
  });
});

const rank: Record<AttemptStatus, number> = { created: 0, redirected: 1, pending: 2, succeeded: 3, failed: 3, cancelled: 3, expired: 3 };

describe("attempt machine, for any sequence of events", () => {
  it("never moves backwards, leaves success for nothing, and leaves a final state only for success", () => {
    fc.assert(
      fc.property(fc.constantFrom(...attemptStatuses), fc.array(fc.constantFrom(...attemptEvents), { maxLength: 30 }), (start, events) => {
        let status = start;
        for (const event of events) {
          const result = transitionAttempt(status, event);
          if (result.kind === "unchanged") {
            expect(result.status).toBe(status);
            continue;
          }
          expect(result.from).toBe(status);
          expect(status).not.toBe("succeeded");
          if (isFinalAttempt(status)) expect(result.to).toBe("succeeded");
          else expect(rank[result.to]).toBeGreaterThan(rank[status]);
          status = result.to;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("is idempotent: the same event twice changes nothing the second time", () => {
    fc.assert(
      fc.property(fc.constantFrom(...attemptStatuses), fc.constantFrom(...attemptEvents), (start, event) => {
        const first = transitionAttempt(start, event);
        const after = first.kind === "moved" ? first.to : start;
        expect(transitionAttempt(after, event).kind).toBe("unchanged");
      }),
    );
  });
});
