// What the webhook benchmark runs against: `next start` on a free loopback port with the Redsys
// sandbox credentials and a PostgreSQL database, the bench's rows (seeded set-based, in a few
// statements), the signed notifications it sends, and the checks on the books afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, readFileSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import pg from "pg";
import { encodeParameters, signForNotification } from "../../sandbox/redsys/signature";
import { sandboxCredentials } from "../../scripts/sandbox-env";

export const AMOUNT = 10_000;
/** The year of the bench's receipt series: far from any real one. */
const SERIES_YEAR = 2099;

// --- the server -------------------------------------------------------------------------------

export type AppServer = { port: number; pid: number; logFile: string; stop(): Promise<void> };

/** The route handler must be in the build the server serves; a build older than the route lacks it. */
export function buildHasRoutes(root: string, routes: string[]): string[] {
  const manifest = path.join(root, distDir(), "app-path-routes-manifest.json");
  if (!existsSync(manifest)) return routes;
  const known = Object.keys(JSON.parse(readFileSync(manifest, "utf8")) as Record<string, string>);
  return routes.filter((route) => !known.includes(route));
}

/** The build folder: `.next` unless NEXT_DIST_DIR names another (next.config.ts reads the same variable). */
export function distDir(): string {
  return process.env.NEXT_DIST_DIR || ".next";
}

export function appEnv(databaseUrl: string, port: number): NodeJS.ProcessEnv {
  // Only what the app needs, so variables from the caller's shell (another provider's keys, a
  // PGlite folder) cannot change what is measured.
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "TZ"];
  const base = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  return {
    ...base,
    NODE_ENV: "production",
    // The demo accounts and the sandbox, on a production build.
    ALLOW_DEMO_ACCOUNTS: "true",
    ALLOW_TEST_PAYMENTS: "true",
    APP_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    DEMO_SEED: "never",
    AUTH_SECRET: "bench-auth-secret-0123456789abcdefghijklmnop",
    APP_ENCRYPTION_KEY: "0123456789abcdef".repeat(4),
    REDSYS_MERCHANT_CODE: sandboxCredentials.redsysMerchantCode,
    REDSYS_TERMINAL: sandboxCredentials.redsysTerminal,
    REDSYS_SECRET_KEY: sandboxCredentials.redsysSecretKey,
    // Never called for notifications; it makes the adapter's mode "sandbox" like the seeded attempts.
    REDSYS_BASE_URL: "http://127.0.0.1:9/redsys",
    NEXT_TELEMETRY_DISABLED: "1",
    // `next start` serves the build from the folder next.config.ts names.
    ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
  };
}

/** With `profileDir`, the server writes a V8 CPU profile there when it stops (for finding where the time goes). */
export async function startApp(root: string, databaseUrl: string, logFile: string, profileDir?: string): Promise<AppServer> {
  const port = await freePort();
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const log = openSync(logFile, "w");
  // Its own process group, so stopping it stops whatever it started too.
  const profile = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    env: appEnv(databaseUrl, port),
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (!pid) throw new Error("next start did not start");
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));

  const stop = async () => {
    if (exited) return;
    signalGroup(pid, "SIGTERM");
    const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 10_000);
    await exitedPromise;
    clearTimeout(timer);
    // The group may outlive its leader for a moment.
    signalGroup(pid, "SIGKILL");
  };

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`next start exited before serving; see ${logFile}:\n${tail(logFile)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer /api/health within 120 s; see ${logFile}:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, pid, logFile, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
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

// --- the rows ---------------------------------------------------------------------------------

/** The Redsys order of the bench's i-th attempt: 4 digits, then [0-9A-Za-z], 12 in all. */
export function benchOrder(i: number): string {
  return `${String(i % 10_000).padStart(4, "0")}BW${String(i).padStart(6, "0")}`;
}

/**
 * `count` pending receipts (numbered 2099-000001…), each with one redirected Redsys attempt whose
 * order is benchOrder(i): what the app has after `count` payers went to the Redsys page.
 */
export async function seedAttempts(client: pg.Client, count: number): Promise<void> {
  if (count > 999_999) throw new Error("at most 999999 receipts in the bench series");
  const students = Math.min(500, count);
  await client.query("begin");
  await client.query(
    `insert into students (first_name, last_name, email)
     select 'Bench', 'Student ' || i, 'bench' || i || '@example.test' from generate_series(1, $1::int) i`,
    [students],
  );
  await client.query(
    `with s as (select array_agg(id order by last_name) as ids from students where first_name = 'Bench')
     insert into receipts (number, series_year, series_number, kind, student_id, concept, amount, currency, due_date, payer_name, payer_email)
     select $2::int || '-' || lpad(i::text, 6, '0'), $2::int, i, 'other', s.ids[1 + i % cardinality(s.ids)],
            'Bench receipt ' || i, $3::int, 'EUR', current_date + 30, 'Bench Payer ' || i, 'payer' || i || '@example.test'
     from generate_series(1, $1::int) i, s`,
    [count, SERIES_YEAR, AMOUNT],
  );
  await client.query(
    `insert into receipt_number_series (year, last_number) values ($1::int, $2::int)
     on conflict (year) do update set last_number = excluded.last_number`,
    [SERIES_YEAR, count],
  );
  await client.query(
    `insert into payment_attempts (receipt_id, provider, method, mode, amount, currency, status, provider_ref)
     select r.id, 'redsys', 'redsys', 'sandbox', r.amount, r.currency, 'redirected',
            lpad((r.series_number % 10000)::text, 4, '0') || 'BW' || lpad(r.series_number::text, 6, '0')
     from receipts r where r.series_year = $1::int`,
    [SERIES_YEAR],
  );
  await client.query("commit");
  // Fresh statistics, so the planner uses the indexes from the first request on.
  await client.query("analyze");
}

// --- the notifications ------------------------------------------------------------------------

export type Notification = { index: number; order: string; body: string };

/** The success notification Redsys would send for the bench's i-th attempt, signed as Redsys signs. */
export function successNotification(i: number, now: Date): Notification {
  const order = benchOrder(i);
  const params = {
    Ds_Date: `${pad(now.getUTCDate())}/${pad(now.getUTCMonth() + 1)}/${now.getUTCFullYear()}`,
    Ds_Hour: `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}`,
    Ds_Amount: String(AMOUNT),
    Ds_Currency: "978",
    Ds_Order: order,
    Ds_MerchantCode: sandboxCredentials.redsysMerchantCode,
    Ds_Terminal: "001",
    Ds_Response: "0000",
    Ds_TransactionType: "0",
    Ds_SecurePayment: "1",
    Ds_AuthorisationCode: String(100_000 + (i % 900_000)),
  };
  const merchantParameters = encodeParameters(params);
  const body = new URLSearchParams({
    Ds_SignatureVersion: "HMAC_SHA256_V1",
    Ds_MerchantParameters: merchantParameters,
    Ds_Signature: signForNotification(sandboxCredentials.redsysSecretKey, order, merchantParameters),
  }).toString();
  return { index: i, order, body };
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

// --- the checks -------------------------------------------------------------------------------

export type BookCheck = { name: string; expected: number; actual: number; ok: boolean };

/**
 * After the load: every distinct notification that was sent paid exactly its receipt, once, with
 * one audit line, one inbox row and one e-mail; nothing else was paid or flagged.
 */
export async function checkBooks(client: pg.Client, sentOrders: string[]): Promise<BookCheck[]> {
  const n = sentOrders.length;
  const one = async (sql: string, values: unknown[] = []) => Number((await client.query<{ n: string }>(sql, values)).rows[0]?.n ?? NaN);
  const checks: [string, number, number][] = [
    ["receipts paid (all receipts)", n, await one(`select count(*) as n from receipts where status = 'paid'`)],
    [
      "sent orders whose receipt is paid and attempt succeeded",
      n,
      await one(
        `select count(*) as n from payment_attempts a join receipts r on r.id = a.receipt_id
         where a.provider = 'redsys' and a.provider_ref = any($1::text[]) and a.status = 'succeeded' and r.status = 'paid'`,
        [sentOrders],
      ),
    ],
    ["attempts succeeded (all attempts)", n, await one(`select count(*) as n from payment_attempts where status = 'succeeded'`)],
    ["'receipt.paid' audit events", n, await one(`select count(*) as n from audit_events where action = 'receipt.paid'`)],
    [
      "receipts with more than one 'receipt.paid' audit event",
      0,
      await one(`select count(*) as n from (select receipt_id from audit_events where action = 'receipt.paid' group by receipt_id having count(*) > 1) x`),
    ],
    ["inbox rows (provider_events)", n, await one(`select count(*) as n from provider_events where provider = 'redsys'`)],
    ["inbox rows applied", n, await one(`select count(*) as n from provider_events where provider = 'redsys' and outcome = 'applied'`)],
    ["'payment received' e-mails queued", n, await one(`select count(*) as n from messages where template = 'payment_received'`)],
    ["needs-attention items", 0, await one(`select count(*) as n from attention_items`)],
  ];
  return checks.map(([name, expected, actual]) => ({ name, expected, actual, ok: expected === actual }));
}
