// The settings the academy stores in the `settings` table: their keys, schemas and defaults.
// Reading them is read.ts's, saving them (with the audit line) write.ts's.
import { z } from "zod";
import { onlineMethods } from "@/lib/payments/types";

export const academySchema = z.object({
  name: z.string().min(1),
  legalName: z.string().min(1),
  taxId: z.string().min(1),
  address: z.string(),
  postcode: z.string(),
  city: z.string(),
  email: z.email(),
  phone: z.string(),
  website: z.string(),
  /** The academy's own privacy policy and enrollment conditions; empty: the app's default pages. */
  privacyPolicyUrl: z.string().default(""),
  termsUrl: z.string().default(""),
  timeZone: z.string().default("Europe/Madrid"),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default("EUR"),
});
export type Academy = z.infer<typeof academySchema>;

/** Where the consents link to: the academy's own pages, or the default ones the app serves. */
export function policyLinks(academy: Pick<Academy, "privacyPolicyUrl" | "termsUrl"> | undefined): { privacy: string; terms: string } {
  return { privacy: academy?.privacyPolicyUrl || "/privacidad", terms: academy?.termsUrl || "/condiciones" };
}

export const settingKeys = {
  academy: "academy",
  paymentMethods: "payment_methods",
  enrollmentPolicies: "enrollment_policies",
  billing: "billing",
  reminders: "reminders",
  email: "email",
  campus: "campus",
} as const;

/** Monthly issuing: on which day of the month the schedule issues, and how long payers have. */
export const billingSettingsSchema = z.object({
  /** Day of the month (1–28, so every month has it) on which the month's receipts are issued. */
  issueDay: z.number().int().min(1).max(28).default(1),
  /** Days from issuing to the due date. */
  dueAfterDays: z.number().int().min(0).max(60).default(10),
  /** Whether the schedule issues by itself; staff can always issue from the dashboard. */
  automatic: z.boolean().default(true),
  /** Whether issuing also e-mails every payer their payment link (as a bulk send). */
  sendLinksOnIssue: z.boolean().default(true),
});
export type BillingSettings = z.infer<typeof billingSettingsSchema>;

/** Reminders before and after the due date, and what happens to a receipt left unpaid. */
export const reminderSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Days relative to the due date: negative before, 0 on it, positive after. */
  offsetsDays: z.array(z.number().int().min(-30).max(90)).max(6).default([-3, 0, 7]),
  /** Days after the due date when an unpaid receipt is marked overdue. */
  overdueAfterDays: z.number().int().min(0).max(90).default(1),
  /** Tell staff (by e-mail to the academy's address) when receipts become overdue. */
  notifyStaff: z.boolean().default(true),
  /** Suspend the student's campus access while a receipt is overdue; restored on payment. */
  suspendCampus: z.boolean().default(false),
});
export type ReminderSettings = z.infer<typeof reminderSettingsSchema>;

export const cardProviders = ["redsys", "stripe"] as const;
export type CardProvider = (typeof cardProviders)[number];
export const paymentMethodsSchema = z.object({
  enrollment: z.array(z.enum(onlineMethods)),
  receipts: z.array(z.enum(onlineMethods)),
  /** Payers choose "card", never a provider: when both take cards, this one does. */
  cardProvider: z.enum(cardProviders).default("redsys"),
});

/**
 * Stands in until an admin fills in the academy's identity, so nothing that must not fail
 * (a payment and its receipt e-mail) depends on settings being complete.
 */
export function provisionalAcademy(appUrl: string): Academy {
  const host = new URL(appUrl).hostname;
  return {
    name: host,
    legalName: host,
    taxId: "",
    address: "",
    postcode: "",
    city: "",
    email: `no-reply@${host.includes(".") ? host : "localhost"}`,
    phone: "",
    website: appUrl,
    privacyPolicyUrl: "",
    termsUrl: "",
    timeZone: "Europe/Madrid",
    currency: "EUR",
  };
}
