// Rotating APP_ENCRYPTION_KEY: every secret the database holds encrypted (saved provider and
// campus credentials in settings, outgoing-webhook secrets) is decrypted with the old key and
// encrypted with the new one, in one transaction: a value the old key cannot open stops it all.
// Settings are walked as JSON, so a new kind of encrypted setting is rotated without a change here.
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { settings, webhookEndpoints } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/campus/crypto";

/** The stored shape of an encrypted value (see lib/campus/crypto.ts). */
const encryptedValue = /^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*$/;

function reencrypt(value: unknown, oldKey: Buffer, newKey: Buffer, count: { n: number }): unknown {
  if (typeof value === "string" && encryptedValue.test(value)) {
    count.n += 1;
    return encryptSecret(decryptSecret(value, oldKey), newKey);
  }
  if (Array.isArray(value)) return value.map((item) => reencrypt(item, oldKey, newKey, count));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reencrypt(v, oldKey, newKey, count)]));
  return value;
}

/** Call inside a transaction; returns how many values were re-encrypted. */
export async function reencryptStoredSecrets(tx: DbOrTx, oldKey: Buffer, newKey: Buffer): Promise<number> {
  const count = { n: 0 };
  for (const row of await tx.select({ key: settings.key, value: settings.value }).from(settings).for("update")) {
    const before = count.n;
    const value = reencrypt(row.value, oldKey, newKey, count);
    if (count.n > before)
      await tx
        .update(settings)
        .set({ value, updatedAt: sql`now()` })
        .where(eq(settings.key, row.key));
  }
  for (const endpoint of await tx.select({ id: webhookEndpoints.id, secret: webhookEndpoints.secretEncrypted }).from(webhookEndpoints).for("update")) {
    count.n += 1;
    await tx
      .update(webhookEndpoints)
      .set({ secretEncrypted: encryptSecret(decryptSecret(endpoint.secret, oldKey), newKey) })
      .where(eq(webhookEndpoints.id, endpoint.id));
  }
  return count.n;
}
