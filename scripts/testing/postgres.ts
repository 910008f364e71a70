// A real PostgreSQL for the tests: the one TEST_DATABASE_URL names, or a throwaway cluster started
// here from the machine's PostgreSQL binaries (initdb in a temp dir, loopback only, fsync off).
// Used by the vitest global setup, scripts/test.ts and the e2e setup.
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { openDatabase, type Database } from "@/db/client";

const run = promisify(execFile);

export type TestPostgres = { url: string; stop(): Promise<void> };
/** A cluster of one's own, which a fault test may crash (immediate stop, as a power cut) and start again. */
export type OwnTestPostgres = TestPostgres & { crash(): Promise<void>; restart(): Promise<void> };

const NOT_FOUND =
  "No PostgreSQL found for the database tests: install Debian's postgresql package (apt-get install -y postgresql), " +
  "or set PG_BIN to a folder holding initdb and pg_ctl, or set TEST_DATABASE_URL to a server you run.";

export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env.TEST_DATABASE_URL?.trim();
  if (given) {
    await checkAnswers(given);
    return { url: given, stop: async () => {} };
  }
  return startOwnTestPostgres();
}

/**
 * Always a new throwaway cluster, whatever TEST_DATABASE_URL says. `durable` keeps every commit
 * across a crash (synchronous commit), which a crash test needs; the default trades that for speed.
 */
export async function startOwnTestPostgres(settings: { durable?: boolean } = {}): Promise<OwnTestPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(NOT_FOUND);

  const dir = mkdtempSync(path.join(os.tmpdir(), "academy-pg-"));
  const data = path.join(dir, "data");
  // initdb and postgres refuse to run as root: hand the folder to the postgres user and run as it.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  // cwd = dir: the postgres user may not be allowed into the caller's folder.
  const pgRun = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args], { cwd: dir }) : run(path.join(bin, tool), args, { cwd: dir });

  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-k ${dir}`,
    "-c fsync=off",
    `-c synchronous_commit=${settings.durable ? "on" : "off"}`,
    "-c full_page_writes=off",
  ].join(" ");
  let started = false;
  const stopNow = () => {
    if (!started) return;
    started = false;
    try {
      const args = ["-D", data, "-m", "immediate", "stop"];
      if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, "pg_ctl"), ...args], { cwd: dir, stdio: "ignore" });
      else execFileSync(path.join(bin, "pg_ctl"), args, { cwd: dir, stdio: "ignore" });
    } catch {
      // Already gone; removing the folder below is all that is left.
    }
  };
  // A crashed or interrupted run must not leave a postgres behind.
  const onExit = () => {
    stopNow();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  try {
    await pgRun("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
    // -l sends the server's output to a file, so pg_ctl's pipes close once the server is up.
    await pgRun("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    started = true;
  } catch (error) {
    onExit();
    process.off("exit", onExit);
    throw new Error(`Could not start a test PostgreSQL from ${bin}: ${errorText(error)}`, { cause: error });
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async crash() {
      await pgRun("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
    async restart() {
      await pgRun("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    },
    async stop() {
      process.off("exit", onExit);
      if (started) {
        started = false;
        await pgRun("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => {});
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Drops (forcing off any connections) and creates a database on the server; returns its URL. */
export async function createTestDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid test database name: ${name}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function checkAnswers(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL does not answer (${redact(url)}): ${errorText(error)}`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian), else initdb on the PATH. */
function findPostgresBin(): string | undefined {
  const hasTools = (dir: string) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"));
  const fromEnv = process.env.PG_BIN?.trim();
  if (fromEnv) {
    if (!hasTools(fromEnv)) throw new Error(`PG_BIN=${fromEnv} holds no initdb and pg_ctl. ${NOT_FOUND}`);
    return fromEnv;
  }
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const bin = path.join(debian, version, "bin");
      if (hasTools(bin)) return bin;
    }
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && hasTools(dir)) return dir;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function errorText(error: unknown): string {
  const e = error as { stderr?: unknown; message?: unknown };
  const stderr = typeof e.stderr === "string" ? e.stderr.trim() : "";
  return stderr || String(e.message ?? error);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "not a URL";
  }
}

/**
 * A fresh, migrated database of its own: by default on the test server (TEST_DATABASE_URL, which
 * vitest's global setup provides) with the node-postgres driver; with `driver: "pglite"`, an
 * in-memory PGlite, the embedded database `npm run dev` uses.
 */
export async function openTestDatabase(name: string, options: { driver?: "pg" | "pglite" } = {}): Promise<Database> {
  const database =
    options.driver === "pglite"
      ? await openDatabase({ databaseDriver: "pglite", PGLITE_DIR: "memory://", DATABASE_URL: undefined, NEON_WS_PROXY: undefined })
      : await openDatabase({ databaseDriver: "pg", DATABASE_URL: await createTestDatabase(testServerUrl(), name), PGLITE_DIR: "", NEON_WS_PROXY: undefined });
  await database.migrate();
  return database;
}

function testServerUrl(): string {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set: run the tests through vitest (its global setup starts PostgreSQL).");
  return serverUrl;
}
