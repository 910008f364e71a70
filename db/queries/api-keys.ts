// The REST API's keys as the API itself reads them: found by hash (never stored in clear), stamped
// when used. Creating and revoking them is the settings page's (db/queries/settings.ts).
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { apiKeys } from "@/db/schema";

/** The key with this SHA-256 hash, unless it was revoked. */
export async function findActiveApiKey(db: DbOrTx, keyHash: string): Promise<{ id: string; name: string } | undefined> {
  const [key] = await db
    .select({ id: apiKeys.id, name: apiKeys.name })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
  return key;
}

export async function recordApiKeyUse(db: DbOrTx, id: string): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, id));
}
