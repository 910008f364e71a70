"use server";
// The payer's doors into a payment: a payment link token, or (to retry from the return page)
// the attempt id they came back with. Both are unguessable capabilities; nothing else is trusted.
import { publicAction } from "@/lib/actions/client";
import { headers } from "next/headers";
import { getLocale } from "next-intl/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { getAttemptForReturn } from "@/db/queries/receipts";
import { env } from "@/lib/env";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { returnUrlFor, startCheckout } from "@/lib/payments/checkout";
import { refreshAttempt } from "@/lib/payments/refresh";
import { onlineMethods, PaymentError, type CheckoutAction } from "@/lib/payments/types";
import { lookUpPaymentLink } from "@/lib/receipts/payment-links";
import { hitCheckout, hitDoorByAddress } from "@/lib/security/doors";

export type PayTarget = { kind: "link"; token: string } | { kind: "attempt"; attemptId: string };

export type PayState = { error?: string; action?: CheckoutAction; attemptId?: string };

const methodSchema = z.object({ method: z.enum(onlineMethods) });

async function receiptFor(target: PayTarget): Promise<string | undefined> {
  const db = await getDb();
  if (target.kind === "link") {
    const link = await lookUpPaymentLink(db, target.token);
    return link.state === "live" ? link.receiptId : undefined;
  }
  if (!z.uuid().safeParse(target.attemptId).success) return undefined;
  return (await getAttemptForReturn(db, target.attemptId))?.receiptId;
}

async function begin(target: PayTarget, method: z.infer<typeof methodSchema>["method"], ui: "redirect" | "buttons"): Promise<PayState> {
  const receiptId = await receiptFor(target);
  if (!receiptId) return { error: "receipt_not_payable" };
  // Each start creates an order at the provider: per address and per receipt (lib/security/doors.ts).
  if (!(await hitCheckout(await getDb(), await headers(), receiptId)).allowed) return { error: "rate_limited" };
  const locale = await getLocale();
  try {
    const started = await startCheckout(await getDb(), {
      receiptId,
      method,
      ui,
      locale: isLocale(locale) ? locale : defaultLocale,
      source: "payer",
      appUrl: env().APP_URL,
    });
    return { action: started.action, attemptId: started.attemptId };
  } catch (error) {
    if (error instanceof PaymentError) return { error: error.code };
    console.error("Starting a payment failed:", error);
    return { error: "generic" };
  }
}

export const startPaymentAction = publicAction(
  "capability: a payment-link token or an attempt id",
  async (target: PayTarget, _previous: PayState, formData: FormData): Promise<PayState> => {
    const parsed = methodSchema.safeParse({ method: formData.get("method") });
    if (!parsed.success) return { error: "invalid" };
    return begin(target, parsed.data.method, "redirect");
  },
);

/** The PayPal buttons' createOrder: a new attempt whose order the buttons approve in a popup. */
export const createPaypalOrderAction = publicAction("capability: a payment-link token or an attempt id", async (target: PayTarget): Promise<PayState> => {
  return begin(target, "paypal", "buttons");
});

/** The PayPal buttons' onApprove: capture now, then the return page shows the outcome. */
export const capturePaypalOrderAction = publicAction(
  "capability: an attempt id; it only asks the provider",
  async (attemptId: string): Promise<{ returnUrl: string }> => {
    if (!z.uuid().safeParse(attemptId).success) throw new Error("not an attempt");
    const db = await getDb();
    // Over the limit the capture is left to the return page and reconciliation, which ask PayPal too.
    if (!(await hitDoorByAddress(db, "checkout", await headers()))) return { returnUrl: returnUrlFor(env().APP_URL, attemptId) };
    try {
      await refreshAttempt(db, attemptId, "return_page");
    } catch (error) {
      // The return page asks again, and reconciliation after it: the payer is not stuck here.
      console.error(`Capturing PayPal attempt ${attemptId} failed:`, error);
    }
    return { returnUrl: returnUrlFor(env().APP_URL, attemptId) };
  },
);
