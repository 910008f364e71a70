// Dashboard benchmark: list pages against their SQL alone, and the CSV export's memory; started
// by run.ts (see there why).
//
// 1. PostgreSQL (TEST_DATABASE_URL, or a throwaway cluster), a fresh database, N generated
//    receipts (seed.ts); `next start` of the production build in NEXT_DIST_DIR (default .next)
//    on a free loopback port; a signed staff session cookie (a next-auth JWT signed with the
//    server's AUTH_SECRET, as sign-in would set it).
// 2. For the receipts list's first page, a filtered page (status + method + issue month) and
//    page 500 (its cursor found by following 499 keyset cursors first): the HTTP request of the
//    page and, in the same run, the SQL alone — the same query functions the page calls, with the
//    same arguments, through the same driver (node-postgres pool) — alternating, `reps` times
//    each after a warm-up. Median and p95; the ratio HTTP/SQL against the target (≤ 3). EXPLAIN
//    ANALYZE of each query, to say which index is used or missing.
// 3. The CSV export of ~100,000 rows (a date range chosen so), streamed from the route while
//    the server's memory is sampled from /proc (VmRSS every 50 ms; VmHWM reset first where the
//    kernel allows), beside a ~10,000-row export: flat memory means the peaks do not grow with
//    the rows. Rows per second, and the row count checked against the database.
// 4. Writes bench/results/dashboard.md and .json; stops everything it started, also on failure.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { encode } from "next-auth/jwt";
import pg from "pg";
import { drizzle } from "drizzle-orm/node-postgres";
import { encodeCursor } from "@/app/admin/(dashboard)/receipts/search-params";
import { openDatabase, type Db } from "@/db/client";
import { getDashboardReceiptTotals, listDashboardReceipts, type ReceiptCursor, type ReceiptFilter } from "@/db/queries/dashboard-receipts";
import { readSetting } from "@/db/queries/settings";
import { findActiveStaff } from "@/db/queries/staff";
import * as schema from "@/db/schema";
import { settingKeys } from "@/lib/settings/schemas";
import { createTestDatabase, startTestPostgres } from "@/scripts/testing/postgres";
import { BENCH_STAFF_ID, seedDashboard } from "./seed";

const TARGET_RATIO = 3;
const PAGE_SIZE = 25; // as app/admin/(dashboard)/receipts/page.tsx
const DATABASE_NAME = "bench_dashboard";
const TIME_ZONE = "Europe/Madrid";
const AUTH_SECRET = "bench-auth-secret-0123456789abcdefghijklmnop";
const root = process.cwd();
const distDir = process.env.NEXT_DIST_DIR || ".next";

const { values: args } = parseArgs({
  options: {
    receipts: { type: "string", default: "1000000" },
    reps: { type: "string", default: "15" },
    warmup: { type: "string", default: "3" },
    "export-rows": { type: "string", default: "100000" },
    "keep-db": { type: "boolean", default: false },
    /** Rewrite dashboard.md from dashboard.json without measuring (after changing the report). */
    "report-only": { type: "boolean", default: false },
  },
});
const settings = {
  receipts: bounded("receipts", args.receipts, 1_000, 5_000_000),
  reps: bounded("reps", args.reps, 3, 200),
  warmup: bounded("warmup", args.warmup, 0, 50),
  exportRows: bounded("export-rows", args["export-rows"], 1_000, 1_000_000),
};

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return value;
}

const log = (line: string) => console.log(line);

// --- everything started here is stopped here --------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch((error: unknown) => console.error("cleanup:", error));
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping what the bench started…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// --- the server -------------------------------------------------------------------------------

type App = { port: number; pid: number; stop(): Promise<void> };

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

async function startApp(databaseUrl: string, logFile: string): Promise<App> {
  const port = await freePort();
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "TZ"];
  const base = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  const log = openSync(logFile, "w");
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: root,
      env: {
        ...base,
        NODE_ENV: "production",
        // The demo accounts and the sandbox, on a production build.
        ALLOW_DEMO_ACCOUNTS: "true",
        ALLOW_TEST_PAYMENTS: "true",
        NEXT_DIST_DIR: distDir,
        APP_URL: `http://127.0.0.1:${port}`,
        DATABASE_URL: databaseUrl,
        DEMO_SEED: "never",
        AUTH_SECRET,
        APP_ENCRYPTION_KEY: "0123456789abcdef".repeat(4),
        NEXT_TELEMETRY_DISABLED: "1",
      },
      detached: true,
      stdio: ["ignore", log, log],
    },
  );
  closeSync(log);
  const pid = child.pid;
  if (!pid) throw new Error("next start did not start");
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (exited) return;
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 10_000);
    await exitedPromise;
    clearTimeout(timer);
    signal("SIGKILL");
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`next start exited before serving; see ${logFile}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer /api/health within 120 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, pid, stop };
}

// --- memory from /proc ------------------------------------------------------------------------

/** The processes of the server's group (next start may run its server in a child). */
function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command (which may hold spaces) start after the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function memoryKb(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** The group's biggest process: the one that serves (its RSS dwarfs a launcher's). */
function serverPid(pgid: number): number {
  const pids = groupPids(pgid);
  return pids.reduce((best, pid) => (memoryKb(pid).rss > memoryKb(best).rss ? pid : best), pids[0] ?? pgid);
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, own processes); false where not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

// --- statistics -------------------------------------------------------------------------------

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}
function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, n: sorted.length };
}
const ms = (value: number) => value.toFixed(1);

// --- the page's SQL, as the page runs it --------------------------------------------------------

type Case = { name: string; label: string; query: Record<string, string>; filter: ReceiptFilter; after?: ReceiptCursor };

/**
 * The SQL the receipts page (and its layout) sends for one request, through the same functions
 * and in the same order: the session check (layout and page at once), the academy's settings,
 * then the page and the totals at once. The critical path, as on the server.
 */
async function pageSql(db: Db, c: Case) {
  await Promise.all([findActiveStaff(db, BENCH_STAFF_ID), findActiveStaff(db, BENCH_STAFF_ID)]);
  await readSetting(db, settingKeys.academy);
  return Promise.all([listDashboardReceipts(db, { filter: c.filter, after: c.after, limit: PAGE_SIZE }), getDashboardReceiptTotals(db, c.filter)]);
}

function pageUrl(port: number, c: Case): string {
  const params = new URLSearchParams(c.query);
  if (c.after) params.set("after", encodeCursor(c.after));
  const text = params.toString();
  return `http://127.0.0.1:${port}/admin/receipts${text ? `?${text}` : ""}`;
}

async function timeHttp(url: string, cookie: string): Promise<{ ms: number; status: number; rows: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const body = await response.text();
  const elapsed = performance.now() - started;
  return { ms: elapsed, status: response.status, rows: (body.match(/data-testid="receipt-row"/g) ?? []).length };
}

// --- main -------------------------------------------------------------------------------------

async function main() {
  if (args["report-only"]) {
    const saved = JSON.parse(readFileSync(path.join(root, "bench", "results", "dashboard.json"), "utf8")) as Result;
    writeFileSync(path.join(root, "bench", "results", "dashboard.md"), report(saved));
    log("Rewrote bench/results/dashboard.md from dashboard.json");
    return;
  }
  log(`bench/dashboard: ${JSON.stringify(settings)}, build ${distDir}`);
  if (!existsSync(path.join(root, distDir, "BUILD_ID"))) {
    log(`No production build in ${distDir}: running \`next build\`…`);
    const built = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (built.status !== 0) throw new Error("next build failed");
  }
  const manifest = JSON.parse(readFileSync(path.join(root, distDir, "app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
  for (const route of ["/admin/(dashboard)/receipts/page", "/admin/(dashboard)/receipts/export/route"]) {
    if (!(route in manifest)) throw new Error(`The build in ${distDir} has no ${route}: rebuild (NEXT_DIST_DIR=${distDir} npx next build).`);
  }

  const postgres = await startTestPostgres();
  cleanups.push(() => postgres.stop());
  const databaseUrl = await createTestDatabase(postgres.url, DATABASE_NAME);
  if (!args["keep-db"]) {
    cleanups.push(async () => {
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`drop database if exists "${DATABASE_NAME}" with (force)`).finally(() => admin.end());
    });
  }

  const logFile = path.join(os.tmpdir(), `bench-dashboard-next-${process.pid}.log`);
  log(`Starting next start (log: ${logFile})…`);
  const app = await startApp(databaseUrl, logFile);
  cleanups.push(() => app.stop());
  log(`  serving on 127.0.0.1:${app.port} (process group ${app.pid})`);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  cleanups.push(() => client.end());
  log(`Seeding ${settings.receipts} receipts…`);
  const seedStarted = performance.now();
  await seedDashboard(client, settings.receipts, log);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const [{ n: receiptCount }] = (await client.query<{ n: number }>("select count(*)::int as n from receipts")).rows as [{ n: number }];
  log(`  ${receiptCount} receipts in ${seedSeconds.toFixed(0)} s`);

  // The same driver as the app (node-postgres through db/client.ts), a pool of its own.
  const database = await openDatabase({ databaseDriver: "pg", DATABASE_URL: databaseUrl, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
  cleanups.push(() => database.close());
  const db = database.db;

  const token = await encode({
    token: { sub: BENCH_STAFF_ID, name: "Bench Staff", email: "bench@academia.test", role: "staff", signedInAt: Date.now() },
    secret: AUTH_SECRET,
    salt: "authjs.session-token",
  });
  const cookie = `authjs.session-token=${token}`;

  // The cases. The filtered page: paid by Bizum, issued in the month three months ago.
  const [{ month }] = (await client.query<{ month: string }>(`select to_char((now() at time zone $1) - interval '3 months', 'YYYY-MM') as month`, [TIME_ZONE]))
    .rows as [{ month: string }];
  const [{ last }] = (
    await client.query<{ last: string }>(`select to_char((($1 || '-01')::date + interval '1 month' - interval '1 day'), 'YYYY-MM-DD') as last`, [month])
  ).rows as [{ last: string }];
  const cases: Case[] = [
    { name: "first", label: "(a) first page, no filter", query: {}, filter: { timeZone: TIME_ZONE } },
    {
      name: "filtered",
      label: `(b) status=paid, method=bizum, issued ${month}`,
      query: { status: "paid", method: "bizum", from: `${month}-01`, to: last },
      filter: { timeZone: TIME_ZONE, status: "paid", method: "bizum", issuedFrom: `${month}-01`, issuedTo: last },
    },
  ];
  // Page 500: follow 499 cursors, as "next" would.
  let after: ReceiptCursor | undefined;
  const walkStarted = performance.now();
  for (let page = 1; page < 500; page++) {
    const result = await listDashboardReceipts(db, { filter: { timeZone: TIME_ZONE }, after, limit: PAGE_SIZE });
    if (!result.next) throw new Error(`only ${page} pages`);
    after = result.next;
  }
  log(`  followed 499 keyset cursors in ${((performance.now() - walkStarted) / 1000).toFixed(1)} s`);
  cases.push({ name: "page500", label: "(c) page 500, no filter (keyset cursor)", query: {}, filter: { timeZone: TIME_ZONE }, after });

  // The session works: a page, not a redirect to sign-in.
  const probe = await timeHttp(pageUrl(app.port, cases[0]!), cookie);
  if (probe.status !== 200 || probe.rows !== PAGE_SIZE) throw new Error(`the signed-in page answered ${probe.status} with ${probe.rows} rows; see ${logFile}`);

  type CaseResult = {
    name: string;
    label: string;
    url: string;
    rows: number;
    totalCount: number;
    http: ReturnType<typeof summary>;
    sql: ReturnType<typeof summary>;
    ratioMedian: number;
    ratioP95: number;
    plans: { query: string; plan: string }[];
  };
  const results: CaseResult[] = [];
  for (const c of cases) {
    const url = pageUrl(app.port, c);
    const [page, totals] = await pageSql(db, c);
    for (let i = 0; i < settings.warmup; i++) {
      await timeHttp(url, cookie);
      await pageSql(db, c);
    }
    const http: number[] = [];
    const sqlTimes: number[] = [];
    // Alternating, so whatever else runs on the machine weighs on both alike.
    for (let i = 0; i < settings.reps; i++) {
      const answer = await timeHttp(url, cookie);
      if (answer.status !== 200 || answer.rows !== page.rows.length)
        throw new Error(`${c.name}: HTTP ${answer.status}, ${answer.rows} rows (SQL gave ${page.rows.length})`);
      http.push(answer.ms);
      const started = performance.now();
      await pageSql(db, c);
      sqlTimes.push(performance.now() - started);
    }
    const plans = await explainPage(databaseUrl, c);
    const h = summary(http);
    const s = summary(sqlTimes);
    results.push({
      name: c.name,
      label: c.label,
      url: url.replace(/^http:\/\/127\.0\.0\.1:\d+/, ""),
      rows: page.rows.length,
      totalCount: totals.count,
      http: h,
      sql: s,
      ratioMedian: h.median / s.median,
      ratioP95: h.p95 / s.p95,
      plans,
    });
    log(
      `  ${c.label}: HTTP median ${ms(h.median)} ms (p95 ${ms(h.p95)}), SQL median ${ms(s.median)} ms (p95 ${ms(s.p95)}), ratio ${(h.median / s.median).toFixed(2)}`,
    );
  }

  // --- the export ---
  const exportResult = await measureExports(app, client, cookie);

  const result = {
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "?", memoryGb: Math.round(os.totalmem() / 2 ** 30), load: os.loadavg() },
    settings,
    receipts: receiptCount,
    seedSeconds,
    targetRatio: TARGET_RATIO,
    cases: results,
    export: exportResult,
  };
  writeFileSync(path.join(root, "bench", "results", "dashboard.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(root, "bench", "results", "dashboard.md"), report(result));
  log("Wrote bench/results/dashboard.md and dashboard.json");
  const ok = results.every((r) => r.ratioMedian <= TARGET_RATIO) && exportResult.runs.every((r) => r.ok);
  log(ok ? "Target met." : "Target NOT met (see the results).");
}

/** EXPLAIN ANALYZE of the list and totals queries the page sends, captured through Drizzle's logger. */
async function explainPage(databaseUrl: string, c: Case): Promise<{ query: string; plan: string }[]> {
  const captured: { sql: string; params: unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const spy = drizzle({ client: pool, schema, casing: "snake_case", logger: { logQuery: (sql, params) => captured.push({ sql, params }) } }) as unknown as Db;
    await listDashboardReceipts(spy, { filter: c.filter, after: c.after, limit: PAGE_SIZE });
    await getDashboardReceiptTotals(spy, c.filter);
    const plans: { query: string; plan: string }[] = [];
    for (const [i, q] of captured.entries()) {
      const { rows } = await pool.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers, costs off) ${q.sql}`, q.params);
      plans.push({ query: i === 0 ? "list (page of 25 + 1)" : "totals (count and sum per currency)", plan: rows.map((r) => r["QUERY PLAN"]).join("\n") });
    }
    return plans;
  } finally {
    await pool.end();
  }
}

type ExportRun = {
  label: string;
  url: string;
  expectedRows: number;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  hwmAfterMb: number;
  hwmReset: boolean;
  ok: boolean;
};

async function measureExports(app: App, client: pg.Client, cookie: string): Promise<{ serverPid: number; runs: ExportRun[] }> {
  const pid = serverPid(app.pid);
  const runs: ExportRun[] = [];
  for (const target of [Math.round(settings.exportRows / 10), settings.exportRows]) {
    // The day from which the newest `target` receipts were issued (whole days, so about that many).
    const { rows } = await client.query<{ day: string }>(
      `select to_char(issued_at at time zone $2, 'YYYY-MM-DD') as day from receipts order by issued_at desc, id desc offset $1 limit 1`,
      [target - 1, TIME_ZONE],
    );
    const day = rows[0]!.day;
    const [{ n: expectedRows }] = (
      await client.query<{ n: number }>(`select count(*)::int as n from receipts where issued_at >= ($1::date::timestamp at time zone $2)`, [day, TIME_ZONE])
    ).rows as [{ n: number }];
    const url = `/admin/receipts/export?from=${day}`;
    global.gc?.();
    await new Promise((r) => setTimeout(r, 1_000));
    const before = memoryKb(pid);
    const hwmReset = resetPeak(pid);
    let peak = before.rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memoryKb(pid).rss);
    }, 50);
    const started = performance.now();
    let lines = 0;
    let bytes = 0;
    try {
      const response = await fetch(`http://127.0.0.1:${app.port}${url}`, { headers: { cookie } });
      if (response.status !== 200 || !response.body) throw new Error(`export answered ${response.status}`);
      // Count CRLF line ends as the bytes arrive; nothing is kept.
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        for (let i = 0; i < value.length; i++) if (value[i] === 0x0a) lines += 1;
      }
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    const after = memoryKb(pid);
    peak = Math.max(peak, after.rss);
    const dataRows = lines - 1; // the header
    const run: ExportRun = {
      label: `${expectedRows.toLocaleString("en")} rows (issued from ${day})`,
      url,
      expectedRows,
      rows: dataRows,
      bytes,
      seconds,
      rowsPerSecond: dataRows / seconds,
      rssBeforeMb: before.rss / 1024,
      rssPeakMb: peak / 1024,
      rssAfterMb: after.rss / 1024,
      hwmAfterMb: after.hwm / 1024,
      hwmReset,
      ok: dataRows === expectedRows,
    };
    runs.push(run);
    log(
      `  export ${run.label}: ${run.rows} rows in ${seconds.toFixed(1)} s (${run.rowsPerSecond.toFixed(0)}/s), RSS ${run.rssBeforeMb.toFixed(0)} → peak ${run.rssPeakMb.toFixed(0)} MB (VmHWM ${run.hwmAfterMb.toFixed(0)} MB${hwmReset ? ", reset before" : ""})`,
    );
  }
  return { serverPid: pid, runs };
}

type Result = {
  when: string;
  machine: { cpus: number; model: string; memoryGb: number; load: number[] };
  settings: typeof settings;
  receipts: number;
  seedSeconds: number;
  targetRatio: number;
  cases: {
    name: string;
    label: string;
    url: string;
    rows: number;
    totalCount: number;
    http: ReturnType<typeof summary>;
    sql: ReturnType<typeof summary>;
    ratioMedian: number;
    ratioP95: number;
    plans: { query: string; plan: string }[];
  }[];
  export: { serverPid: number; runs: ExportRun[] };
};

/** Which index each query's plan uses, and which one would help where the plan scans or filters rows. */
function indexNotes(c: Result["cases"][number]): string {
  const notes = c.plans.map((p) => {
    const used = [...new Set([...p.plan.matchAll(/(?:Index (?:Only )?Scan(?: Backward)?|Bitmap Index Scan) (?:using|on) (\w+)/g)].map((m) => m[1]))];
    const removed = Number(/Rows Removed by Filter: (\d+)/.exec(p.plan)?.[1] ?? 0);
    const time = /Execution Time: ([\d.]+) ms/.exec(p.plan)?.[1];
    const parts = [`${p.query} ${time ? `${time} ms` : ""}: ${used.length ? used.map((u) => `\`${u}\``).join(", ") : "no index"}`];
    if (/Seq Scan on receipts/.test(p.plan)) {
      parts.push(
        "a (parallel) sequential scan of every receipt; no index can make an exact count and sum of the whole table cheap — a covering index `receipts (currency) include (amount)` would allow an index-only scan (smaller pages read), caching the unfiltered totals for a minute would remove it",
      );
    }
    if (removed > 1_000 && /Filter: .*(status|paid_method)/.test(p.plan)) {
      parts.push(
        `${removed.toLocaleString("en")} rows read and discarded by the status/method filter — an index \`receipts (status, paid_method, issued_at)\` would read only the matching rows`,
      );
    }
    return parts.join("; ");
  });
  return notes.join(". ");
}

function report(r: Result): string {
  const lines: string[] = [];
  const verdict = r.cases.every((c) => c.ratioMedian <= r.targetRatio) ? "met" : "NOT met";
  lines.push("# Dashboard benchmark: the receipts list and the CSV export at 1,000,000 receipts");
  lines.push("");
  lines.push(
    `Run ${r.when} with \`NEXT_DIST_DIR=… npx tsx bench/dashboard/run.ts\` (${JSON.stringify(r.settings)}): ${r.receipts.toLocaleString("en")} receipts seeded in ${r.seedSeconds.toFixed(0)} s. Machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memoryGb} GB, load average at the end ${r.machine.load.map((l) => l.toFixed(1)).join(" / ")} (the machine is shared: other sessions' builds and tests ran too).`,
  );
  lines.push("");
  lines.push(`## List pages within ${r.targetRatio}× their SQL — ${verdict}`);
  lines.push("");
  lines.push(
    "HTTP = the whole request of `GET /admin/receipts…` to `next start` with a signed-in staff session (session check, settings, the page of 25, the totals, rendering, transfer). SQL = the same query functions with the same arguments through the same driver (node-postgres pool, `db/client.ts`) in the same run, on the page's critical path: the session check (layout and page at once), the academy's settings, then the page and its totals at once. Alternating, after a warm-up; times in ms.",
  );
  lines.push("");
  lines.push("| case | rows / filter total | HTTP median | HTTP p95 | SQL median | SQL p95 | ratio (median) | ratio (p95) | target |");
  lines.push("|---|---|---|---|---|---|---|---|---|");
  for (const c of r.cases) {
    lines.push(
      `| ${c.label} | ${c.rows} / ${c.totalCount.toLocaleString("en")} | ${ms(c.http.median)} | ${ms(c.http.p95)} | ${ms(c.sql.median)} | ${ms(c.sql.p95)} | **${c.ratioMedian.toFixed(2)}** | ${c.ratioP95.toFixed(2)} | ${c.ratioMedian <= r.targetRatio ? "≤ 3 ✔" : "> 3 ✘"} |`,
    );
  }
  lines.push("");
  lines.push("### Query plans and indexes");
  lines.push("");
  for (const c of r.cases) {
    lines.push(`- ${c.label}: ${indexNotes(c)}.`);
  }
  lines.push("");
  lines.push(
    "Where the time goes: the page of 25 is a keyset read of `receipts_issued_idx` (backward, from the cursor), so page 500 costs what page 1 costs; the rest of the SQL time is the filter's totals (count and sum of every matching row), which grows with the rows the filter matches. The indexes above are proposed here, not added: each is a schema change with its own migration and write cost. Plans in full below.",
  );
  lines.push("");
  lines.push("## The CSV export streams with flat memory");
  lines.push("");
  lines.push(
    `\`GET /admin/receipts/export?from=…\` streamed to the bench, which counts lines as bytes arrive and keeps nothing. Memory of the serving process (pid ${r.export.serverPid}), sampled from \`/proc/<pid>/status\` every 50 ms: VmRSS before, the highest VmRSS seen during, VmRSS after, and VmHWM after (reset to the current RSS before each export through \`/proc/<pid>/clear_refs\` where the kernel allows, so it is the peak of that export).`,
  );
  lines.push("");
  lines.push("| export | rows (database) | rows (file) | MB | seconds | rows/s | RSS before MB | RSS peak MB | RSS after MB | VmHWM after MB | ok |");
  lines.push("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const e of r.export.runs) {
    lines.push(
      `| ${e.label} | ${e.expectedRows} | ${e.rows} | ${(e.bytes / 2 ** 20).toFixed(1)} | ${e.seconds.toFixed(1)} | ${e.rowsPerSecond.toFixed(0)} | ${e.rssBeforeMb.toFixed(0)} | ${e.rssPeakMb.toFixed(0)} | ${e.rssAfterMb.toFixed(0)} | ${e.hwmAfterMb.toFixed(0)}${e.hwmReset ? "" : " (not reset)"} | ${e.ok ? "✔" : "✘"} |`,
    );
  }
  const [small, big] = r.export.runs;
  if (small && big) {
    lines.push("");
    lines.push(
      `Growth of the peak over the RSS before: ${(small.rssPeakMb - small.rssBeforeMb).toFixed(0)} MB for ${small.rows.toLocaleString("en")} rows, ${(big.rssPeakMb - big.rssBeforeMb).toFixed(0)} MB for ${big.rows.toLocaleString("en")} rows (${(big.bytes / 2 ** 20).toFixed(0)} MB of CSV). Flat memory means the second is not ten times the first: the route holds one batch of 1,000 rows at a time and pulls the next only when the client has read the last.`,
    );
  }
  lines.push("");
  lines.push("## Plans (EXPLAIN ANALYZE, BUFFERS)");
  for (const c of r.cases) {
    for (const p of c.plans) {
      lines.push("");
      lines.push(`### ${c.label}: ${p.query}`);
      lines.push("");
      lines.push("```");
      lines.push(p.plan);
      lines.push("```");
    }
  }
  lines.push("");
  return lines.join("\n");
}

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    console.error(error);
    await cleanup();
    process.exit(1);
  });
