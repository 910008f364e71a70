"use server";
// The wizard's submit: the same schema as the client, checked again here (a crafted request
// gets the same field errors), then the enrollment in one transaction, then straight to the
// chosen provider. The payment page (its link also goes by e-mail) is where a payer lands when
// the provider cannot be reached, and where retries happen.
import { publicAction } from "@/lib/actions/client";
import { headers } from "next/headers";
import { getLocale } from "next-intl/server";
import { getDb, type Db } from "@/db/client";
import { calendarDate } from "@/lib/dates";
import { enrollmentSubmissionSchema, fieldErrors } from "@/lib/enrollment/schema";
import { submitEnrollment } from "@/lib/enrollment/submit";
import { env } from "@/lib/env";
import { defaultLocale, isLocale, type Locale } from "@/lib/i18n/config";
import { startCheckout } from "@/lib/payments/checkout";
import { PaymentError, type CheckoutAction, type OnlineMethod } from "@/lib/payments/types";
import { issuePaymentLink } from "@/lib/receipts/payment-links";
import { getEnabledMethods } from "@/lib/settings/read";
import { hitCheckout, hitDoorByAddress } from "@/lib/security/doors";

export type EnrollmentActionResult =
  | { kind: "redirect"; url: string }
  /** Go to the provider: follow the redirect or post the signed form (Redsys, Bizum). */
  | { kind: "checkout"; action: Extract<CheckoutAction, { type: "redirect" | "form" }> }
  | { kind: "invalid"; errors: Record<string, string[]> }
  | { kind: "waitlisted"; position: number }
  | { kind: "full" | "closed" | "already_enrolled" | "error" | "rate_limited" };

export const submitEnrollmentAction = publicAction(
  "the public enrollment form, validated with the wizard schema",
  async (raw: unknown, options: { joinWaitlist: boolean }): Promise<EnrollmentActionResult> => {
    const today = calendarDate(new Date());
    const parsed = enrollmentSubmissionSchema(today).safeParse(raw);
    if (!parsed.success) return { kind: "invalid", errors: fieldErrors(parsed.error) };
    const db = await getDb();
    const requestHeaders = await headers();
    // Per client address (lib/security/doors.ts): a flood of submissions is told to wait.
    if (!(await hitDoorByAddress(db, "enrollment", requestHeaders))) return { kind: "rate_limited" };
    if (!(await getEnabledMethods(db, "enrollment")).includes(parsed.data.method)) {
      return { kind: "invalid", errors: { method: ["invalid_option"] } };
    }
    const chosen = await getLocale();
    const locale = isLocale(chosen) ? chosen : defaultLocale;
    try {
      const result = await submitEnrollment(db, { ...parsed.data, locale, joinWaitlist: options.joinWaitlist === true });
      if (result.kind === "held") {
        const link = await db.transaction((tx) => issuePaymentLink(tx, result.receiptId, calendarDate(result.holdExpiresAt)));
        // The method chosen now (a second try may choose another than the held seat"s first one).
        const method = parsed.data.method;
        const paymentPage = `/pay/${link.token}?method=${method}`;
        const started = await goToProvider(db, requestHeaders, result.receiptId, method, locale);
        return started ? { kind: "checkout", action: started } : { kind: "redirect", url: paymentPage };
      }
      if (result.kind === "waitlisted") return { kind: "waitlisted", position: result.position };
      if (result.kind === "age_out_of_range") {
        const key = result.minAge !== null && result.maxAge !== null ? "age_range" : result.minAge !== null ? "age_min" : "age_max";
        return { kind: "invalid", errors: { "student.birthDate": [key] } };
      }
      return { kind: result.kind };
    } catch (error) {
      console.error("Enrollment submission failed:", error);
      return { kind: "error" };
    }
  },
);

/**
 * The provider's checkout for the held receipt, in the one click that submitted the wizard;
 * undefined when it cannot start (the payment page then offers it again, or another method).
 */
async function goToProvider(db: Db, requestHeaders: Headers, receiptId: string, method: OnlineMethod, locale: Locale) {
  if (!(await hitCheckout(db, requestHeaders, receiptId)).allowed) return undefined;
  try {
    const started = await startCheckout(db, { receiptId, method, ui: "redirect", locale, source: "payer", appUrl: env().APP_URL });
    return started.action.type === "redirect" || started.action.type === "form" ? started.action : undefined;
  } catch (error) {
    if (!(error instanceof PaymentError)) console.error("Starting the enrollment's payment failed:", error);
    return undefined;
  }
}
