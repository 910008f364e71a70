// The rate_limits table (lib/security/rate-limit.ts owns the rules): one row per key, counted by
// one atomic upsert per hit so concurrent hits on any instance all count.
import "server-only";
import { lt, sql } from "drizzle-orm";
import { queryRows, type DbOrTx } from "@/db/client";
import { rateLimits } from "@/db/schema";

/**
 * Counts one hit on `key` at `at`: a window that has run out (started `windowSeconds` or more
 * before) starts again at `at` with this hit as its first; the count stops at `maxHits`.
 */
export async function countRateLimitHit(
  db: DbOrTx,
  params: { key: string; at: Date; windowSeconds: number; maxHits: number },
): Promise<{ windowStartedAt: Date; hits: number }> {
  const at = params.at.toISOString();
  const expired = sql`${rateLimits.windowStartedAt} <= ${at}::timestamptz - make_interval(secs => ${params.windowSeconds})`;
  const [row] = await queryRows<{ window_started_at: string | Date; hits: number }>(
    db,
    sql`insert into ${rateLimits} (key, window_started_at, hits) values (${params.key}, ${at}::timestamptz, 1)
        on conflict (key) do update set
          window_started_at = case when ${expired} then excluded.window_started_at else ${rateLimits.windowStartedAt} end,
          hits = case when ${expired} then 1 else least(${rateLimits.hits} + 1, ${params.maxHits}) end
        returning window_started_at, hits`,
  );
  if (!row) throw new Error("rate limit upsert returned no row");
  return { windowStartedAt: new Date(row.window_started_at), hits: Number(row.hits) };
}

export async function takeBackRateLimitHit(db: DbOrTx, key: string): Promise<void> {
  await db.execute(sql`update ${rateLimits} set hits = greatest(${rateLimits.hits} - 1, 0) where ${rateLimits.key} = ${key}`);
}

export async function deleteRateLimit(db: DbOrTx, key: string): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.key} = ${key}`);
}

/** Deletes the windows that started before `cutoff`; how many went. */
export async function deleteRateLimitsBefore(db: DbOrTx, cutoff: Date): Promise<number> {
  const deleted = await db.delete(rateLimits).where(lt(rateLimits.windowStartedAt, cutoff)).returning({ key: rateLimits.key });
  return deleted.length;
}
