// API keys: `Authorization: Bearer ak_…`, looked up by SHA-256 hash, never stored in clear.
import "server-only";
import type { Db } from "@/db/client";
import { findActiveApiKey, recordApiKeyUse } from "@/db/queries/api-keys";
import { hashApiKey } from "@/lib/auth/api-keys";
import { ApiError } from "./errors";

export type ApiCaller = { keyId: string; name: string };

export async function authenticateApiKey(db: Db, request: Request): Promise<ApiCaller> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(ak_[A-Za-z0-9_-]{20,200})$/.exec(header.trim());
  if (!match) throw new ApiError("unauthorized", "Send an API key as `Authorization: Bearer ak_…`.");
  const key = await findActiveApiKey(db, hashApiKey(match[1]!));
  if (!key) throw new ApiError("unauthorized", "This API key is not valid or was revoked.");
  await recordApiKeyUse(db, key.id);
  return { keyId: key.id, name: key.name };
}
