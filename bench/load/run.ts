// `npx tsx bench/load/run.ts [--minutes 3] [--users 8]`: whole enrollment-and-payment flows,
// `users` at a time in a closed loop for `minutes`, against two `next start` instances on one
// PostgreSQL behind a round-robin balancer, with every Redsys notification delivered twice.
// Then the books: every flow's receipt paid exactly once, one stored event per notification, no
// 5xx anywhere (our routes and the webhooks the sandbox delivered). Figures go to
// bench/results/load.md and load.json. Needs a production build (`npx next build`).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createTestDatabase, startTestPostgres } from "../../scripts/testing/postgres";
import { distDir, runJob, startCluster } from "./cluster";
import { runFlow, type FlowResult, type Timing } from "./flow";

const root = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({ options: { minutes: { type: "string", default: "3" }, users: { type: "string", default: "8" } } });
const minutes = Number(values.minutes);
const users = Number(values.users);
if (!(minutes > 0) || !(users > 0)) throw new Error("--minutes and --users must be positive numbers");

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The wizard's submit action, found in the build's own list of server actions by its export. */
function submitActionId(): string {
  const manifest = JSON.parse(readFileSync(path.join(root, distDir(), "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName?: string }>;
  };
  const entry = Object.entries(manifest.node).find(([, action]) => action.exportedName === "submitEnrollmentAction");
  if (!entry) throw new Error("submitEnrollmentAction is not in the build's server reference manifest");
  return entry[0];
}

const logDir = mkdtempSync(path.join(os.tmpdir(), "bench-load-"));
const postgres = await startTestPostgres();
const databaseUrl = await createTestDatabase(postgres.url, "academy_load");
console.log(`PostgreSQL ready; logs in ${logDir}. Starting the sandbox, two app instances and the balancer…`);
const cluster = await startCluster(root, databaseUrl, logDir);
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();

try {
  // A course with room for everyone, so every flow ends in a seat and a payment.
  const course = await client.query<{ id: string }>(
    `insert into courses (code, name, description, schedule, start_date, end_date, capacity, enrollment_fee, monthly_fee, status)
     values ('CARGA', 'Curso de carga', 'Para la prueba de carga', 'L-X 18:00', current_date + 30, current_date + 300, 1000000, 4000, 6500, 'open') returning id`,
  );
  // Every notification twice: the duplicates must be recognised, never paid again.
  await fetch(`${cluster.sandboxUrl}/_control/faults/redsys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ twice: true }),
  });
  const actionId = submitActionId();
  const receiptOfLink = async (hash: string) =>
    (await client.query<{ receipt_id: string }>("select receipt_id from payment_links where token_hash = $1", [hash])).rows[0]?.receipt_id;

  console.log(`Running ${users} users for ${minutes} min through ${cluster.url}…`);
  const results: FlowResult[] = [];
  let index = 0;
  const started = Date.now();
  const deadline = started + minutes * 60_000;
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (Date.now() < deadline) {
        const i = index++;
        try {
          results.push(
            await runFlow({ url: cluster.url, courseCode: "CARGA", courseId: course.rows[0]!.id, submitActionId: actionId, index: i, receiptOfLink }),
          );
        } catch (error) {
          results.push({ ok: false, error: String(error), timings: [] });
        }
        if (results.length % 50 === 0) console.log(`  ${results.length} flows…`);
      }
    }),
  );
  const elapsedSeconds = (Date.now() - started) / 1000;

  // Let the last duplicate notifications land, then run what the workers would run anyway.
  await new Promise((r) => setTimeout(r, 5_000));
  await runJob(cluster.url, "deliver-messages");

  const completed = results.filter((r) => r.ok);
  const receiptIds = completed.map((r) => r.receiptId!);
  const books = (
    await client.query<{
      receipts: number;
      paid: number;
      succeeded_attempts: number;
      paid_audits: number;
      stored_events: number;
      receipts_paid_twice: number;
      attention: number;
    }>(
      `select
         count(*)::int as receipts,
         count(*) filter (where r.status = 'paid')::int as paid,
         (select count(*)::int from payment_attempts a where a.receipt_id = any($1) and a.status = 'succeeded') as succeeded_attempts,
         (select count(*)::int from audit_events e where e.receipt_id = any($1) and e.action = 'receipt.paid') as paid_audits,
         (select count(*)::int from provider_events p join payment_attempts a on a.id = p.attempt_id where a.receipt_id = any($1)) as stored_events,
         (select count(*)::int from (select receipt_id from payment_attempts where receipt_id = any($1) and status = 'succeeded' group by receipt_id having count(*) > 1) d) as receipts_paid_twice,
         (select count(*)::int from attention_items where receipt_id = any($1)) as attention
       from receipts r where r.id = any($1)`,
      [receiptIds],
    )
  ).rows[0]!;
  const confirmed = (
    await client.query<{ n: number }>(
      "select count(*)::int as n from enrollments e join receipts r on r.enrollment_id = e.id where r.id = any($1) and e.status = 'confirmed'",
      [receiptIds],
    )
  ).rows[0]!.n;
  const deliveries = (await (await fetch(`${cluster.sandboxUrl}/_control/deliveries?provider=redsys`)).json()) as {
    data: { state: string; attempts?: { status?: number }[] }[];
  };
  const webhookStatuses = deliveries.data.flatMap((d) => (d.attempts ?? []).map((a) => a.status ?? 0));

  const timings: Timing[] = results.flatMap((r) => r.timings);
  const routes = [...new Set(timings.map((t) => t.route))];
  const perRoute = routes.map((route) => {
    const ms = timings
      .filter((t) => t.route === route)
      .map((t) => t.ms)
      .sort((a, b) => a - b);
    const statuses = timings.filter((t) => t.route === route).map((t) => t.status);
    return {
      route,
      requests: ms.length,
      p50: percentile(ms, 50),
      p95: percentile(ms, 95),
      p99: percentile(ms, 99),
      max: ms.at(-1) ?? 0,
      errors5xx: statuses.filter((s) => s >= 500).length,
    };
  });
  const serverErrors = perRoute.reduce((sum, r) => sum + r.errors5xx, 0) + webhookStatuses.filter((s) => s >= 500).length;

  const checks = [
    { name: "flows completed", expected: results.length, actual: completed.length },
    { name: "their receipts paid", expected: completed.length, actual: books.paid },
    { name: "enrollments confirmed", expected: completed.length, actual: confirmed },
    { name: "succeeded attempts (one per receipt)", expected: completed.length, actual: books.succeeded_attempts },
    { name: "receipts paid twice", expected: 0, actual: books.receipts_paid_twice },
    { name: "'paid' audit events (one per receipt)", expected: completed.length, actual: books.paid_audits },
    { name: "needs-attention items", expected: 0, actual: books.attention },
    { name: "webhook deliveries made by the sandbox (two per payment)", expected: 2 * completed.length, actual: webhookStatuses.length },
    {
      name: "webhook deliveries answered 2xx (the repeat as a duplicate)",
      expected: webhookStatuses.length,
      actual: webhookStatuses.filter((s) => s >= 200 && s < 300).length,
    },
    { name: "5xx answers (pages, API, webhooks)", expected: 0, actual: serverErrors },
  ].map((c) => ({ ...c, ok: c.expected === c.actual }));

  const figures = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    users,
    minutes,
    elapsedSeconds,
    flows: results.length,
    completed: completed.length,
    flowsPerMinute: (completed.length / elapsedSeconds) * 60,
    forwardedPerInstance: cluster.forwarded,
    failures: results
      .filter((r) => !r.ok)
      .slice(0, 10)
      .map((r) => r.error),
    perRoute,
    checks,
    // Webhook events plus the return page's and reconciliation's own look-ups: stored once each.
    storedProviderEvents: books.stored_events,
  };
  mkdirSync(path.join(root, "bench", "results"), { recursive: true });
  writeFileSync(path.join(root, "bench", "results", "load.json"), `${JSON.stringify(figures, null, 2)}\n`);
  const ms = (n: number) => n.toFixed(0);
  const md = [
    "# Load: whole enrollment-and-payment flows on two instances",
    "",
    `Run ${figures.date} with \`npx tsx bench/load/run.ts --minutes ${minutes} --users ${users}\` on ${figures.machine}, Node ${figures.node}.`,
    "Two `next start` instances of the production build on one PostgreSQL, behind a round-robin balancer on loopback;",
    "the provider sandbox delivers every Redsys notification **twice**. Each flow: catalog, wizard page, submit (server action),",
    "payment page, checkout, paying on the sandbox's card page, return page, then polling the API until the receipt is paid.",
    "Everything (load client, balancer, sandbox, both instances, PostgreSQL) shares this machine's cores.",
    "",
    `**${figures.completed} complete flows in ${elapsedSeconds.toFixed(0)} s: ${figures.flowsPerMinute.toFixed(1)} flows per minute** with ${users} concurrent payers`,
    `(requests per instance: ${cluster.forwarded.join(" / ")}).`,
    "",
    "| check | expected | actual | |",
    "|---|---:|---:|---|",
    ...checks.map((c) => `| ${c.name} | ${c.expected} | ${c.actual} | ${c.ok ? "ok" : "**FAILED**"} |`),
    "",
    "| route | requests | p50 ms | p95 ms | p99 ms | max ms | 5xx |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...perRoute.map((r) => `| ${r.route} | ${r.requests} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors5xx} |`),
    "",
    `Provider events stored for these receipts: ${books.stored_events} (each notification once, plus the return page's own look-ups at the provider when it got there before the webhook).`,
    "",
    figures.failures.length ? `First failures: ${figures.failures.map((f) => `\`${f}\``).join("; ")}` : "No flow failed.",
    "",
  ].join("\n");
  writeFileSync(path.join(root, "bench", "results", "load.md"), md);
  console.log(md);
  process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
} finally {
  await client.end();
  await cluster.stop();
  await postgres.stop();
}
