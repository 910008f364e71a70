// Starting a payment: a new attempt (and a new provider order) every time, so a family can
// switch from card to Bizum to PayPal. The receipt lock is held only while the attempt is
// written, never across the provider call.
import "server-only";
import type { Db } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import { insertAttempt, lockReceipt, updateAttempt } from "@/db/queries/payments";
import { getMethodSettings } from "@/lib/settings/read";
import type { Locale } from "@/lib/i18n/config";
import { paymentProvider } from "./providers";
import { newRedsysOrder } from "./providers/redsys";
import { PaymentError, paymentFlowOf, providerOf, type CheckoutAction, type OnlineMethod } from "./types";

export type StartCheckoutInput = {
  receiptId: string;
  method: OnlineMethod;
  locale: Locale;
  source: AuditSource;
  ui?: "redirect" | "buttons";
  appUrl: string;
};

export type CheckoutStarted = { attemptId: string; providerRef: string; action: CheckoutAction };

export function returnUrlFor(appUrl: string, attemptId: string): string {
  return `${appUrl}/pay/return/${attemptId}`;
}

export async function startCheckout(db: Db, input: StartCheckoutInput): Promise<CheckoutStarted> {
  const provider = providerOf(input.method);
  const adapter = paymentProvider(provider);

  const { attempt, receipt } = await db.transaction(async (tx) => {
    const receipt = await lockReceipt(tx, input.receiptId);
    if (!receipt) throw new PaymentError("receipt_not_found", `no receipt ${input.receiptId}`);
    if (receipt.status !== "pending") throw new PaymentError("receipt_not_payable", `receipt ${receipt.number} is ${receipt.status}`);
    // The receipt's kind says which list of methods applies: an enrollment fee is paid by the
    // enrollment's methods whether it is paid from the wizard, a link or a retry. (Both card
    // providers stay usable here, e.g. from the API; pages offer payers the chosen one.)
    const enabled = (await getMethodSettings(tx))[paymentFlowOf(receipt.kind)];
    if (!enabled.includes(input.method)) throw new PaymentError("method_not_enabled", `${input.method} is not enabled`);
    const attempt = await insertAttempt(tx, {
      receiptId: receipt.id,
      provider,
      method: input.method,
      mode: adapter.mode,
      amount: receipt.amount,
      currency: receipt.currency,
      status: "created",
      // Redsys orders are ours to name; Stripe and PayPal name theirs.
      providerRef: provider === "redsys" ? newRedsysOrder() : null,
    });
    await recordAudit(tx, {
      source: input.source,
      action: "attempt.created",
      receiptId: receipt.id,
      attemptId: attempt.id,
      data: { method: input.method, provider, mode: adapter.mode, amount: receipt.amount, currency: receipt.currency },
    });
    return { attempt, receipt };
  });

  let started;
  try {
    started = await adapter.startCheckout({
      attemptId: attempt.id,
      orderRef: attempt.providerRef ?? undefined,
      method: input.method,
      receiptNumber: receipt.number,
      concept: receipt.concept,
      amount: receipt.amount,
      currency: receipt.currency,
      payerEmail: receipt.payerEmail,
      locale: input.locale,
      returnUrl: returnUrlFor(input.appUrl, attempt.id),
      notifyUrl: `${input.appUrl}/api/webhooks/${provider}`,
      ui: input.ui,
    });
  } catch (error) {
    await db.transaction(async (tx) => {
      await updateAttempt(tx, attempt.id, {
        status: "failed",
        failureCode: "provider_unavailable",
        failureMessage: error instanceof Error ? error.message.slice(0, 500) : String(error),
        finalizedBy: input.source,
        finalizedAt: new Date(),
      });
      await recordAudit(tx, {
        source: input.source,
        action: "attempt.failed",
        receiptId: receipt.id,
        attemptId: attempt.id,
        data: { code: "provider_unavailable" },
      });
    });
    console.error(`Checkout with ${provider} failed for attempt ${attempt.id}:`, error);
    throw new PaymentError("provider_unavailable", `${provider} did not answer`);
  }

  await db.transaction(async (tx) => {
    await updateAttempt(tx, attempt.id, { providerRef: started.providerRef, status: "redirected" });
    await recordAudit(tx, {
      source: input.source,
      action: "attempt.redirected",
      receiptId: receipt.id,
      attemptId: attempt.id,
      data: { providerRef: started.providerRef, action: started.action.type },
    });
  });
  return { attemptId: attempt.id, providerRef: started.providerRef, action: started.action };
}
