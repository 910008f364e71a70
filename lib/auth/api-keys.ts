// API keys for the academy's other systems: random, shown once, stored only as a SHA-256 hash.
import { createHash, randomBytes } from "node:crypto";

export function generateApiKey(): string {
  return `ak_${randomBytes(24).toString("base64url")}`;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Enough of the key to tell keys apart in a list, not enough to use it. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 10);
}
