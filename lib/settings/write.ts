// Saving settings: the new value, who saved it (settings.updated_by) and an audit line naming
// what changed (secrets by name only), in one transaction. Provider credentials and the campus
// token are encrypted with APP_ENCRYPTION_KEY before they reach the database; after a provider
// save the process's payment providers are rebuilt (others notice within a minute).
import "server-only";
import type { Db, DbOrTx } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { deleteSetting, insertApiKey, markApiKeyRevoked, readSetting, readSettingForUpdate, readSettingVersion, writeSetting } from "@/db/queries/settings";
import { apiKeyPrefix, generateApiKey, hashApiKey } from "@/lib/auth/api-keys";
import { settingKeys } from "@/lib/settings/schemas";
import { appEncryptionKey, decryptSecret, encryptSecret } from "@/lib/crypto/secrets";
import { enrollmentPoliciesSchema } from "@/lib/enrollment/policies";
import { reloadPaymentsConfig } from "@/lib/payments/providers";
import type { Provider } from "@/lib/payments/types";
import { defaultHoldMinutes } from "@/lib/enrollment/submit";
import { diffSettings, type Change } from "./diff";
import { readHoldMinutes, type HoldMinutes } from "./read";
import {
  decryptProvider,
  withEncrypted,
  maskSecret,
  parseStoredProviders,
  providerCredentialsKey,
  type PlainCredentials,
  type StoredProviders,
} from "./provider-credentials";
import { secretFields, storedCampusSchema, type FieldErrors, type ProviderForm } from "./forms";

export type SaveOutcome =
  { ok: true; changes: Change[] } | { ok: false; error: "invalid"; fields: FieldErrors } | { ok: false; error: "noEncryptionKey" | "decrypt" };

type Staff = { staffUserId: string };

/** Writes one setting and its audit line; nothing is written (or logged) when nothing changed. */
export async function saveSetting(
  db: Db,
  params: Staff & {
    key: string;
    section: string;
    value: Record<string, unknown>;
    secrets?: readonly string[];
    /** When the stored form differs from what to compare (encrypted values): both sides in clear. */
    compareAs?: { before: Record<string, unknown> | undefined; after: Record<string, unknown> };
  },
): Promise<Change[]> {
  return db.transaction(async (tx) => {
    const before = await readSettingForUpdate(tx, params.key);
    const changes = params.compareAs
      ? diffSettings(params.compareAs.before, params.compareAs.after, params.secrets)
      : diffSettings(isObject(before) ? before : undefined, params.value, params.secrets);
    if (before !== undefined && changes.length === 0) return [];
    await writeSetting(tx, { key: params.key, value: params.value, staffUserId: params.staffUserId });
    await recordAudit(tx, { source: "staff", action: `settings.${params.section}.updated`, staffUserId: params.staffUserId, data: { changes } });
    return changes;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- Políticas: the failure policy and the hold minutes share the enrollment_policies row ----

export async function getPolicies(db: DbOrTx): Promise<{ onPaymentFailure: "keep_hold" | "cancel"; holdMinutes: HoldMinutes }> {
  const stored = await readSetting(db, settingKeys.enrollmentPolicies);
  const policies = enrollmentPoliciesSchema.safeParse(stored ?? {});
  return {
    onPaymentFailure: policies.success ? policies.data.onPaymentFailure : "keep_hold",
    holdMinutes: (await readHoldMinutes(db)) ?? { ...defaultHoldMinutes },
  };
}

// ---- Proveedores ----

/** What the providers page may show of one provider: never a secret, only its last four characters. */
export type ProviderView = {
  source: "stored" | "env" | "none";
  mode: "sandbox" | "test" | "live";
  fields: Record<string, string>;
  masked: Record<string, string>;
  updatedAt?: Date;
};

export async function readStoredProviders(db: DbOrTx): Promise<{ stored: StoredProviders; updatedAt?: Date }> {
  const row = await readSettingVersion(db, providerCredentialsKey);
  return { stored: parseStoredProviders(row?.value), updatedAt: row?.updatedAt };
}

/** The stored credentials of a provider, masked; undefined when none are stored or they cannot be decrypted. */
export function maskedStored<P extends Provider>(
  provider: P,
  stored: StoredProviders,
): { fields: Record<string, string>; masked: Record<string, string> } | undefined {
  const key = appEncryptionKey();
  if (!key || !stored[provider]) return undefined;
  let plain: PlainCredentials[P] | undefined;
  try {
    plain = decryptProvider(provider, stored, key);
  } catch {
    return undefined;
  }
  if (!plain) return undefined;
  const fields: Record<string, string> = {};
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(plain)) {
    if (typeof value !== "string") continue;
    if ((secretFields[provider] as readonly string[]).includes(name)) masked[name] = maskSecret(value);
    else fields[name] = value;
  }
  return { fields, masked };
}

/**
 * The credentials a save or a test uses: what the form entered, with the saved secret where a
 * secret field was left empty. Field errors when a secret is missing, a sandbox has no address,
 * or a Stripe key does not match the chosen mode.
 */
export function resolveCredentials<P extends Provider>(
  provider: P,
  form: ProviderForm[P],
  saved: PlainCredentials[P] | undefined,
): { ok: true; plain: PlainCredentials[P] } | { ok: false; fields: FieldErrors } {
  const fields: FieldErrors = {};
  const merged: Record<string, unknown> = { ...form };
  for (const name of secretFields[provider]) {
    if (merged[name] === undefined) merged[name] = (saved as Record<string, unknown> | undefined)?.[name];
  }
  const requiredSecrets: readonly string[] = provider === "stripe" ? ["secretKey"] : secretFields[provider];
  for (const name of requiredSecrets) if (merged[name] === undefined) fields[name] = "secretRequired";
  if (form.mode === "sandbox") {
    const baseField = provider === "redsys" ? "baseUrl" : "apiBase";
    if (merged[baseField] === undefined) fields[baseField] = "baseUrlRequired";
  }
  if (provider === "stripe" && typeof merged.secretKey === "string" && form.mode !== "sandbox") {
    const live = merged.secretKey.includes("_live_");
    if (live !== (form.mode === "live")) fields.secretKey ??= "stripeKeyMode";
  }
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return { ok: true, plain: merged as PlainCredentials[P] };
}

export async function savedPlain<P extends Provider>(db: DbOrTx, provider: P): Promise<PlainCredentials[P] | undefined> {
  const key = appEncryptionKey();
  const { stored } = await readStoredProviders(db);
  if (!key || !stored[provider]) return undefined;
  return decryptProvider(provider, stored, key);
}

export async function saveProviderCredentials<P extends Provider>(db: Db, params: Staff & { provider: P; form: ProviderForm[P] }): Promise<SaveOutcome> {
  const key = appEncryptionKey();
  if (!key) return { ok: false, error: "noEncryptionKey" };
  const outcome = await db.transaction(async (tx): Promise<SaveOutcome> => {
    const stored = parseStoredProviders(await readSettingForUpdate(tx, providerCredentialsKey));
    let saved: PlainCredentials[P] | undefined;
    try {
      saved = decryptProvider(params.provider, stored, key);
    } catch {
      // Saved with another key: the form must give every secret again.
      saved = undefined;
    }
    const resolved = resolveCredentials(params.provider, params.form, saved);
    if (!resolved.ok) return { ok: false, error: "invalid", fields: resolved.fields };
    const changes = diffSettings(saved as Record<string, unknown> | undefined, resolved.plain as Record<string, unknown>, secretFields[params.provider]);
    const value = withEncrypted(stored, params.provider, resolved.plain, key);
    await writeSetting(tx, { key: providerCredentialsKey, value, staffUserId: params.staffUserId });
    await recordAudit(tx, {
      source: "staff",
      action: "settings.providers.updated",
      staffUserId: params.staffUserId,
      data: { provider: params.provider, changes },
    });
    return { ok: true, changes };
  });
  if (outcome.ok) await reloadPaymentsConfig(db);
  return outcome;
}

/** Forgets a provider's stored credentials: the environment's (if any) apply again. */
export async function removeProviderCredentials(db: Db, params: Staff & { provider: Provider }): Promise<boolean> {
  const removed = await db.transaction(async (tx) => {
    const stored = parseStoredProviders(await readSettingForUpdate(tx, providerCredentialsKey));
    if (!stored[params.provider]) return false;
    const rest: StoredProviders = { ...stored };
    delete rest[params.provider];
    if (Object.keys(rest).length === 0) await deleteSetting(tx, providerCredentialsKey);
    else await writeSetting(tx, { key: providerCredentialsKey, value: rest, staffUserId: params.staffUserId });
    await recordAudit(tx, { source: "staff", action: "settings.providers.removed", staffUserId: params.staffUserId, data: { provider: params.provider } });
    return true;
  });
  if (removed) await reloadPaymentsConfig(db);
  return removed;
}

// ---- Campus ----

export type CampusSettings = { moodleUrl: string; token: string };

/** The stored Moodle site and token (decrypted), or undefined (none stored, or not decryptable). */
export async function getStoredCampus(db: DbOrTx): Promise<CampusSettings | undefined> {
  const parsed = storedCampusSchema.safeParse(await readSetting(db, settingKeys.campus));
  const key = appEncryptionKey();
  if (!parsed.success || !key) return undefined;
  try {
    return { moodleUrl: parsed.data.moodleUrl, token: decryptSecret(parsed.data.tokenEncrypted, key) };
  } catch {
    return undefined;
  }
}

export async function saveCampus(db: Db, params: Staff & { moodleUrl: string; token: string | undefined }): Promise<SaveOutcome> {
  const key = appEncryptionKey();
  if (!key) return { ok: false, error: "noEncryptionKey" };
  const saved = await getStoredCampus(db);
  const token = params.token ?? saved?.token;
  if (!token) return { ok: false, error: "invalid", fields: { token: "secretRequired" } };
  const changes = await saveSetting(db, {
    key: settingKeys.campus,
    section: "campus",
    staffUserId: params.staffUserId,
    value: { moodleUrl: params.moodleUrl, tokenEncrypted: encryptSecret(token, key) },
    secrets: ["token"],
    // Compared in clear: a re-encrypted, unchanged token is no change.
    compareAs: { before: saved && { moodleUrl: saved.moodleUrl, token: saved.token }, after: { moodleUrl: params.moodleUrl, token } },
  });
  return { ok: true, changes };
}

/** A new API key for the academy's other systems, with its audit line. The key is returned this once: the database keeps its hash. */
export async function createApiKey(db: Db, params: Staff & { name: string }): Promise<string> {
  const key = generateApiKey();
  const prefix = apiKeyPrefix(key);
  await db.transaction(async (tx) => {
    const row = await insertApiKey(tx, { name: params.name, prefix, keyHash: hashApiKey(key), createdBy: params.staffUserId });
    await recordAudit(tx, {
      source: "staff",
      action: "settings.api_key.created",
      staffUserId: params.staffUserId,
      data: { apiKeyId: row.id, name: params.name, prefix },
    });
  });
  return key;
}

/** Revokes an API key, with its audit line; false when there is no such live key. */
export async function revokeApiKey(db: Db, params: Staff & { id: string }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await markApiKeyRevoked(tx, params.id);
    if (!row) return false;
    await recordAudit(tx, {
      source: "staff",
      action: "settings.api_key.revoked",
      staffUserId: params.staffUserId,
      data: { apiKeyId: row.id, name: row.name, prefix: row.prefix },
    });
    return true;
  });
}

/** The audit line of a check run from the settings pages (a provider or campus connection, a test e-mail). */
export async function recordSettingsCheck(
  db: DbOrTx,
  params: Staff & { check: "providers.tested" | "campus.tested" | "email.test_sent" | "email.test_failed"; data: Record<string, unknown> },
): Promise<void> {
  await recordAudit(db, { source: "staff", action: `settings.${params.check}`, staffUserId: params.staffUserId, data: params.data });
}
