"use server";
// The settings actions. Each is a public endpoint, built by the action client for admins only:
// the named fields checked with the section's zod schema (field codes the form translates), the
// work done by lib/settings (value, updated_by and the audit line in one transaction; secrets
// encrypted, never echoed back), then the pages that show it refreshed.
import { randomUUID } from "node:crypto";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { readSetting } from "@/db/queries/settings";
import { academySchema, billingSettingsSchema, paymentMethodsSchema, reminderSettingsSchema, settingKeys } from "@/lib/settings/schemas";
import { testMoodle, testPaypal, testRedsys, testStripe, type ConnectionResult } from "@/lib/settings/connection-test";
import type { PlainCredentials } from "@/lib/settings/provider-credentials";
import {
  academyFormSchema,
  apiKeyFormSchema,
  billingFormSchema,
  campusFormSchema,
  fieldErrorsOf,
  methodsFormSchema,
  policiesFormSchema,
  providerFormSchemas,
  remindersFormSchema,
  revokeApiKeyFormSchema,
  testEmailFormSchema,
  type ProviderForm,
} from "@/lib/settings/forms";
import {
  createApiKey,
  getStoredCampus,
  recordSettingsCheck,
  removeProviderCredentials,
  resolveCredentials,
  saveCampus,
  saveProviderCredentials,
  saveSetting,
  revokeApiKey,
  savedPlain,
} from "@/lib/settings/write";
import { failure, staffFormAction, textFields, type ActionContext, type ActionFailure } from "@/lib/actions/client";
import { env } from "@/lib/env";
import { createMailTransport } from "@/lib/messaging/transport";
import { availableMethods } from "@/lib/payments/config";
import { currentPaymentsConfig } from "@/lib/payments/providers";
import { onlineMethods, type Provider } from "@/lib/payments/types";
import { getAcademy } from "@/lib/settings/read";
import type { SettingsDone, SettingsError } from "./form-state";

const now = () => Date.now();
const invalid = (fields: Record<string, string>) => failure<SettingsError>("invalid", { fields });
const refused = (error: SettingsError | "generic", detail?: string) => failure<SettingsError>(error, detail === undefined ? {} : { detail: { said: detail } });
const saved = (changes: unknown[]): SettingsDone => ({ status: "saved", unchanged: changes.length === 0, at: now() });

/** A settings door: admins only, the section's named fields checked with its schema (field codes the form translates). */
function settingsAction<S extends z.ZodType>(
  what: string,
  fields: readonly string[] | ((formData: FormData) => Record<string, unknown>),
  input: S,
  act: (input: z.output<S>, context: ActionContext) => Promise<SettingsDone | ActionFailure<SettingsError>>,
) {
  return staffFormAction<S, SettingsDone, SettingsError>({ access: "admin", name: `Settings: ${what}`, fields, input, fieldErrors: fieldErrorsOf }, act);
}

function refresh(...paths: string[]) {
  for (const path of paths) revalidatePath(path);
}

// ---- Academia ----

export const saveAcademyAction = settingsAction("academy", Object.keys(academyFormSchema.shape), academyFormSchema, async (input, { user }) => {
  const db = await getDb();
  const current = await getAcademy(db);
  // The currency is not edited here: receipts already issued are in it.
  const value = academySchema.parse({ ...input, currency: current?.currency ?? "EUR" });
  const changes = await saveSetting(db, { key: settingKeys.academy, section: "academy", value, staffUserId: user.id });
  // The name is on every public page (catalog, wizard, pay pages).
  revalidatePath("/", "layout");
  return saved(changes);
});

// ---- Métodos de pago ----

export const saveMethodsAction = settingsAction(
  "methods",
  (formData) => ({ enrollment: formData.getAll("enrollment"), receipts: formData.getAll("receipts"), cardProvider: formData.get("cardProvider") ?? undefined }),
  methodsFormSchema,
  async (input, { user }) => {
    const db = await getDb();
    const available = availableMethods(currentPaymentsConfig());
    // A method whose provider is not configured cannot be ticked; keep its earlier choice for when it is.
    const previous = paymentMethodsSchema.safeParse(await readSetting(db, settingKeys.paymentMethods));
    const keep = (flow: "enrollment" | "receipts") => (previous.success ? previous.data[flow] : [...onlineMethods]).filter((m) => !available.includes(m));
    const value = {
      enrollment: onlineMethods.filter((m) => (input.enrollment.includes(m) && available.includes(m)) || keep("enrollment").includes(m)),
      receipts: onlineMethods.filter((m) => (input.receipts.includes(m) && available.includes(m)) || keep("receipts").includes(m)),
      cardProvider: input.cardProvider,
    };
    if (!value.enrollment.some((m) => available.includes(m))) return invalid({ enrollment: "atLeastOne" });
    if (!value.receipts.some((m) => available.includes(m))) return invalid({ receipts: "atLeastOne" });
    const changes = await saveSetting(db, { key: settingKeys.paymentMethods, section: "methods", value, staffUserId: user.id });
    revalidatePath("/", "layout");
    return saved(changes);
  },
);

// ---- Proveedores ----

const providerInput = z.object({ provider: z.enum(["stripe", "paypal", "redsys"]) });

/** The provider's own form, read and checked once the provider is known. */
function parseProvider<P extends Provider>(
  provider: P,
  formData: FormData,
): { ok: true; form: ProviderForm[P] } | { ok: false; refused: ActionFailure<SettingsError> } {
  const schema = providerFormSchemas[provider];
  const parsed = schema.safeParse(textFields(formData, Object.keys(schema.shape)));
  return parsed.success ? { ok: true, form: parsed.data as ProviderForm[P] } : { ok: false, refused: invalid(fieldErrorsOf(parsed.error)) };
}

export const saveProviderAction = settingsAction("providers", ["provider"], providerInput, async ({ provider }, { user, formData }) => {
  const input = parseProvider(provider, formData);
  if (!input.ok) return input.refused;
  const outcome = await saveProviderCredentials(await getDb(), { provider, form: input.form, staffUserId: user.id });
  if (!outcome.ok) return outcome.error === "invalid" ? invalid(outcome.fields) : refused(outcome.error === "decrypt" ? "generic" : outcome.error);
  revalidatePath("/", "layout");
  return saved(outcome.changes);
});

/** Tests what the form holds (secrets left empty: the saved ones), without saving it. */
export const testProviderAction = settingsAction("provider test", ["provider"], providerInput, async ({ provider }, { user, formData }) => {
  const input = parseProvider(provider, formData);
  if (!input.ok) return input.refused;
  const db = await getDb();
  const resolved = resolveCredentials(provider, input.form, await savedPlain(db, provider).catch(() => undefined));
  if (!resolved.ok) return invalid(resolved.fields);
  const result = await testConnection(provider, resolved.plain);
  await recordSettingsCheck(db, {
    staffUserId: user.id,
    check: "providers.tested",
    data: { provider, ok: result.ok, ...(!result.ok && { reason: result.reason, detail: result.detail }) },
  });
  return tested(result);
});

function testConnection(provider: Provider, plain: PlainCredentials[Provider]): Promise<ConnectionResult> {
  switch (provider) {
    case "stripe":
      return testStripe(plain as PlainCredentials["stripe"]);
    case "paypal":
      return testPaypal(plain as PlainCredentials["paypal"]);
    case "redsys":
      return testRedsys(plain as PlainCredentials["redsys"]);
  }
}

function tested(result: ConnectionResult): SettingsDone {
  return result.ok ? { status: "tested", ok: true, at: now() } : { status: "tested", ok: false, reason: result.reason, detail: result.detail, at: now() };
}

export const removeProviderAction = settingsAction("provider removal", ["provider"], providerInput, async ({ provider }, { user }) => {
  const removed = await removeProviderCredentials(await getDb(), { provider, staffUserId: user.id });
  revalidatePath("/", "layout");
  return removed ? { status: "removed", at: now() } : refused("notFound");
});

// ---- Políticas ----

export const savePoliciesAction = settingsAction("policies", Object.keys(policiesFormSchema.shape), policiesFormSchema, async (input, { user }) => {
  const d = input;
  const value = { onPaymentFailure: d.onPaymentFailure, holdMinutes: { redsys: d.holdRedsys, bizum: d.holdBizum, stripe: d.holdStripe, paypal: d.holdPaypal } };
  const changes = await saveSetting(await getDb(), { key: settingKeys.enrollmentPolicies, section: "policies", value, staffUserId: user.id });
  refresh("/admin/settings/policies");
  return saved(changes);
});

// ---- Facturación ----

export const saveBillingAction = settingsAction("billing", Object.keys(billingFormSchema.shape), billingFormSchema, async (input, { user }) => {
  const value = billingSettingsSchema.parse(input);
  const changes = await saveSetting(await getDb(), { key: settingKeys.billing, section: "billing", value, staffUserId: user.id });
  refresh("/admin/settings/billing", "/admin/billing");
  return saved(changes);
});

// ---- Recordatorios ----

export const saveRemindersAction = settingsAction("reminders", Object.keys(remindersFormSchema.shape), remindersFormSchema, async (input, { user }) => {
  const value = reminderSettingsSchema.parse(input);
  const changes = await saveSetting(await getDb(), { key: settingKeys.reminders, section: "reminders", value, staffUserId: user.id });
  refresh("/admin/settings/reminders");
  return saved(changes);
});

// ---- Correo ----

/** Sends a short test message now, through the SMTP server in use, and says what it answered. */
export const sendTestEmailAction = settingsAction("test e-mail", ["to"], testEmailFormSchema, async (input, { user }) => {
  const db = await getDb();
  const academy = await getAcademy(db);
  const transport = createMailTransport(env(), { academyName: academy?.name });
  if (transport.kind !== "smtp") return refused("smtpNotConfigured");
  const host = new URL(env().APP_URL).hostname;
  try {
    await transport.send({
      from: transport.from,
      to: input.to,
      subject: `Prueba de correo · Test e-mail — ${academy?.name ?? host}`,
      text: [
        "Este es un correo de prueba enviado desde los ajustes de la pasarela de pagos.",
        "This is a test e-mail sent from the payment gateway's settings.",
      ].join("\n\n"),
      messageId: `<settings-test-${randomUUID()}@${host}>`,
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, 200) : "error";
    await recordSettingsCheck(db, { staffUserId: user.id, check: "email.test_failed", data: { to: input.to, detail } });
    return refused("smtpFailed", detail);
  } finally {
    transport.close();
  }
  await recordSettingsCheck(db, { staffUserId: user.id, check: "email.test_sent", data: { to: input.to } });
  return { status: "sent", to: input.to, at: now() };
});

// ---- Campus ----

export const saveCampusAction = settingsAction("campus", ["moodleUrl", "token"], campusFormSchema, async (input, { user }) => {
  const outcome = await saveCampus(await getDb(), { moodleUrl: input.moodleUrl, token: input.token, staffUserId: user.id });
  if (!outcome.ok) return outcome.error === "invalid" ? invalid(outcome.fields) : refused(outcome.error === "decrypt" ? "generic" : outcome.error);
  refresh("/admin/settings/campus");
  return saved(outcome.changes);
});

export const testCampusAction = settingsAction("campus test", ["moodleUrl", "token"], campusFormSchema, async (input, { user }) => {
  const db = await getDb();
  const token = input.token ?? (await getStoredCampus(db))?.token ?? env().MOODLE_TOKEN;
  if (!token) return invalid({ token: "secretRequired" });
  const result = await testMoodle({ url: input.moodleUrl, token });
  await recordSettingsCheck(db, {
    staffUserId: user.id,
    check: "campus.tested",
    data: { ok: result.ok, ...(!result.ok && { reason: result.reason, detail: result.detail }) },
  });
  return tested(result);
});

// ---- Claves de API ----

export const createApiKeyAction = settingsAction("API key", ["name"], apiKeyFormSchema, async (input, { user }) => {
  const key = await createApiKey(await getDb(), { name: input.name, staffUserId: user.id });
  refresh("/admin/settings/api-keys");
  // Shown once, in this answer only: the database keeps its hash.
  return { status: "keyCreated", key, name: input.name, at: now() };
});

export const revokeApiKeyAction = settingsAction("API key revocation", ["id"], revokeApiKeyFormSchema, async (input, { user }) => {
  const revoked = await revokeApiKey(await getDb(), { id: input.id, staffUserId: user.id });
  refresh("/admin/settings/api-keys");
  return revoked ? { status: "revoked", at: now() } : refused("notFound");
});
