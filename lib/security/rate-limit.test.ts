// The limiter on a real PostgreSQL: counts within a window, refuses past the limit with the
// right wait, starts again after the window, counts concurrent hits exactly, and prunes.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { hit, pruneRateLimits } from "./rate-limit";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_rate_limit");
});

afterAll(async () => {
  await database?.close();
});

const t0 = new Date("2026-11-27T10:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe("hit", () => {
  it("allows up to the limit in a window, then refuses with the time left", async () => {
    const db = database.db;
    const limit = { limit: 3, windowSeconds: 60 };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await hit(db, "test:a", { ...limit, now: at(i * 10) }));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.hits)).toEqual([1, 2, 3, 4]);
    // The window began at t0: at t0+30 s, 30 s are left.
    expect(results[3]!.retryAfterSeconds).toBe(30);
    expect(results[0]!.retryAfterSeconds).toBe(0);
    expect(results[0]!.resetSeconds).toBe(60);
  });

  it("starts a new window once the old one has run out", async () => {
    const db = database.db;
    const limit = { limit: 1, windowSeconds: 60 };
    expect((await hit(db, "test:b", { ...limit, now: at(0) })).allowed).toBe(true);
    expect((await hit(db, "test:b", { ...limit, now: at(59) })).allowed).toBe(false);
    const fresh = await hit(db, "test:b", { ...limit, now: at(60) });
    expect(fresh).toMatchObject({ allowed: true, hits: 1, resetSeconds: 60 });
  });

  it("keeps keys apart", async () => {
    const db = database.db;
    const limit = { limit: 1, windowSeconds: 60, now: at(0) };
    expect((await hit(db, "test:c1", limit)).allowed).toBe(true);
    expect((await hit(db, "test:c2", limit)).allowed).toBe(true);
    expect((await hit(db, "test:c1", limit)).allowed).toBe(false);
  });

  it("counts concurrent hits exactly (one atomic statement per hit)", async () => {
    const db = database.db;
    const limit = { limit: 10, windowSeconds: 60, now: at(0) };
    const results = await Promise.all(Array.from({ length: 25 }, () => hit(db, "test:concurrent", limit)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.map((r) => r.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});

describe("pruneRateLimits", () => {
  it("deletes windows older than a day and keeps recent ones", async () => {
    const db = database.db;
    await hit(db, "test:old", { limit: 5, windowSeconds: 60, now: at(-2 * 86400) });
    await hit(db, "test:recent", { limit: 5, windowSeconds: 60, now: at(-3600) });
    expect(await pruneRateLimits(db, t0)).toBeGreaterThanOrEqual(1);
    const keys = (await queryRows<{ key: string }>(db, sql`select key from rate_limits`)).map((r) => r.key);
    expect(keys).not.toContain("test:old");
    expect(keys).toContain("test:recent");
  });
});
