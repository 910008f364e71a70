// Fixed-window rate limits on the rate_limits table, shared by every app instance: one row per
// key (e.g. `signin-email:ana@…`), counted by one atomic statement per hit, so two instances
// (or two requests) hitting the same key at once both count. Old windows are pruned on the fly.
import "server-only";
import { lt, sql } from "drizzle-orm";
import { queryRows, type DbOrTx } from "@/db/client";
import { rateLimits } from "@/db/schema";

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
  const at = now.toISOString();
  // A window that has run out starts again at `now` with this hit as its first.
  const expired = sql`${rateLimits.windowStartedAt} <= ${at}::timestamptz - make_interval(secs => ${windowSeconds})`;
  const [row] = await queryRows<{ window_started_at: string | Date; hits: number }>(
    db,
    sql`insert into ${rateLimits} (key, window_started_at, hits) values (${key}, ${at}::timestamptz, 1)
        on conflict (key) do update set
          window_started_at = case when ${expired} then excluded.window_started_at else ${rateLimits.windowStartedAt} end,
          hits = case when ${expired} then 1 else least(${rateLimits.hits} + 1, ${MAX_HITS}) end
        returning window_started_at, hits`,
  );
  if (!row) throw new Error("rate limit upsert returned no row");
  if (Math.random() < PRUNE_PROBABILITY) await pruneRateLimits(db, now);
  const hits = Number(row.hits);
  const allowed = hits <= limit;
  const resetSeconds = secondsLeft(new Date(row.window_started_at), windowSeconds, now);
  return { allowed, hits, retryAfterSeconds: allowed ? 0 : resetSeconds, resetSeconds };
}

/** Takes back one hit counted on `key` (an attempt that turned out to be legitimate). */
export async function undoHit(db: DbOrTx, key: string): Promise<void> {
  await db.execute(sql`update ${rateLimits} set hits = greatest(${rateLimits.hits} - 1, 0) where ${rateLimits.key} = ${key}`);
}

/** Forgets a key (e.g. after the owner proved who they are). */
export async function resetRateLimit(db: DbOrTx, key: string): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.key} = ${key}`);
}

/** Deletes windows that ended long ago. Returns how many rows went. */
export async function pruneRateLimits(db: DbOrTx, now: Date = new Date()): Promise<number> {
  const deleted = await db
    .delete(rateLimits)
    .where(lt(rateLimits.windowStartedAt, new Date(now.getTime() - KEEP_SECONDS * 1000)))
    .returning({ key: rateLimits.key });
  return deleted.length;
}
