// Rotating APP_ENCRYPTION_KEY: every secret the database holds encrypted (saved provider and
// campus credentials in settings, outgoing-webhook secrets) is decrypted with the old key and
// encrypted with the new one, in one transaction: a value the old key cannot open stops it all.
// Settings are walked as JSON, so a new kind of encrypted setting is rotated without a change here.
import type { DbOrTx } from "@/db/client";
import { lockAllSettings, lockWebhookEndpointSecrets, updateSettingValue, updateWebhookEndpointSecret } from "@/db/queries/settings";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";

/** The stored shape of an encrypted value (see lib/crypto/secrets.ts). */
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
  for (const row of await lockAllSettings(tx)) {
    const before = count.n;
    const value = reencrypt(row.value, oldKey, newKey, count);
    if (count.n > before) await updateSettingValue(tx, row.key, value);
  }
  for (const endpoint of await lockWebhookEndpointSecrets(tx)) {
    count.n += 1;
    await updateWebhookEndpointSecret(tx, endpoint.id, encryptSecret(decryptSecret(endpoint.secret, oldKey), newKey));
  }
  return count.n;
}
