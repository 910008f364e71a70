// `npm run keys:rotate`: re-encrypts the stored secrets from APP_ENCRYPTION_KEY to
// NEW_APP_ENCRYPTION_KEY (lib/crypto/rotate.ts), in one transaction. Stop the app first (or
// accept that an instance still on the old key fails to read saved credentials until restarted
// with the new one), run this, then start the app with APP_ENCRYPTION_KEY set to the new key.
import { openDatabase } from "@/db/client";
import { reencryptStoredSecrets } from "@/lib/crypto/rotate";
import { decodeEncryptionKey, env } from "@/lib/env";

const config = env();
const oldKey = config.APP_ENCRYPTION_KEY ? decodeEncryptionKey(config.APP_ENCRYPTION_KEY) : undefined;
const newKeyText = process.env.NEW_APP_ENCRYPTION_KEY ?? "";
const newKey = decodeEncryptionKey(newKeyText);
if (!oldKey) throw new Error("APP_ENCRYPTION_KEY (the current key) is not set");
if (!newKey) throw new Error("NEW_APP_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)");
if (oldKey.equals(newKey)) throw new Error("NEW_APP_ENCRYPTION_KEY is the current key");

const database = await openDatabase(config);
try {
  const rotated = await database.db.transaction((tx) => reencryptStoredSecrets(tx, oldKey, newKey));
  console.info(`Re-encrypted ${rotated} stored secret(s). Now restart the app with APP_ENCRYPTION_KEY set to the new key.`);
} finally {
  await database.close();
}
