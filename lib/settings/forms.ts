// One zod schema per settings form, shared by the server actions (which validate) and the pages
// (which name the fields). Every issue carries a short code (`required`, `email`, …) that the
// form translates (settings.fieldErrors.<code>): never a sentence built on the server.
import { z } from "zod";
import { academySchema, billingSettingsSchema, cardProviders, reminderSettingsSchema } from "@/lib/settings/schemas";
import { onlineMethods } from "@/lib/payments/types";

export type FieldErrors = Record<string, string>;

const text = (max = 200) => z.string().trim().max(max, "tooLong");
const required = (max = 200) => text(max).min(1, "required");
const optional = (max = 200) =>
  text(max)
    .optional()
    .transform((v) => (v === undefined || v === "" ? undefined : v));

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
const httpUrl = required(500).refine(isHttpUrl, "url");
const optionalHttpUrl = optional(500).refine((v) => v === undefined || isHttpUrl(v), "url");

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A whole number typed in a form: empty is `required`, anything else not an integer is `integer`. */
const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(1, "required")
    .regex(/^-?\d+$/, "integer")
    .transform(Number)
    .pipe(z.number().min(min, "tooSmall").max(max, "tooBig"));

const checkbox = z
  .string()
  .optional()
  .transform((v) => v === "on" || v === "1" || v === "true");

// ---- Academia ----
/** Spanish tax ids (NIF/CIF/NIE) and foreign ones: letters and digits, 8 to 14, after removing spaces and dashes. */
const taxId = required(20)
  .transform((v) => v.replace(/[\s-]/g, "").toUpperCase())
  .refine((v) => /^[A-Z0-9]{8,14}$/.test(v), "taxId");

export const academyFormSchema = z.object({
  name: required(120),
  legalName: required(200),
  taxId,
  address: text(200),
  postcode: text(10),
  city: text(100),
  email: required(200).pipe(z.email("email")),
  phone: text(30),
  website: text(300).refine((v) => v === "" || isHttpUrl(v), "url"),
  privacyPolicyUrl: text(300)
    .default("")
    .refine((v) => v === "" || isHttpUrl(v), "url"),
  termsUrl: text(300)
    .default("")
    .refine((v) => v === "" || isHttpUrl(v), "url"),
  timeZone: required(60).refine(isTimeZone, "timeZone"),
});
export const academyFields = Object.keys(academyFormSchema.shape);
// The stored value must still satisfy the domain's schema (currency is kept as stored).
export { academySchema };

// ---- Métodos de pago ----
export const methodsFormSchema = z.object({
  enrollment: z.array(z.enum(onlineMethods)).min(1, "atLeastOne"),
  receipts: z.array(z.enum(onlineMethods)).min(1, "atLeastOne"),
  cardProvider: z.enum(cardProviders).default("redsys"),
});

// ---- Proveedores ----
export const providerModes = ["sandbox", "test", "live"] as const;
const mode = z.enum(providerModes, "invalid");

/** Secrets are write-only: empty means "keep the saved one". */
const secretInput = optional(500);

export const stripeFormSchema = z.object({
  mode,
  apiBase: optionalHttpUrl,
  secretKey: secretInput.refine((v) => v === undefined || /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(v), "stripeKey"),
  webhookSecret: secretInput.refine((v) => v === undefined || /^whsec_[A-Za-z0-9+/=]+$/.test(v), "stripeWebhookSecret"),
});
export const paypalFormSchema = z.object({
  mode,
  apiBase: optionalHttpUrl,
  sdkBase: optionalHttpUrl,
  clientId: required(200),
  clientSecret: secretInput,
  webhookId: optional(200),
});
export const redsysFormSchema = z.object({
  mode,
  baseUrl: optionalHttpUrl,
  merchantCode: required(9).regex(/^\d{1,9}$/, "merchantCode"),
  terminal: required(3).regex(/^\d{1,3}$/, "terminal"),
  secretKey: secretInput.refine((v) => v === undefined || Buffer.from(v, "base64").length === 24, "redsysSecret"),
});
export const providerFormSchemas = { stripe: stripeFormSchema, paypal: paypalFormSchema, redsys: redsysFormSchema };
export type ProviderForm = {
  stripe: z.infer<typeof stripeFormSchema>;
  paypal: z.infer<typeof paypalFormSchema>;
  redsys: z.infer<typeof redsysFormSchema>;
};
export const providerFields = {
  stripe: Object.keys(stripeFormSchema.shape),
  paypal: Object.keys(paypalFormSchema.shape),
  redsys: Object.keys(redsysFormSchema.shape),
} as const;
/** The fields never shown again once saved. */
export const secretFields = { stripe: ["secretKey", "webhookSecret"], paypal: ["clientSecret"], redsys: ["secretKey"] } as const;

// ---- Políticas ----
export const policiesFormSchema = z.object({
  onPaymentFailure: z.enum(["keep_hold", "cancel"], "invalid"),
  holdRedsys: integer(5, 1440),
  holdBizum: integer(5, 1440),
  holdStripe: integer(5, 1440),
  holdPaypal: integer(5, 1440),
});
export const policiesFields = Object.keys(policiesFormSchema.shape);
/** How long a seat is held while its payment is under way, per method; what the settings row keeps. */
export const holdMinutesSchema = z.object({
  redsys: z.number().int().min(5).max(1440),
  bizum: z.number().int().min(5).max(1440),
  stripe: z.number().int().min(5).max(1440),
  paypal: z.number().int().min(5).max(1440),
});

// ---- Facturación ----
export const billingFormSchema = z.object({
  issueDay: integer(1, 28),
  dueAfterDays: integer(0, 60),
  automatic: checkbox,
  sendLinksOnIssue: checkbox,
});
export const billingFields = Object.keys(billingFormSchema.shape);
export { billingSettingsSchema };

// ---- Recordatorios ----
/** "-3, 0, 7": days relative to the due date, up to six, each from -30 to 90. */
const offsets = text(60)
  .transform((v) => (v === "" ? [] : v.split(/[,;\s]+/).filter(Boolean)))
  .refine((parts) => parts.every((p) => /^[-−]?\d+$/.test(p)), "offsets")
  .transform((parts) => [...new Set(parts.map((p) => Number(p.replace("−", "-"))))].sort((a, b) => a - b))
  .refine((days) => days.length <= 6 && days.every((d) => d >= -30 && d <= 90), "offsets");

export const remindersFormSchema = z.object({
  enabled: checkbox,
  offsetsDays: offsets,
  overdueAfterDays: integer(0, 90),
  notifyStaff: checkbox,
  suspendCampus: checkbox,
});
export const remindersFields = Object.keys(remindersFormSchema.shape);
export { reminderSettingsSchema };

// ---- Correo ----
export const testEmailFormSchema = z.object({ to: required(200).pipe(z.email("email")) });

// ---- Campus ----
export const campusFormSchema = z.object({ moodleUrl: httpUrl, token: secretInput });
/** What the settings row keeps: the token encrypted. */
export const storedCampusSchema = z.object({ moodleUrl: z.string(), tokenEncrypted: z.string().startsWith("v1:") });

// ---- Claves de API ----
export const apiKeyFormSchema = z.object({ name: required(100) });
export const revokeApiKeyFormSchema = z.object({ id: z.uuid("invalid") });

/** The first issue's code per field (the field is the issue's first path element). */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    if (fields[field]) continue;
    fields[field] = issueCode(issue);
  }
  return fields;
}

const knownCodes = new Set([
  "required",
  "email",
  "url",
  "integer",
  "tooSmall",
  "tooBig",
  "tooLong",
  "atLeastOne",
  "invalid",
  "taxId",
  "timeZone",
  "stripeKey",
  "stripeKeyMode",
  "stripeWebhookSecret",
  "redsysSecret",
  "merchantCode",
  "terminal",
  "baseUrlRequired",
  "secretRequired",
  "offsets",
]);

function issueCode(issue: z.core.$ZodIssue): string {
  if (knownCodes.has(issue.message)) return issue.message;
  if (issue.code === "too_small") return "tooSmall";
  if (issue.code === "too_big") return "tooBig";
  return "invalid";
}
