// API keys: `Authorization: Bearer ak_…`, looked up by SHA-256 hash, never stored in clear.
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { hashApiKey } from "@/lib/auth/api-keys";
import { ApiError } from "./errors";

export type ApiCaller = { keyId: string; name: string };

export async function authenticateApiKey(db: Db, request: Request): Promise<ApiCaller> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(ak_[A-Za-z0-9_-]{20,200})$/.exec(header.trim());
  if (!match) throw new ApiError("unauthorized", "Send an API key as `Authorization: Bearer ak_…`.");
  const [key] = await db
    .select({ id: apiKeys.id, name: apiKeys.name })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(match[1]!)), isNull(apiKeys.revokedAt)));
  if (!key) throw new ApiError("unauthorized", "This API key is not valid or was revoked.");
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, key.id));
  return { keyId: key.id, name: key.name };
}
