// The database connection: PGlite embedded in this process (default), node-postgres for a
// postgres:// URL, or Neon's serverless Pool over WebSocket. One Drizzle type for all three.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { databaseConfigFrom, type DatabaseConfig, type DatabaseDriver } from "./config";
import * as schema from "./schema";

export type { DatabaseConfig, DatabaseDriver } from "./config";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** A function that works inside or outside a transaction takes this. */
export type DbOrTx = Db | Tx;

export type Database = {
  db: Db;
  driver: DatabaseDriver;
  /** The embedded instance (pglite driver only): the job queue shares its single connection. */
  pglite?: PGlite;
  migrate(): Promise<void>;
  close(): Promise<void>;
};

const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");
/** Any constant: every instance that migrates takes this advisory lock first. */
const MIGRATION_LOCK = 727_001;

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  switch (config.databaseDriver) {
    case "pglite":
      return openPglite(config.PGLITE_DIR);
    case "pg":
      return openNodePostgres(requireUrl(config));
    case "neon":
      return openNeon(requireUrl(config), config.NEON_WS_PROXY);
  }
}

function requireUrl(config: DatabaseConfig): string {
  if (!config.DATABASE_URL) throw new Error(`DATABASE_URL is required for the ${config.databaseDriver} driver`);
  return config.DATABASE_URL;
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const releaseLock = dir.startsWith("memory://") ? () => {} : claimDataFolder(dir);
  const client = await PGlite.create(dir).catch((error: unknown) => {
    releaseLock();
    throw error;
  });
  const db = drizzle({ client, schema, casing: "snake_case" });
  return {
    db,
    driver: "pglite",
    pglite: client,
    migrate: () => migrate(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    async close() {
      await client.close();
      releaseLock();
    },
  };
}

/**
 * PGlite has no file lock and two writers silently lose rows, so this process claims the folder
 * with a pid file and refuses one that a live process holds.
 */
function claimDataFolder(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockFile = path.join(dir, "owner.pid");
  for (;;) {
    try {
      // "wx" creates the file only if it is absent: of two processes starting at once, one wins.
      writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(readFileSync(lockFile, "utf8").trim());
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new Error(`The embedded database in ${dir} is in use by process ${owner}. Stop it first (only one process may own the folder).`);
    }
    // Left behind by a process that is gone (or by this one): take it over.
    rmSync(lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A connection the server drops (a restart, a failover, a crash) emits "error"; with no listener
 * that is an uncaught exception and the whole app process dies. The query that was running fails
 * on its own (its transaction rolls back, the request answers 5xx); the pool drops the connection
 * and opens a new one for the next query. Idle connections report through the pool, checked-out
 * ones through the client itself, so both get a listener.
 */
function keepConnectionLossesFromCrashing(pool: {
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "connect", listener: (client: { on(event: "error", listener: (error: Error) => void): unknown }) => void): unknown;
}): void {
  const report = (error: Error) => console.error(`Database connection lost: ${error.message}`);
  pool.on("error", report);
  pool.on("connect", (client) => client.on("error", report));
}

async function openNodePostgres(url: string): Promise<Database> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new Pool({ connectionString: url, max: 10 });
  keepConnectionLossesFromCrashing(pool);
  const db = drizzle({ client: pool, schema, casing: "snake_case" });
  return {
    db,
    driver: "pg",
    migrate: () =>
      withMigrationLock(
        () => pool.connect(),
        (client) => migrate(drizzle({ client, casing: "snake_case" }), { migrationsFolder: MIGRATIONS_FOLDER }),
      ),
    close: () => pool.end(),
  };
}

async function openNeon(url: string, localProxy: string | undefined): Promise<Database> {
  const { Pool, neonConfig } = await import("@neondatabase/serverless");
  const { drizzle } = await import("drizzle-orm/neon-serverless");
  const { migrate } = await import("drizzle-orm/neon-serverless/migrator");
  const { default: WebSocket } = await import("ws");
  neonConfig.webSocketConstructor = WebSocket;
  if (localProxy) {
    // A plain-WebSocket proxy in front of an ordinary PostgreSQL (see scripts/testing/neon-ws-proxy.ts).
    neonConfig.wsProxy = (host, port) => `${localProxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
  const pool = new Pool({ connectionString: url, max: 10 });
  keepConnectionLossesFromCrashing(pool);
  const db = drizzle({ client: pool, schema, casing: "snake_case" });
  return {
    db,
    driver: "neon",
    migrate: () =>
      withMigrationLock(
        () => pool.connect(),
        (client) => migrate(drizzle({ client, casing: "snake_case" }), { migrationsFolder: MIGRATIONS_FOLDER }),
      ),
    close: () => pool.end(),
  };
}

type LockableClient = { query(text: string, values: unknown[]): Promise<unknown>; release(): void };

/**
 * Runs the migrations on one dedicated connection holding an advisory lock, so instances that
 * start together take turns (the second finds nothing left to do).
 */
async function withMigrationLock<C extends LockableClient>(connect: () => Promise<C>, run: (client: C) => Promise<void>): Promise<void> {
  const client = await connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await run(client);
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

type Global = typeof globalThis & { __academyDatabase?: Promise<Database> };

/**
 * The process's database, opened once and kept on globalThis: Next bundles pages and route
 * handlers separately, and two PGlite instances on one folder would corrupt it.
 */
export function database(): Promise<Database> {
  const g = globalThis as Global;
  g.__academyDatabase ??= openDatabase(databaseConfigFrom(process.env)).catch((error: unknown) => {
    g.__academyDatabase = undefined;
    throw error;
  });
  return g.__academyDatabase;
}

export async function getDb(): Promise<Db> {
  return (await database()).db;
}

/**
 * Runs raw SQL and returns its rows. All three drivers answer with `{ rows }`, but Drizzle's
 * driver-neutral type cannot say so, hence the one cast here rather than at every caller.
 */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}
