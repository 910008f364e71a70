// Fixed-window rate limits on the rate_limits table, shared by every app instance: one row per
// key (e.g. `signin-email:ana@…`), counted by one atomic statement per hit, so two instances
// (or two requests) hitting the same key at once both count. Old windows are pruned on the fly.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { countRateLimitHit, deleteRateLimit, deleteRateLimitsBefore, takeBackRateLimitHit } from "@/db/queries/rate-limits";

export type RateLimit = { limit: number; windowSeconds: number; now?: Date };
export type RateLimitResult = {
  /** Whether this hit is within the limit (hits ≤ limit). */
  allowed: boolean;
  /** Hits counted in the current window, this one included. */
  hits: number;
  /** Seconds to wait before trying again (0 when allowed). */
  retryAfterSeconds: number;
  /** Seconds until the current window ends and the count starts again. */
  resetSeconds: number;
};

/** Windows older than this are deleted; no limit here is longer than a day. */
const KEEP_SECONDS = 24 * 3600;
/** The share of hits that also prune old rows: cheap (indexed) and rare enough not to matter. */
const PRUNE_PROBABILITY = 0.01;
/** The count stops growing here, far below integer overflow, however long a flood lasts. */
const MAX_HITS = 1_000_000_000;

function secondsLeft(windowStartedAt: Date, windowSeconds: number, now: Date): number {
  return Math.max(1, Math.ceil((windowStartedAt.getTime() + windowSeconds * 1000 - now.getTime()) / 1000));
}

/** Counts one hit on `key` and says whether it is allowed. */
export async function hit(db: DbOrTx, key: string, { limit, windowSeconds, now = new Date() }: RateLimit): Promise<RateLimitResult> {
  const { windowStartedAt, hits } = await countRateLimitHit(db, { key, at: now, windowSeconds, maxHits: MAX_HITS });
  if (Math.random() < PRUNE_PROBABILITY) await pruneRateLimits(db, now);
  const allowed = hits <= limit;
  const resetSeconds = secondsLeft(windowStartedAt, windowSeconds, now);
  return { allowed, hits, retryAfterSeconds: allowed ? 0 : resetSeconds, resetSeconds };
}

/** Takes back one hit counted on `key` (an attempt that turned out to be legitimate). */
export async function undoHit(db: DbOrTx, key: string): Promise<void> {
  await takeBackRateLimitHit(db, key);
}

/** Forgets a key (e.g. after the owner proved who they are). */
export async function resetRateLimit(db: DbOrTx, key: string): Promise<void> {
  await deleteRateLimit(db, key);
}

/** Deletes windows that ended long ago. Returns how many rows went. */
export async function pruneRateLimits(db: DbOrTx, now: Date = new Date()): Promise<number> {
  return deleteRateLimitsBefore(db, new Date(now.getTime() - KEEP_SECONDS * 1000));
}
