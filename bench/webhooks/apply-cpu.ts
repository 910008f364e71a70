// CPU per applied Redsys notification, without HTTP and Next: the adapter's verification, then
// applyProviderEvent on PostgreSQL, in this process. The full bench (run.ts) answers "how many
// per second beside the empty route"; this one answers "what does the apply path itself cost",
// and it stays readable when other work loads the machine, because it counts CPU time, not
// requests per second. Run it in two copies of the tree (one with a change, one without) to
// measure the change: bench/webhooks/findings.md.
//
//   npx tsx bench/webhooks/apply-cpu.ts [--notifications 6000] [--warmup 1500] [--concurrency 8] [--duplicates 0.1]
//
// PostgreSQL: TEST_DATABASE_URL if set, else a throwaway cluster (scripts/testing/postgres.ts).
// Prints one JSON line with the figures; exit status 1 when the books do not add up.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), "..", "..");

// lib/ modules import "server-only", which loads only under the react-server condition.
if (!process.execArgv.some((arg) => arg.includes("react-server"))) {
  const child = spawnSync(process.execPath, [...process.execArgv, "--conditions=react-server", here, ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: root,
  });
  process.exit(child.status ?? 1);
}

const { values: args } = parseArgs({
  options: {
    notifications: { type: "string", default: "6000" },
    warmup: { type: "string", default: "1500" },
    concurrency: { type: "string", default: "8" },
    duplicates: { type: "string", default: "0.1" },
  },
});
const settings = {
  notifications: bounded("notifications", args.notifications, 100, 200_000),
  warmup: bounded("warmup", args.warmup, 0, 50_000),
  concurrency: bounded("concurrency", args.concurrency, 1, 64),
  duplicateShare: bounded("duplicates", args.duplicates, 0, 0.9),
};

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return value;
}

const DATABASE_NAME = "bench_webhooks_apply";

async function main(): Promise<boolean> {
  const pg = (await import("pg")).default;
  const { createTestDatabase, startTestPostgres } = await import("../../scripts/testing/postgres");
  const { openDatabase } = await import("../../db/client");
  const { applyProviderEvent } = await import("../../lib/after-payment");
  const { createRedsysProvider } = await import("../../lib/payments/providers/redsys");
  const { sandboxCredentials } = await import("../../scripts/sandbox-env");
  const { checkBooks, seedAttempts, successNotification } = await import("./app");
  const { findPostmaster, sampleCpu } = await import("./cpu");

  const serverUrl = process.env.TEST_DATABASE_URL;
  const postgres = serverUrl ? { url: serverUrl, stop: async () => {} } : await startTestPostgres();
  const url = await createTestDatabase(postgres.url, DATABASE_NAME);
  const database = await openDatabase({ databaseDriver: "pg", DATABASE_URL: url, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
  const client = new pg.Client({ connectionString: url });
  try {
    await database.migrate();
    await client.connect();
    const total = settings.warmup + settings.notifications;
    await seedAttempts(client, total);
    const redsys = createRedsysProvider({
      mode: "sandbox",
      merchantCode: sandboxCredentials.redsysMerchantCode,
      terminal: sandboxCredentials.redsysTerminal,
      secretKey: sandboxCredentials.redsysSecretKey,
      baseUrl: "http://127.0.0.1:9/redsys",
    });
    const now = new Date();
    const bodies = Array.from({ length: total }, (_, i) => successNotification(i + 1, now));
    const postgresPid = findPostmaster(Number(new URL(postgres.url).port || 5432));

    // Verification alone: the adapter's signature check and parsing, for every notification.
    const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
    const verifyStart = process.cpuUsage();
    const events: Awaited<ReturnType<typeof redsys.parseWebhook>> = [];
    for (const n of bodies) events.push(...(await redsys.parseWebhook({ rawBody: n.body, headers })));
    const verifyCpu = process.cpuUsage(verifyStart);

    let next = 0;
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const applied: number[] = [];
    const tally = { applied: 0, duplicate: 0, unexpected: 0 };
    async function drive(until: number): Promise<number> {
      let count = 0;
      const lane = async () => {
        while (next < until) {
          const repeat = applied.length > 0 && random() < settings.duplicateShare;
          const index = repeat ? applied[Math.floor(random() * applied.length)]! : next++;
          const { result } = await applyProviderEvent(database.db, events[index]!, "webhook");
          count += 1;
          if (repeat ? result === "duplicate" : result === "applied") tally[repeat ? "duplicate" : "applied"] += 1;
          else tally.unexpected += 1;
          if (!repeat) applied.push(index);
        }
      };
      await Promise.all(Array.from({ length: settings.concurrency }, lane));
      return count;
    }

    await drive(settings.warmup);
    const before = sampleCpu(undefined, postgresPid);
    const appBefore = process.cpuUsage();
    const started = performance.now();
    const requests = await drive(total);
    const wallMs = performance.now() - started;
    const app = process.cpuUsage(appBefore);
    const after = sampleCpu(undefined, postgresPid);

    const checks = await checkBooks(
      client,
      bodies.map((b) => b.order),
    );
    const ok = checks.every((c) => c.ok) && tally.unexpected === 0;
    const ms = (micros: number) => Math.round((micros / 1000 / requests) * 1000) / 1000;
    console.log(
      JSON.stringify({
        settings,
        requests,
        // Over the whole run, warm-up included; every one is checked against the books below.
        answers: { applied: tally.applied, duplicate: tally.duplicate, unexpected: tally.unexpected },
        perNotificationMs: {
          verify: Math.round(((verifyCpu.user + verifyCpu.system) / 1000 / total) * 1000) / 1000,
          applyApp: ms(app.user + app.system),
          applyAppKernel: ms(app.system),
          applyPostgres: Math.round(((after.postgres - before.postgres) / requests) * 1000) / 1000,
        },
        inProcessPerSecond: Math.round((requests / wallMs) * 1000),
        booksOk: ok,
        failedChecks: checks.filter((c) => !c.ok),
      }),
    );
    return ok;
  } finally {
    await client.end().catch(() => {});
    await database.close();
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`drop database if exists "${DATABASE_NAME}" with (force)`).finally(() => admin.end());
    await postgres.stop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
