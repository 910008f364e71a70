// The academy's settings: reading one, saving with its version, API keys, the staff audit log,
// and the rows rotating the encryption key rewrites.
import "server-only";
import { eq, and, desc, isNull, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { settings, apiKeys, auditEvents, staffUsers, webhookEndpoints } from "@/db/schema";

/** A stored setting's raw value; callers parse it with their own schema. */
export async function readSetting(db: DbOrTx, key: string): Promise<unknown> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return row?.value;
}

// --- the settings pages ----------------------------------------------------------------------
//
// Settings rows with who changed them and when, API keys, and the staff audit log (keyset pages,
// newest first).

export type SettingRow = { value: unknown; updatedAt: Date; updatedBy: string | null };

/** A setting's value and version (updated_at); undefined when it was never saved. */
export async function readSettingVersion(db: DbOrTx, key: string, options: { valueToo?: boolean } = {}): Promise<SettingRow | undefined> {
  const [row] =
    options.valueToo === false
      ? await db
          .select({ value: sql<unknown>`null`, updatedAt: settings.updatedAt, updatedBy: settings.updatedBy })
          .from(settings)
          .where(eq(settings.key, key))
      : await db.select({ value: settings.value, updatedAt: settings.updatedAt, updatedBy: settings.updatedBy }).from(settings).where(eq(settings.key, key));
  return row;
}

/** Reads a setting's value for update: callers compare it with the new value in the same transaction. */
export async function readSettingForUpdate(db: DbOrTx, key: string): Promise<unknown> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).for("update");
  return row?.value;
}

export async function writeSetting(db: DbOrTx, params: { key: string; value: unknown; staffUserId: string }): Promise<void> {
  const now = new Date();
  await db
    .insert(settings)
    .values({ key: params.key, value: params.value, updatedAt: now, updatedBy: params.staffUserId })
    .onConflictDoUpdate({ target: settings.key, set: { value: params.value, updatedAt: now, updatedBy: params.staffUserId } });
}

export async function deleteSetting(db: DbOrTx, key: string): Promise<boolean> {
  const deleted = await db.delete(settings).where(eq(settings.key, key)).returning({ key: settings.key });
  return deleted.length > 0;
}

// --- API keys --------------------------------------------------------------------------------

export type ApiKeyRow = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdByName: string | null;
};

export async function listApiKeys(db: DbOrTx): Promise<ApiKeyRow[]> {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdByName: staffUsers.name,
    })
    .from(apiKeys)
    .leftJoin(staffUsers, eq(staffUsers.id, apiKeys.createdBy))
    .orderBy(sql`${apiKeys.revokedAt} is not null`, desc(apiKeys.createdAt))
    .limit(200);
}

export async function insertApiKey(db: DbOrTx, params: { name: string; prefix: string; keyHash: string; createdBy: string }): Promise<{ id: string }> {
  const [row] = await db.insert(apiKeys).values(params).returning({ id: apiKeys.id });
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** Revokes a live key; undefined when there is no such live key. */
export async function markApiKeyRevoked(db: DbOrTx, id: string): Promise<{ id: string; name: string; prefix: string } | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix });
  return row;
}

// --- the audit log of staff actions ----------------------------------------------------------

export type AuditFilter = { staffUserId?: string; action?: string };
export type AuditRow = {
  id: number;
  occurredAt: Date;
  action: string;
  staffUserId: string | null;
  staffName: string | null;
  receiptId: string | null;
  enrollmentId: string | null;
  data: unknown;
};

/**
 * One page of staff actions, newest first, after the cursor (an audit id: ids only grow).
 * `action` matches a prefix ("settings." finds every settings change).
 */
export async function listStaffAudit(db: DbOrTx, params: { filter: AuditFilter; after?: number; limit: number }): Promise<{ rows: AuditRow[]; next?: number }> {
  const conditions = [eq(auditEvents.source, "staff")];
  if (params.filter.staffUserId) conditions.push(eq(auditEvents.staffUserId, params.filter.staffUserId));
  if (params.filter.action) conditions.push(sql`${auditEvents.action} like ${`${escapeLike(params.filter.action)}%`}`);
  if (params.after !== undefined) conditions.push(lt(auditEvents.id, params.after));
  const rows = await db
    .select({
      id: auditEvents.id,
      occurredAt: auditEvents.occurredAt,
      action: auditEvents.action,
      staffUserId: auditEvents.staffUserId,
      staffName: staffUsers.name,
      receiptId: auditEvents.receiptId,
      enrollmentId: auditEvents.enrollmentId,
      data: auditEvents.data,
    })
    .from(auditEvents)
    .leftJoin(staffUsers, eq(staffUsers.id, auditEvents.staffUserId))
    .where(and(...conditions))
    .orderBy(desc(auditEvents.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  return { rows: page, next: rows.length > params.limit ? page[page.length - 1]?.id : undefined };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Everyone who can appear in the log, for its filter. */
export async function listStaffForFilter(db: DbOrTx): Promise<{ id: string; name: string; email: string }[]> {
  return db.select({ id: staffUsers.id, name: staffUsers.name, email: staffUsers.email }).from(staffUsers).orderBy(staffUsers.name);
}

// --- rotating APP_ENCRYPTION_KEY -------------------------------------------------------------
//
// Every settings row and every outgoing-webhook secret, each locked until the rotation's
// transaction ends (lib/crypto/rotate.ts).

/** Every setting's key and value, the rows locked until commit. */
export async function lockAllSettings(tx: DbOrTx): Promise<{ key: string; value: unknown }[]> {
  return tx.select({ key: settings.key, value: settings.value }).from(settings).for("update");
}

/** Rewrites a setting's value in place: who last saved it stays as it was. */
export async function updateSettingValue(tx: DbOrTx, key: string, value: unknown): Promise<void> {
  await tx
    .update(settings)
    .set({ value, updatedAt: sql`now()` })
    .where(eq(settings.key, key));
}

/** Every outgoing-webhook endpoint's encrypted secret, the rows locked until commit. */
export async function lockWebhookEndpointSecrets(tx: DbOrTx): Promise<{ id: string; secret: string }[]> {
  return tx.select({ id: webhookEndpoints.id, secret: webhookEndpoints.secretEncrypted }).from(webhookEndpoints).for("update");
}

export async function updateWebhookEndpointSecret(tx: DbOrTx, id: string, secretEncrypted: string): Promise<void> {
  await tx.update(webhookEndpoints).set({ secretEncrypted }).where(eq(webhookEndpoints.id, id));
}
