"use server";
// The wizard's submit: the same schema as the client, checked again here (a crafted request
// gets the same field errors), then the enrollment in one transaction, then the payment page.
import { headers } from "next/headers";
import { getLocale } from "next-intl/server";
import { getDb } from "@/db/client";
import { calendarDate } from "@/lib/dates";
import { enrollmentSubmissionSchema, fieldErrors } from "@/lib/enrollment/schema";
import { submitEnrollment } from "@/lib/enrollment/submit";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { issuePaymentLink } from "@/lib/receipts/payment-links";
import { getEnabledMethods } from "@/lib/settings";
import { hitDoorByAddress } from "@/lib/security/doors";

export type EnrollmentActionResult =
  | { kind: "redirect"; url: string }
  | { kind: "invalid"; errors: Record<string, string[]> }
  | { kind: "waitlisted"; position: number }
  | { kind: "full" | "closed" | "already_enrolled" | "error" };

export async function submitEnrollmentAction(raw: unknown, options: { joinWaitlist: boolean }): Promise<EnrollmentActionResult> {
  const today = calendarDate(new Date());
  const parsed = enrollmentSubmissionSchema(today).safeParse(raw);
  if (!parsed.success) return { kind: "invalid", errors: fieldErrors(parsed.error) };
  const db = await getDb();
  // Per client address (lib/security/doors.ts): a flood of submissions gets the generic error.
  if (!(await hitDoorByAddress(db, "enrollment", await headers()))) return { kind: "error" };
  if (!(await getEnabledMethods(db, "enrollment")).includes(parsed.data.method)) {
    return { kind: "invalid", errors: { method: ["invalid_option"] } };
  }
  const locale = await getLocale();
  try {
    const result = await submitEnrollment(db, { ...parsed.data, locale: isLocale(locale) ? locale : defaultLocale, joinWaitlist: options.joinWaitlist === true });
    if (result.kind === "held") {
      const link = await db.transaction((tx) => issuePaymentLink(tx, result.receiptId, calendarDate(result.holdExpiresAt)));
      return { kind: "redirect", url: `/pay/${link.token}?method=${result.method}` };
    }
    if (result.kind === "waitlisted") return { kind: "waitlisted", position: result.position };
    return { kind: result.kind };
  } catch (error) {
    console.error("Enrollment submission failed:", error);
    return { kind: "error" };
  }
}

