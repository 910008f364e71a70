// The driver tests: every driver openDatabase offers runs the migrations (twice), a transaction
// that rolls back and a unique-constraint conflict. PGlite in-process; node-postgres against the
// real PostgreSQL from the global setup; Neon's driver through the WebSocket proxy to that same
// server. Nothing here skips: without PostgreSQL the global setup fails with how to get one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startNeonWsProxy } from "../scripts/testing/neon-ws-proxy";
import { createTestDatabase } from "../scripts/testing/postgres";
import { openDatabase, type Database, type DatabaseConfig } from "./client";
import { courses } from "./schema";

type Driver = DatabaseConfig["databaseDriver"];

function config(databaseDriver: Driver, more: Partial<DatabaseConfig>): DatabaseConfig {
  return { databaseDriver, DATABASE_URL: undefined, PGLITE_DIR: "memory://", NEON_WS_PROXY: undefined, ...more };
}

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  // The global setup sets it (or fails loudly); reaching this means the setup did not run.
  if (!url) throw new Error("TEST_DATABASE_URL is not set: run the tests through vitest (its global setup starts PostgreSQL).");
  return url;
}

let unique = 0;
function course(code: string) {
  unique += 1;
  return {
    code,
    name: `Course ${code} ${unique}`,
    startDate: "2026-09-01",
    endDate: "2027-06-30",
    capacity: 12,
    enrollmentFee: 5_000,
    monthlyFee: 8_500,
  };
}

/** The PostgreSQL SQLSTATE of a driver error, which Drizzle wraps in DrizzleQueryError.cause. */
function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the query to fail, and it succeeded");
}

const migrationCount = (
  JSON.parse(readFileSync(path.join(process.cwd(), "db", "migrations", "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  }
).entries.length;

/** Rows in Drizzle's journal table; all three drivers return `{ rows }` from execute. */
async function appliedMigrations({ db }: Database): Promise<number | undefined> {
  const result = (await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as {
    rows: { n: number }[];
  };
  return result.rows[0]?.n;
}

class Rollback extends Error {}

/** The checks every driver must pass, on a database opened by `open`. */
function behavesLikePostgres(open: () => Promise<Database>) {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => {
    await database?.close();
  });

  it("applies the migrations, and applying them again changes nothing", async () => {
    await database.migrate();
    await database.migrate();
    const { db } = database;
    expect(await appliedMigrations(database)).toBe(migrationCount);
    expect(await db.select({ n: count() }).from(courses)).toEqual([{ n: 0 }]);
  });

  it("rolls back a transaction that throws", async () => {
    const { db } = database;
    const rolledBack = await failure(
      db.transaction(async (tx) => {
        await tx.insert(courses).values(course("ROLLBACK-1"));
        // Visible inside the transaction, so the insert itself worked.
        expect(await tx.select().from(courses).where(eq(courses.code, "ROLLBACK-1"))).toHaveLength(1);
        throw new Rollback("undo");
      }),
    );
    expect(rolledBack).toBeInstanceOf(Rollback);
    expect(await db.select().from(courses).where(eq(courses.code, "ROLLBACK-1"))).toHaveLength(0);
  });

  it("refuses a duplicate course code with unique_violation (23505)", async () => {
    const { db } = database;
    await db.insert(courses).values(course("UNIQUE-1"));
    const error = await failure(db.insert(courses).values(course("UNIQUE-1")));
    expect(sqlState(error)).toBe("23505");
    expect(await db.select().from(courses).where(eq(courses.code, "UNIQUE-1"))).toHaveLength(1);
  });
}

/** Two instances (as two app processes would) migrating one fresh database at the same time. */
async function migrateConcurrently(open: () => Promise<Database>) {
  const [a, b] = await Promise.all([open(), open()]);
  try {
    await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
    expect(await appliedMigrations(a)).toBe(migrationCount);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

describe("the test PostgreSQL", () => {
  it("is provided to the workers through the environment", () => {
    expect(serverUrl()).toBe(inject("testDatabaseUrl"));
  });
});

describe("PGlite in memory", () => {
  behavesLikePostgres(() => openDatabase(config("pglite", { PGLITE_DIR: "memory://" })));
});

describe("PGlite in a folder", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "academy-pglite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  behavesLikePostgres(() => openDatabase(config("pglite", { PGLITE_DIR: path.join(dir, "main") })));

  it("refuses a folder that a live process owns, naming the folder", async () => {
    const folder = path.join(dir, "owned");
    await (await openDatabase(config("pglite", { PGLITE_DIR: folder }))).close();
    // Our parent process is alive and is not us: it stands in for a dev server holding the folder.
    writeFileSync(path.join(folder, "owner.pid"), String(process.ppid));
    await expect(openDatabase(config("pglite", { PGLITE_DIR: folder }))).rejects.toThrow(folder);
  });

  it("keeps the data across close and reopen, and frees the folder on close", async () => {
    const folder = path.join(dir, "durable");
    const first = await openDatabase(config("pglite", { PGLITE_DIR: folder }));
    await first.migrate();
    await first.db.insert(courses).values(course("DURABLE-1"));
    await first.close();
    expect(() => readFileSync(path.join(folder, "owner.pid"))).toThrow();

    const second = await openDatabase(config("pglite", { PGLITE_DIR: folder }));
    try {
      await second.migrate();
      expect(await second.db.select().from(courses).where(eq(courses.code, "DURABLE-1"))).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe("node-postgres against PostgreSQL", () => {
  const open = (url: string) => openDatabase(config("pg", { DATABASE_URL: url }));
  let url = "";
  beforeAll(async () => {
    url = await createTestDatabase(serverUrl(), "academy_test_driver_pg");
  });

  behavesLikePostgres(() => open(url));

  it("lets two instances migrate a fresh database at the same time", async () => {
    const fresh = await createTestDatabase(serverUrl(), "academy_test_driver_pg_race");
    await migrateConcurrently(() => open(fresh));
  });
});

describe("Neon serverless over WebSocket to PostgreSQL", () => {
  let proxy: Awaited<ReturnType<typeof startNeonWsProxy>> | undefined;
  let url = "";
  const open = (databaseUrl: string) => openDatabase(config("neon", { DATABASE_URL: databaseUrl, NEON_WS_PROXY: proxy?.host }));
  beforeAll(async () => {
    proxy = await startNeonWsProxy();
    url = await createTestDatabase(serverUrl(), "academy_test_driver_neon");
  });
  afterAll(async () => {
    await proxy?.close();
  });

  behavesLikePostgres(() => open(url));

  it("lets two instances migrate a fresh database at the same time", async () => {
    const fresh = await createTestDatabase(serverUrl(), "academy_test_driver_neon_race");
    await migrateConcurrently(() => open(fresh));
  });
});
