"use server";
// The settings actions. Each is a public endpoint: authenticate and authorise first
// (requireStaff("admin")), validate the named fields with the section's zod schema (field codes
// the form translates), act in lib/admin-settings (value, updated_by and the audit line in one
// transaction; secrets encrypted, never echoed back), then refresh the pages that show it.
import { randomUUID } from "node:crypto";
import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { getDb } from "@/db/client";
import { insertApiKey, revokeApiKey } from "@/db/queries/admin-settings";
import { recordAudit } from "@/db/queries/audit";
import { academySchema, billingSettingsSchema, onlineMethods, paymentMethodsSchema, reminderSettingsSchema, settingKeys } from "@/lib/academy";
import { testMoodle, testPaypal, testRedsys, testStripe, type ConnectionResult } from "@/lib/admin-settings/connection-test";
import type { PlainCredentials } from "@/lib/admin-settings/provider-credentials";
import {
  academyFormSchema,
  apiKeyFormSchema,
  billingFormSchema,
  campusFormSchema,
  fieldErrorsOf,
  formFields,
  methodsFormSchema,
  policiesFormSchema,
  providerFormSchemas,
  remindersFormSchema,
  revokeApiKeyFormSchema,
  testEmailFormSchema,
  type ProviderForm,
} from "@/lib/admin-settings/schemas";
import { getStoredCampus, removeProviderCredentials, resolveCredentials, saveCampus, saveProviderCredentials, saveSetting, savedPlain } from "@/lib/admin-settings/store";
import { requireStaff } from "@/lib/auth/guard";
import { apiKeyPrefix, generateApiKey, hashApiKey } from "@/lib/auth/api-keys";
import { env } from "@/lib/env";
import { createMailTransport } from "@/lib/messaging/transport";
import { availableMethods } from "@/lib/payments/config";
import { currentPaymentsConfig } from "@/lib/payments/providers";
import type { Provider } from "@/lib/payments/types";
import { readSetting } from "@/db/queries/settings";
import { getAcademy } from "@/lib/settings";
import type { SettingsState } from "./form-state";

const now = () => Date.now();
const invalid = (fields: Record<string, string>): SettingsState => ({ status: "error", error: "invalid", fields, at: now() });
const saved = (changes: unknown[]): SettingsState => ({ status: "saved", unchanged: changes.length === 0, at: now() });

function parse<S extends z.ZodType>(schema: S, input: unknown): { ok: true; data: z.infer<S> } | { ok: false; state: SettingsState } {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, state: invalid(fieldErrorsOf(parsed.error)) };
}

/** Unexpected failures are logged in full and shown as a plain message. */
async function guarded(what: string, act: () => Promise<SettingsState>): Promise<SettingsState> {
  try {
    return await act();
  } catch (error) {
    console.error(`Settings: ${what} failed:`, error);
    return { status: "error", error: "generic", at: now() };
  }
}

function refresh(...paths: string[]) {
  for (const path of paths) revalidatePath(path);
}

// ---- Academia ----

export async function saveAcademyAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(academyFormSchema, formFields(formData, Object.keys(academyFormSchema.shape)));
  if (!input.ok) return input.state;
  return guarded("academy", async () => {
    const db = await getDb();
    const current = await getAcademy(db);
    // The currency is not edited here: receipts already issued are in it.
    const value = academySchema.parse({ ...input.data, currency: current?.currency ?? "EUR" });
    const changes = await saveSetting(db, { key: settingKeys.academy, section: "academy", value, staffUserId: user.id });
    // The name is on every public page (catalog, wizard, pay pages).
    revalidatePath("/", "layout");
    return saved(changes);
  });
}

// ---- Métodos de pago ----

export async function saveMethodsAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(methodsFormSchema, { enrollment: formData.getAll("enrollment"), receipts: formData.getAll("receipts"), cardProvider: formData.get("cardProvider") ?? undefined });
  if (!input.ok) return input.state;
  return guarded("methods", async () => {
    const db = await getDb();
    const available = availableMethods(currentPaymentsConfig());
    // A method whose provider is not configured cannot be ticked; keep its earlier choice for when it is.
    const previous = paymentMethodsSchema.safeParse(await readSetting(db, settingKeys.paymentMethods));
    const keep = (flow: "enrollment" | "receipts") => (previous.success ? previous.data[flow] : [...onlineMethods]).filter((m) => !available.includes(m));
    const value = {
      enrollment: onlineMethods.filter((m) => (input.data.enrollment.includes(m) && available.includes(m)) || keep("enrollment").includes(m)),
      receipts: onlineMethods.filter((m) => (input.data.receipts.includes(m) && available.includes(m)) || keep("receipts").includes(m)),
      cardProvider: input.data.cardProvider,
    };
    if (!value.enrollment.some((m) => available.includes(m))) return invalid({ enrollment: "atLeastOne" });
    if (!value.receipts.some((m) => available.includes(m))) return invalid({ receipts: "atLeastOne" });
    const changes = await saveSetting(db, { key: settingKeys.paymentMethods, section: "methods", value, staffUserId: user.id });
    revalidatePath("/", "layout");
    return saved(changes);
  });
}

// ---- Proveedores ----

function providerOf(formData: FormData): Provider | undefined {
  const value = formData.get("provider");
  return value === "stripe" || value === "paypal" || value === "redsys" ? value : undefined;
}

function parseProvider(provider: Provider, formData: FormData) {
  const schema = providerFormSchemas[provider];
  return parse(schema, formFields(formData, Object.keys(schema.shape)));
}

export async function saveProviderAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const provider = providerOf(formData);
  if (!provider) return { status: "error", error: "notFound", at: now() };
  const input = parseProvider(provider, formData);
  if (!input.ok) return input.state;
  return guarded("providers", async () => {
    const outcome = await saveProviderCredentials(await getDb(), { provider, form: input.data as ProviderForm[typeof provider], staffUserId: user.id });
    if (!outcome.ok) return outcome.error === "invalid" ? invalid(outcome.fields) : { status: "error", error: outcome.error === "decrypt" ? "generic" : outcome.error, at: now() };
    revalidatePath("/", "layout");
    return saved(outcome.changes);
  });
}

/** Tests what the form holds (secrets left empty: the saved ones), without saving it. */
export async function testProviderAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const provider = providerOf(formData);
  if (!provider) return { status: "error", error: "notFound", at: now() };
  const input = parseProvider(provider, formData);
  if (!input.ok) return input.state;
  return guarded("provider test", async () => {
    const db = await getDb();
    const resolved = resolveCredentials(provider, input.data as ProviderForm[typeof provider], await savedPlain(db, provider).catch(() => undefined));
    if (!resolved.ok) return invalid(resolved.fields);
    const result = await testConnection(provider, resolved.plain);
    await recordAudit(db, { source: "staff", action: "settings.providers.tested", staffUserId: user.id, data: { provider, ok: result.ok, ...(!result.ok && { reason: result.reason, detail: result.detail }) } });
    return tested(result);
  });
}

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

function tested(result: ConnectionResult): SettingsState {
  return result.ok ? { status: "tested", ok: true, at: now() } : { status: "tested", ok: false, reason: result.reason, detail: result.detail, at: now() };
}

export async function removeProviderAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const provider = providerOf(formData);
  if (!provider) return { status: "error", error: "notFound", at: now() };
  return guarded("provider removal", async () => {
    const removed = await removeProviderCredentials(await getDb(), { provider, staffUserId: user.id });
    revalidatePath("/", "layout");
    return removed ? { status: "removed", at: now() } : { status: "error", error: "notFound", at: now() };
  });
}

// ---- Políticas ----

export async function savePoliciesAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(policiesFormSchema, formFields(formData, Object.keys(policiesFormSchema.shape)));
  if (!input.ok) return input.state;
  return guarded("policies", async () => {
    const d = input.data;
    const value = { onPaymentFailure: d.onPaymentFailure, holdMinutes: { redsys: d.holdRedsys, bizum: d.holdBizum, stripe: d.holdStripe, paypal: d.holdPaypal } };
    const changes = await saveSetting(await getDb(), { key: settingKeys.enrollmentPolicies, section: "policies", value, staffUserId: user.id });
    refresh("/admin/settings/policies");
    return saved(changes);
  });
}

// ---- Facturación ----

export async function saveBillingAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(billingFormSchema, formFields(formData, Object.keys(billingFormSchema.shape)));
  if (!input.ok) return input.state;
  return guarded("billing", async () => {
    const value = billingSettingsSchema.parse(input.data);
    const changes = await saveSetting(await getDb(), { key: settingKeys.billing, section: "billing", value, staffUserId: user.id });
    refresh("/admin/settings/billing", "/admin/billing");
    return saved(changes);
  });
}

// ---- Recordatorios ----

export async function saveRemindersAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(remindersFormSchema, formFields(formData, Object.keys(remindersFormSchema.shape)));
  if (!input.ok) return input.state;
  return guarded("reminders", async () => {
    const value = reminderSettingsSchema.parse(input.data);
    const changes = await saveSetting(await getDb(), { key: settingKeys.reminders, section: "reminders", value, staffUserId: user.id });
    refresh("/admin/settings/reminders");
    return saved(changes);
  });
}

// ---- Correo ----

/** Sends a short test message now, through the SMTP server in use, and says what it answered. */
export async function sendTestEmailAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(testEmailFormSchema, formFields(formData, ["to"]));
  if (!input.ok) return input.state;
  return guarded("test e-mail", async () => {
    const db = await getDb();
    const academy = await getAcademy(db);
    const transport = createMailTransport(env(), { academyName: academy?.name });
    if (transport.kind !== "smtp") return { status: "error", error: "smtpNotConfigured", at: now() };
    const host = new URL(env().APP_URL).hostname;
    try {
      await transport.send({
        from: transport.from,
        to: input.data.to,
        subject: `Prueba de correo · Test e-mail — ${academy?.name ?? host}`,
        text: [
          "Este es un correo de prueba enviado desde los ajustes de la pasarela de pagos.",
          "This is a test e-mail sent from the payment gateway's settings.",
        ].join("\n\n"),
        messageId: `<settings-test-${randomUUID()}@${host}>`,
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message.slice(0, 200) : "error";
      await recordAudit(db, { source: "staff", action: "settings.email.test_failed", staffUserId: user.id, data: { to: input.data.to, detail } });
      return { status: "error", error: "smtpFailed", detail, at: now() };
    } finally {
      transport.close();
    }
    await recordAudit(db, { source: "staff", action: "settings.email.test_sent", staffUserId: user.id, data: { to: input.data.to } });
    return { status: "sent", to: input.data.to, at: now() };
  });
}

// ---- Campus ----

export async function saveCampusAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(campusFormSchema, formFields(formData, ["moodleUrl", "token"]));
  if (!input.ok) return input.state;
  return guarded("campus", async () => {
    const outcome = await saveCampus(await getDb(), { moodleUrl: input.data.moodleUrl, token: input.data.token, staffUserId: user.id });
    if (!outcome.ok) return outcome.error === "invalid" ? invalid(outcome.fields) : { status: "error", error: outcome.error === "decrypt" ? "generic" : outcome.error, at: now() };
    refresh("/admin/settings/campus");
    return saved(outcome.changes);
  });
}

export async function testCampusAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(campusFormSchema, formFields(formData, ["moodleUrl", "token"]));
  if (!input.ok) return input.state;
  return guarded("campus test", async () => {
    const db = await getDb();
    const token = input.data.token ?? (await getStoredCampus(db))?.token ?? env().MOODLE_TOKEN;
    if (!token) return invalid({ token: "secretRequired" });
    const result = await testMoodle({ url: input.data.moodleUrl, token });
    await recordAudit(db, { source: "staff", action: "settings.campus.tested", staffUserId: user.id, data: { ok: result.ok, ...(!result.ok && { reason: result.reason, detail: result.detail }) } });
    return tested(result);
  });
}

// ---- Claves de API ----

export async function createApiKeyAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(apiKeyFormSchema, formFields(formData, ["name"]));
  if (!input.ok) return input.state;
  return guarded("API key", async () => {
    const db = await getDb();
    const key = generateApiKey();
    const prefix = apiKeyPrefix(key);
    await db.transaction(async (tx) => {
      const row = await insertApiKey(tx, { name: input.data.name, prefix, keyHash: hashApiKey(key), createdBy: user.id });
      await recordAudit(tx, { source: "staff", action: "settings.api_key.created", staffUserId: user.id, data: { apiKeyId: row.id, name: input.data.name, prefix } });
    });
    refresh("/admin/settings/api-keys");
    // Shown once, in this answer only: the database keeps its hash.
    return { status: "keyCreated", key, name: input.data.name, at: now() };
  });
}

export async function revokeApiKeyAction(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireStaff("admin");
  const input = parse(revokeApiKeyFormSchema, formFields(formData, ["id"]));
  if (!input.ok) return input.state;
  return guarded("API key revocation", async () => {
    const db = await getDb();
    const revoked = await db.transaction(async (tx) => {
      const row = await revokeApiKey(tx, input.data.id);
      if (row) await recordAudit(tx, { source: "staff", action: "settings.api_key.revoked", staffUserId: user.id, data: { apiKeyId: row.id, name: row.name, prefix: row.prefix } });
      return row;
    });
    refresh("/admin/settings/api-keys");
    return revoked ? { status: "revoked", at: now() } : { status: "error", error: "notFound", at: now() };
  });
}
