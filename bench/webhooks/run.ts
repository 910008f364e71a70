// Webhook throughput: valid, deduplicated Redsys notifications against `next start` + PostgreSQL,
// beside the empty route (GET /api/health) on the same server in the same run.
//
//   npx tsx bench/webhooks/run.ts [--duration 20] [--warmup 5] [--concurrency 16] [--rounds 2]
//                                 [--receipts 40000] [--duplicates 0.1] [--keep-db] [--profile DIR]
//
// Starts (or, with TEST_DATABASE_URL, reuses) PostgreSQL, creates a fresh database, starts the
// production build on a free loopback port, seeds receipts with redirected Redsys attempts, and
// measures a closed loop of `concurrency` keep-alive clients for `duration` seconds per route
// after a warm-up, in alternating rounds: GET /api/health, and POST /api/webhooks/redsys with
// signed success notifications, a share of which repeat one already answered (each must answer
// 200 and change nothing). Then it checks the books and writes bench/results/webhooks.{json,md}. Everything it
// started is stopped on the way out, whatever happens. The target: the webhook route sustains at
// least half the empty route's throughput, so verified, stored, transactional notifications cost
// little more than answering at all.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { createTestDatabase, startTestPostgres, type TestPostgres } from "../../scripts/testing/postgres";
import { buildHasRoutes, checkBooks, distDir, seedAttempts, startApp, successNotification, type AppServer, type BookCheck, type Notification } from "./app";
import { addCpu, cpuSpent, cpuUse, findPostmaster, noCpu, sampleCpu, type CpuUse } from "./cpu";
import { mergeResults, runClosedLoop, type Answer, type LoadOptions, type LoadResult, type RequestSpec } from "./load";

const TARGET_RATIO = 0.5;
const DATABASE_NAME = "bench_webhooks";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    warmup: { type: "string", default: "5" },
    concurrency: { type: "string", default: "16" },
    receipts: { type: "string", default: "40000" },
    duplicates: { type: "string", default: "0.1" },
    rounds: { type: "string", default: "2" },
    "keep-db": { type: "boolean", default: false },
    /** A folder for a V8 CPU profile of the server (written when it stops). */
    profile: { type: "string" },
  },
});
const settings = {
  durationSeconds: bounded("duration", args.duration, 1, 300),
  warmupSeconds: bounded("warmup", args.warmup, 0, 60),
  concurrency: bounded("concurrency", args.concurrency, 1, 256),
  receipts: bounded("receipts", args.receipts, 10, 999_999),
  duplicateShare: bounded("duplicates", args.duplicates, 0, 0.9),
  rounds: bounded("rounds", args.rounds, 1, 10),
};

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return value;
}

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

// --- the phases --------------------------------------------------------------------------------

type Phase = Omit<LoadResult, "latencies"> & { cpu: CpuUse };

/** One route's load: its request source and what its answers must look like. */
type Load<T extends RequestSpec> = Pick<LoadOptions<T>, "next" | "check">;

/**
 * Warms both routes up, then measures them in alternating slices (health, webhook, webhook,
 * health, …) so that a burst of someone else's work on the machine weighs on both alike.
 */
async function measureBoth(
  ctx: { app: AppServer; postgresPid: number | undefined; connections: () => Promise<number> },
  routes: { health: Load<RequestSpec>; webhook: Load<WebhookRequest> },
): Promise<{ health: Phase; webhook: Phase; appConnections: number }> {
  const shape = { port: ctx.app.port, concurrency: settings.concurrency, maxRequests: 1_000_000, timeoutMs: 10_000 };
  const run = <T extends RequestSpec>(load: Load<T>, seconds: number) => runClosedLoop({ ...load, ...shape, durationMs: seconds * 1000 });
  if (settings.warmupSeconds > 0) {
    for (const name of ["health", "webhook"] as const) {
      const warm = await (name === "health" ? run(routes.health, settings.warmupSeconds) : run(routes.webhook, settings.warmupSeconds));
      console.log(`  ${name} warm-up: ${warm.requests} requests, ${warm.requestsPerSecond.toFixed(0)}/s`);
    }
  }
  const parts = { health: [] as LoadResult[], webhook: [] as LoadResult[] };
  const cpu = { health: noCpu, webhook: noCpu };
  const slice = settings.durationSeconds / settings.rounds;
  let appConnections = 0;
  for (let round = 0; round < settings.rounds; round += 1) {
    const order = round % 2 === 0 ? (["health", "webhook"] as const) : (["webhook", "health"] as const);
    for (const name of order) {
      const before = sampleCpu(ctx.app.pid, ctx.postgresPid);
      const part = await (name === "health" ? run(routes.health, slice) : run(routes.webhook, slice));
      cpu[name] = addCpu(cpu[name], cpuSpent(before, sampleCpu(ctx.app.pid, ctx.postgresPid)));
      parts[name].push(part);
      // Right after a webhook slice, before idle connections time out: how many the server used.
      if (name === "webhook") appConnections = Math.max(appConnections, await ctx.connections());
      console.log(
        `  round ${round + 1} ${name}: ${part.requestsPerSecond.toFixed(0)}/s, p99 ${part.latencyMs.p99} ms, statuses ${JSON.stringify(part.statuses)}`,
      );
    }
  }
  const phase = (name: "health" | "webhook"): Phase => {
    const { latencies: _latencies, ...merged } = mergeResults(parts[name]);
    return { ...merged, cpu: cpuUse(cpu[name], merged.requests) };
  };
  return { health: phase("health"), webhook: phase("webhook"), appConnections };
}

type WebhookRequest = RequestSpec & { kind: "fresh" | "duplicate"; notification: Notification };

async function main() {
  console.log(`bench/webhooks: ${JSON.stringify(settings)}`);

  const dist = distDir();
  if (!existsSync(path.join(root, dist, "BUILD_ID"))) {
    console.log(`No production build in ${dist}: running \`next build\`…`);
    // NEXT_DIST_DIR is inherited, so the build lands where it is looked for.
    const built = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, stdio: "inherit" });
    if (built.status !== 0) throw new Error("next build failed");
  }
  const missing = buildHasRoutes(root, ["/api/health/route", "/api/webhooks/redsys/route"]);
  if (missing.length > 0) {
    throw new Error(`The build in ${dist} has no ${missing.join(", ")}: it predates the route. Rebuild with \`npx next build\` and run again.`);
  }

  const postgres: TestPostgres = await startTestPostgres();
  cleanups.push(() => postgres.stop());
  const databaseUrl = await createTestDatabase(postgres.url, DATABASE_NAME);
  if (!args["keep-db"]) {
    cleanups.push(async () => {
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`drop database if exists "${DATABASE_NAME}" with (force)`).finally(() => admin.end());
    });
  }
  const postgresPid = findPostmaster(Number(new URL(postgres.url).port || 5432));

  const logFile = path.join(os.tmpdir(), `bench-webhooks-next-${process.pid}.log`);
  console.log(`Starting next start (log: ${logFile})…`);
  const app = await startApp(root, databaseUrl, logFile, args.profile ? path.resolve(args.profile) : undefined);
  cleanups.push(() => app.stop());
  console.log(`  serving on 127.0.0.1:${app.port} (pid ${app.pid}); PostgreSQL pid ${postgresPid ?? "unknown"}`);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  cleanups.push(() => client.end());
  const seedStarted = performance.now();
  await seedAttempts(client, settings.receipts);
  const now = new Date();
  const notifications = Array.from({ length: settings.receipts }, (_, i) => successNotification(i + 1, now));
  console.log(
    `Seeded ${settings.receipts} receipts with redirected Redsys attempts and signed their notifications in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );

  // Over the whole run, warm-up included: the checks below must see every answer.
  const whole = { serverErrors: 0, networkErrors: 0, unexpected: 0 };
  const tally = (answer: Answer | Error, ok: boolean) => {
    if (answer instanceof Error) whole.networkErrors += 1;
    else if (answer.status >= 500) whole.serverErrors += 1;
    if (!ok) whole.unexpected += 1;
    return ok;
  };
  const random = mulberry32(4);
  let nextFresh = 0;
  const answered: Notification[] = [];
  const sent = { fresh: 0, duplicate: 0 };
  const unexpectedSamples: string[] = [];
  const webhookHeaders = { "content-type": "application/x-www-form-urlencoded" };
  const webhookLoad: Load<WebhookRequest> = {
    next: () => {
      if (answered.length > 0 && random() < settings.duplicateShare) {
        const notification = answered[Math.floor(random() * answered.length)]!;
        sent.duplicate += 1;
        return { method: "POST", path: "/api/webhooks/redsys", headers: webhookHeaders, body: notification.body, kind: "duplicate", notification };
      }
      const notification = notifications[nextFresh];
      if (!notification) return undefined;
      nextFresh += 1;
      sent.fresh += 1;
      return { method: "POST", path: "/api/webhooks/redsys", headers: webhookHeaders, body: notification.body, kind: "fresh", notification };
    },
    check: (request, answer) => {
      const expected = request.kind === "fresh" ? '"applied"' : '"duplicate"';
      const ok = !(answer instanceof Error) && answer.status === 200 && answer.body.includes(expected);
      if (ok && request.kind === "fresh") answered.push(request.notification);
      if (!ok && unexpectedSamples.length < 5) {
        unexpectedSamples.push(
          `${request.kind} ${request.notification.order}: ${answer instanceof Error ? answer.message : `${answer.status} ${answer.body.slice(0, 200)}`}`,
        );
      }
      return tally(answer, ok);
    },
  };
  const healthLoad: Load<RequestSpec> = {
    next: () => ({ method: "GET", path: "/api/health" }),
    check: (_request, answer) => tally(answer, !(answer instanceof Error) && answer.status === 200 && answer.body.includes('"ok":true')),
  };

  console.log("Measuring GET /api/health (empty route) and POST /api/webhooks/redsys");
  // The server's connections to its database (its pool, plus the job queue's where it runs one):
  // the pool's size caps how many webhook transactions run at once.
  const connections = async () =>
    Number(
      (await client.query<{ n: string }>(`select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`)).rows[0]
        ?.n ?? 0,
    );
  const { health, webhook, appConnections } = await measureBoth({ app, postgresPid, connections }, { health: healthLoad, webhook: webhookLoad });
  const sentInRun = { fresh: sent.fresh, duplicate: sent.duplicate };

  if (unexpectedSamples.length > 0) console.log(`  unexpected answers, e.g.:\n    ${unexpectedSamples.join("\n    ")}`);
  // Requests during the warm-up count too: the books must show every notification ever sent.
  const sentOrders = notifications.slice(0, nextFresh).map((n) => n.order);

  const checks: BookCheck[] = [
    ...(await checkBooks(client, sentOrders)),
    { name: "5xx answers (both routes, whole run)", expected: 0, actual: whole.serverErrors, ok: whole.serverErrors === 0 },
    { name: "network errors and timeouts (both routes, whole run)", expected: 0, actual: whole.networkErrors, ok: whole.networkErrors === 0 },
    { name: "answers not as expected: status, or applied/duplicate (whole run)", expected: 0, actual: whole.unexpected, ok: whole.unexpected === 0 },
    { name: "webhook phase ran out of fresh notifications", expected: 0, actual: webhook.ranDry ? 1 : 0, ok: !webhook.ranDry },
  ];

  const ratio = webhook.requestsPerSecond / health.requestsPerSecond;
  const results = {
    benchmark: "bench/webhooks",
    date: new Date().toISOString(),
    machine: await machineInfo(client, appConnections),
    settings,
    health: { route: "GET /api/health", ...health },
    webhook: {
      route: "POST /api/webhooks/redsys",
      ...webhook,
      notifications: { distinctSent: sentInRun.fresh, duplicatesSent: sentInRun.duplicate },
    },
    ratio: round(ratio, 3),
    target: { ratioAtLeast: TARGET_RATIO, met: ratio >= TARGET_RATIO },
    checks,
    checksPassed: checks.every((c) => c.ok),
    unexpectedSamples,
  };

  const outDir = path.join(root, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "webhooks.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(outDir, "webhooks.md"), markdown(results));
  console.log(
    `\nwebhook ${webhook.requestsPerSecond.toFixed(0)}/s (p99 ${webhook.latencyMs.p99} ms) vs empty route ${health.requestsPerSecond.toFixed(0)}/s ` +
      `(p99 ${health.latencyMs.p99} ms): ratio ${ratio.toFixed(3)}, target ≥ ${TARGET_RATIO} ${results.target.met ? "met" : "NOT met"}; ` +
      `book checks ${results.checksPassed ? "passed" : "FAILED"}.\nWrote bench/results/webhooks.json and webhooks.md`,
  );
  return results.checksPassed;
}

async function machineInfo(client: pg.Client, appConnections: number) {
  const cpus = os.cpus();
  const nextVersion = (JSON.parse(readFileSync(path.join(root, "node_modules", "next", "package.json"), "utf8")) as { version: string }).version;
  const postgresVersion = (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? "unknown";
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    next: nextVersion,
    postgres: postgresVersion,
    appDatabasePool: `${appConnections} connections from the server to its database right after a webhook slice`,
    commit: gitCommit(),
    loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
  };
}

function gitCommit(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return "unknown (not a git checkout)";
  }
}

function markdown(r: {
  date: string;
  machine: Awaited<ReturnType<typeof machineInfo>>;
  settings: typeof settings;
  health: Phase & { route: string };
  webhook: Phase & { route: string; notifications: { distinctSent: number; duplicatesSent: number } };
  ratio: number;
  target: { ratioAtLeast: number; met: boolean };
  checks: BookCheck[];
  checksPassed: boolean;
  unexpectedSamples: string[];
}): string {
  const row = (p: Phase & { route: string }) =>
    `| \`${p.route}\` | ${p.requests} | ${p.requestsPerSecond.toFixed(1)} | ${p.latencyMs.p50} | ${p.latencyMs.p95} | ${p.latencyMs.p99} | ${p.latencyMs.max} | ${p.serverErrors} | ${p.networkErrors} |`;
  const cpuRow = (name: string, p: Phase) =>
    `| ${name} | ${p.cpu.perRequestMs.app} (${pct(p.cpu.kernelShare.app)} kernel) | ${p.cpu.perRequestMs.postgres} (${pct(p.cpu.kernelShare.postgres)} kernel) | ` +
    `${p.cpu.perRequestMs.loadGenerator} | ${p.cpu.perRequestMs.other} | ${p.cpu.coresBusy.machine} |`;
  const pct = (share: number) => `${Math.round(share * 100)}%`;
  const m = r.machine;
  const s = r.settings;
  return [
    "# Webhook throughput (bench/webhooks)",
    "",
    `Run ${r.date} with \`npx tsx bench/webhooks/run.ts\`. Closed loop, ${s.concurrency} keep-alive clients on loopback, ` +
      `${s.warmupSeconds} s warm-up per route, then ${s.durationSeconds} s measured per route in ${s.rounds} alternating rounds, ` +
      `the same server and database for both.`,
    "",
    "| route | requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | 5xx | network errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    row(r.health),
    row(r.webhook),
    "",
    `**Ratio webhook / empty route: ${r.ratio.toFixed(3)}** — target ≥ ${r.target.ratioAtLeast}: **${r.target.met ? "met" : "not met"}**.`,
    "",
    `Webhook requests over the whole run (warm-up included): ${r.webhook.notifications.distinctSent} distinct success notifications, each paying ` +
      `one receipt, and ${r.webhook.notifications.duplicatesSent} repeats of one already answered (share ${s.duplicateShare}), each answered 200 "duplicate".`,
    "",
    "## Where the CPU went (per request, from /proc)",
    "",
    "| route | app server ms | PostgreSQL ms | load generator ms | other processes ms | machine cores busy |",
    "|---|---:|---:|---:|---:|---:|",
    cpuRow("health", r.health),
    cpuRow("webhook", r.webhook),
    "",
    `"Other processes" is whatever else ran on the machine meanwhile; the machine has ${m.cores} cores, which the server, PostgreSQL and the load generator share.`,
    "",
    `## Book checks after the webhook run: ${r.checksPassed ? "all passed" : "FAILED"}`,
    "",
    "| check | expected | actual | |",
    "|---|---:|---:|---|",
    ...r.checks.map((c) => `| ${c.name} | ${c.expected} | ${c.actual} | ${c.ok ? "ok" : "**FAIL**"} |`),
    ...(r.unexpectedSamples.length > 0 ? ["", "Unexpected answers (first few):", "", ...r.unexpectedSamples.map((x) => `- \`${x}\``)] : []),
    "",
    "## Machine",
    "",
    `- ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}`,
    `- Node ${m.node}, Next ${m.next}, PostgreSQL ${m.postgres}; app database pool: ${m.appDatabasePool}`,
    `- code: ${m.commit}; load average at the end: ${m.loadAverageAtEnd.join(", ")}`,
    "",
  ].join("\n");
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

main()
  .then(async (ok) => {
    await cleanup();
    process.exit(ok ? 0 : 1);
  })
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await cleanup();
    process.exit(1);
  });
