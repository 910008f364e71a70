// Refunds through the provider that took the money, in full or in part. The refund row is
// written (pending) before the provider is called, with an idempotency key, so a retried
// request never refunds twice; the provider's answer is applied through the webhook path.
import "server-only";
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import { insertRefund, lockReceipt, updateRefund } from "@/db/queries/payments";
import {
  findRefundByIdempotencyKey,
  findRefundIdByProviderRef,
  findRefundStatusByProviderRef,
  getAttemptToRefund,
  giveWayToProviderRefund,
  resolveRefundAtProviderItems,
  sumPendingRefunds,
} from "@/db/queries/refunds";
import { applyProviderEvent } from "@/lib/after-payment";
import { paymentProvider } from "./providers";
import { isPaidReceipt } from "./receipt-machine";
import { PaymentError } from "./types";

export type RefundInput = {
  receiptId: string;
  amount: number;
  source: AuditSource;
  reason?: string;
  staffUserId?: string;
  /** The caller's key (API clients send one); the same key returns the same refund. */
  idempotencyKey?: string;
};

/** Providers whose refund call takes an idempotency key, so an unanswered call can be repeated. */
const idempotentRefunds: readonly string[] = ["stripe", "paypal"];

export type RefundOutcome = { refundId: string; status: "pending" | "succeeded" | "failed"; amount: number; currency: string };

export async function requestRefund(db: Db, input: RefundInput): Promise<RefundOutcome> {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0)
    throw new PaymentError("refund_not_allowed", "the amount must be a positive integer of minor units");
  const idempotencyKey = input.idempotencyKey ?? randomUUID();

  const prepared = await db.transaction(async (tx) => {
    const existing = await findRefundByIdempotencyKey(tx, idempotencyKey);
    if (existing) {
      if (existing.receiptId !== input.receiptId || existing.amount !== input.amount) {
        throw new PaymentError("refund_not_allowed", "this idempotency key was used for another refund");
      }
      // Its provider call got no answer (a timeout): ask again with the same provider key. Stripe
      // and PayPal answer with the refund they made then, or make it now; never a second one.
      // Redsys has no such key, so its unanswered refunds wait for staff (or its notification).
      if (existing.status === "pending" && !existing.providerRef && existing.attemptId && idempotentRefunds.includes(existing.provider)) {
        const receipt = await lockReceipt(tx, existing.receiptId);
        const attempt = await getAttemptToRefund(tx, existing.attemptId);
        if (receipt && attempt && attempt.provider !== "manual") {
          await recordAudit(tx, {
            source: input.source,
            action: "refund.retried",
            receiptId: receipt.id,
            attemptId: attempt.id,
            staffUserId: input.staffUserId,
            data: { refundId: existing.id },
          });
          return { kind: "new" as const, refundId: existing.id, receipt, attempt: { ...attempt, provider: attempt.provider } };
        }
      }
      return { kind: "replay" as const, outcome: { refundId: existing.id, status: existing.status, amount: existing.amount, currency: existing.currency } };
    }
    const receipt = await lockReceipt(tx, input.receiptId);
    if (!receipt) throw new PaymentError("receipt_not_found", `no receipt ${input.receiptId}`);
    if (!isPaidReceipt(receipt.status)) throw new PaymentError("refund_not_allowed", `receipt ${receipt.number} is ${receipt.status}`);
    const inFlight = await sumPendingRefunds(tx, receipt.id);
    const refundable = receipt.amount - receipt.refundedAmount - inFlight;
    if (input.amount > refundable) throw new PaymentError("refund_not_allowed", `at most ${refundable} can be refunded`);
    // The attempt whose money this is: the one that paid the receipt (not a second payment, nor a
    // flagged one with another amount).
    const attempt = receipt.paidAttemptId ? await getAttemptToRefund(tx, receipt.paidAttemptId) : undefined;
    if (!attempt || attempt.provider === "manual") {
      throw new PaymentError("refund_not_allowed", "this receipt was not paid online: return the money by hand and record it");
    }
    const row = await insertRefund(tx, {
      receiptId: receipt.id,
      attemptId: attempt.id,
      provider: attempt.provider,
      amount: input.amount,
      currency: receipt.currency,
      status: "pending",
      idempotencyKey,
      reason: input.reason,
      source: input.source,
      createdBy: input.staffUserId,
    });
    await recordAudit(tx, {
      source: input.source,
      action: "refund.requested",
      receiptId: receipt.id,
      attemptId: attempt.id,
      staffUserId: input.staffUserId,
      data: { amount: input.amount, currency: receipt.currency, reason: input.reason },
    });
    return { kind: "new" as const, refundId: row.id, receipt, attempt: { ...attempt, provider: attempt.provider } };
  });
  if (prepared.kind === "replay") return prepared.outcome;
  const { refundId, receipt, attempt } = prepared;

  const result = await paymentProvider(attempt.provider)
    .refund({ attempt, amount: input.amount, currency: receipt.currency, idempotencyKey: `refund-${refundId}` })
    .catch((error: unknown) => {
      // Unknown outcome (timeout, 5xx): the row stays pending; the provider's event or a retry
      // with the same key settles it.
      console.error(`Refund ${refundId} through ${attempt.provider} did not complete:`, error);
      throw new PaymentError("provider_unavailable", `${attempt.provider} did not answer the refund`);
    });

  if (result.status === "failed") {
    await db.transaction(async (tx) => {
      await updateRefund(tx, refundId, { status: "failed", completedAt: new Date() });
      await recordAudit(tx, {
        source: input.source,
        action: "refund.failed",
        receiptId: receipt.id,
        attemptId: attempt.id,
        staffUserId: input.staffUserId,
        data: { failure: result.failure },
      });
    });
    const said = result.failure ?? `${attempt.provider} refused the refund`;
    // What the provider said is a short code or sentence of theirs: staff see it as it is.
    throw new PaymentError("provider_refused", said, { detail: { providerCode: said.slice(0, 200) } });
  }

  await db.transaction(async (tx) => {
    // The receipt's lock first, as every writer: a provider event about this refund being
    // applied right now finishes before we look for the row it may have written.
    await lockReceipt(tx, receipt.id);
    // The provider's own event may have got here first and recorded the refund as made at the
    // provider: then it is ours after all, and our pending row gives way to it.
    const already = await findRefundIdByProviderRef(tx, { provider: attempt.provider, providerRef: result.refundRef });
    if (already) {
      await giveWayToProviderRefund(tx, {
        ours: refundId,
        theirs: already,
        adopt: { source: input.source, createdBy: input.staffUserId, reason: input.reason, idempotencyKey },
      });
      await resolveRefundAtProviderItems(tx, {
        receiptId: receipt.id,
        refundRef: result.refundRef,
        resolvedBy: input.staffUserId,
        resolution: "requested through the app",
      });
    } else {
      await updateRefund(tx, refundId, { providerRef: result.refundRef });
    }
  });
  if (result.status === "succeeded") {
    await applyProviderEvent(
      db,
      {
        provider: attempt.provider,
        eventId: `refund:${result.refundRef}`,
        eventType: "refund.succeeded",
        ref: { by: "order", value: attempt.providerRef ?? "" },
        outcome: { type: "refunded", refundRef: result.refundRef, amount: input.amount, currency: receipt.currency },
        payload: result,
        rawBody: JSON.stringify(result),
      },
      input.source,
    );
  }
  const final = await findRefundStatusByProviderRef(db, result.refundRef);
  return { refundId: final?.id ?? refundId, status: final?.status ?? result.status, amount: input.amount, currency: receipt.currency };
}
