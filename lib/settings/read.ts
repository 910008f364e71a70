// The academy's settings as the domain needs them: parsed, with safe defaults.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { readSetting } from "@/db/queries/settings";
import {
  academySchema,
  billingSettingsSchema,
  type CardProvider,
  paymentMethodsSchema,
  provisionalAcademy,
  reminderSettingsSchema,
  settingKeys,
  type Academy,
  type BillingSettings,
  type ReminderSettings,
} from "@/lib/settings/schemas";
import { env } from "@/lib/env";
import { holdMinutesSchema } from "./forms";
import { availableMethods } from "@/lib/payments/config";
import { currentPaymentsConfig } from "@/lib/payments/providers";
import type { OnlineMethod } from "@/lib/payments/types";

/** The academy's identity; undefined until an admin (or the demo seed) has set it. */
export async function getAcademy(db: DbOrTx): Promise<Academy | undefined> {
  const value = await readSetting(db, settingKeys.academy);
  return value === undefined ? undefined : academySchema.parse(value);
}

/** The academy's identity, or a provisional one built from APP_URL while it is not set. */
export async function getAcademyOrProvisional(db: DbOrTx): Promise<Academy> {
  return (await getAcademy(db)) ?? provisionalAcademy(env().APP_URL);
}

/** The academy's method choices per flow, among what the configuration can serve, and who takes cards. */
export async function getMethodSettings(db: DbOrTx): Promise<{ enrollment: OnlineMethod[]; receipts: OnlineMethod[]; cardProvider: CardProvider }> {
  // The environment merged with the credentials an admin saved (lib/payments/providers).
  const available = availableMethods(currentPaymentsConfig());
  const parsed = paymentMethodsSchema.safeParse(await readSetting(db, settingKeys.paymentMethods));
  const chosen = (flow: "enrollment" | "receipts") => available.filter((method) => (parsed.success ? parsed.data[flow] : available).includes(method));
  return { enrollment: chosen("enrollment"), receipts: chosen("receipts"), cardProvider: parsed.success ? parsed.data.cardProvider : "redsys" };
}

/**
 * The ways to pay the academy offers payers in a flow: what it enabled in settings (all, until it
 * chooses) among what the configuration can serve, with one card option (`cardProvider`'s).
 */
export async function getEnabledMethods(db: DbOrTx, flow: "receipts" | "enrollment"): Promise<OnlineMethod[]> {
  const settings = await getMethodSettings(db);
  return oneCardOption(settings[flow], settings.cardProvider);
}

/** Redsys and Stripe both take cards: payers see one "card", served by the chosen provider. */
export function oneCardOption(methods: OnlineMethod[], cardProvider: CardProvider): OnlineMethod[] {
  if (!methods.includes("redsys") || !methods.includes("stripe")) return methods;
  return methods.filter((method) => method !== (cardProvider === "redsys" ? "stripe" : "redsys"));
}

/** Monthly issuing settings; the defaults until an admin changes them (or when stored ones no longer parse). */
export async function getBillingSettings(db: DbOrTx): Promise<BillingSettings> {
  const parsed = billingSettingsSchema.safeParse((await readSetting(db, settingKeys.billing)) ?? {});
  return parsed.success ? parsed.data : billingSettingsSchema.parse({});
}

/** Reminder schedule and overdue policy; the defaults until an admin changes them. */
export async function getReminderSettings(db: DbOrTx): Promise<ReminderSettings> {
  const parsed = reminderSettingsSchema.safeParse((await readSetting(db, settingKeys.reminders)) ?? {});
  return parsed.success ? parsed.data : reminderSettingsSchema.parse({});
}

// How long a seat is held while its payment is under way, per method, as saved on the
// Políticas page. It shares the enrollment_policies row with onPaymentFailure (that schema
// ignores the extra field), so both policies of an enrollment live in one place.
export type HoldMinutes = { redsys: number; bizum: number; stripe: number; paypal: number };

/** The saved hold minutes; undefined until an admin saves them (callers use their defaults). */
export async function readHoldMinutes(db: DbOrTx): Promise<HoldMinutes | undefined> {
  const stored = await readSetting(db, settingKeys.enrollmentPolicies);
  if (typeof stored !== "object" || stored === null || !("holdMinutes" in stored)) return undefined;
  const parsed = holdMinutesSchema.safeParse(stored.holdMinutes);
  return parsed.success ? parsed.data : undefined;
}
