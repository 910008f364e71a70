// Monthly issuing at scale: issueMonth for 10,000 generated enrollments beside a single raw
// INSERT … SELECT of the same rows into a copy of the receipts table, on the same database in the
// same run; then a second issue of a month already issued, which must issue 0.
//
//   npx tsx bench/monthly/run.ts [--enrollments 10000] [--repetitions 7]
//
// Starts (or, with TEST_DATABASE_URL, reuses) PostgreSQL, creates the database `bench_monthly`,
// generates the academy in set-based statements, times each repetition on a month of its own
// (issueMonth, then the raw copy of the rows it issued), checks the books and writes
// bench/results/monthly.md. Target: median issueMonth ≤ 2 × median raw insert, so issuing a
// month costs little more than writing its rows.
// lib/ modules import "server-only", which only loads under the react-server condition: the
// script re-runs itself with it (as `npm run dev` does with tsx --conditions=react-server).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), "..", "..");

if (!process.execArgv.some((arg) => arg.includes("react-server"))) {
  const child = spawnSync(process.execPath, [...process.execArgv, "--conditions=react-server", here, ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: root,
  });
  process.exit(child.status ?? 1);
}

const TARGET_RATIO = 2;
const DATABASE_NAME = "bench_monthly";

const { values: args } = parseArgs({
  options: {
    enrollments: { type: "string", default: "10000" },
    repetitions: { type: "string", default: "7" },
  },
});
const enrollmentCount = bounded("enrollments", args.enrollments, 10, 200_000);
const repetitions = bounded("repetitions", args.repetitions, 1, 9);

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return value;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main() {
  const { startTestPostgres, createTestDatabase } = await import("../../scripts/testing/postgres");
  const { openDatabase, queryRows } = await import("../../db/client");
  const { issueMonth, previewMonth } = await import("../../lib/billing/monthly");
  const { sql } = await import("drizzle-orm");

  const postgres = await startTestPostgres();
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    const url = await createTestDatabase(postgres.url, DATABASE_NAME);
    database = await openDatabase({ databaseDriver: "pg", DATABASE_URL: url, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
    await database.migrate();
    const db = database.db;
    const rowsOf = <T>(query: ReturnType<typeof sql>) => queryRows<T>(db, query);

    // --- the academy: 20 courses running Sept 2029 – June 2030, one confirmed enrollment per student.
    console.log(`Generating ${enrollmentCount} enrollments…`);
    await db.execute(sql`
      insert into courses (code, name, start_date, end_date, capacity, enrollment_fee, monthly_fee, first_month_on_enrollment, status)
      select 'B' || lpad(i::text, 3, '0'), 'Curso ' || lpad(i::text, 3, '0'), '2029-09-01', '2030-06-30', 100000, 3000, 4000 + i * 250, true, 'open'
      from generate_series(1, 20) i`);
    await db.execute(sql`
      insert into students (first_name, last_name, email, locale, created_at)
      select 'Nombre' || i, 'Apellido' || lpad(i::text, 6, '0'), 'alumno' || i || '@correo.test', case when i % 9 = 0 then 'en' else 'es' end, '2029-09-01'
      from generate_series(1, ${enrollmentCount}::int) i`);
    // One in five students is a minor whose guardian pays.
    await db.execute(sql`
      insert into guardians (student_id, first_name, last_name, email, is_payer)
      select id, 'Tutor', last_name, 'tutor.' || email, true from students where right(last_name, 1) in ('0', '5')`);
    // Discounts: 10 % of enrollments 10 % off, 5 % a fixed 10 €, 1 % free (100 %: nothing to issue).
    await db.execute(sql`
      insert into enrollments (student_id, course_id, status, discount_kind, discount_value, confirmed_at, created_at)
      select s.id, c.id, 'confirmed',
        case when n % 100 = 0 then 'percent' when n % 10 = 1 then 'percent' when n % 20 = 2 then 'fixed' end::discount_kind,
        case when n % 100 = 0 then 100 when n % 10 = 1 then 10 when n % 20 = 2 then 1000 end,
        '2029-09-01', '2029-09-01'
      from (select id, row_number() over (order by last_name) as n from students) s
      join courses c on c.code = 'B' || lpad((1 + s.n % 20)::text, 3, '0')`);
    await db.execute(sql`analyze`);
    // The copy the raw insert goes into: same columns, defaults, checks, indexes and, since LIKE leaves
    // them out, the same foreign keys (to students and enrollments), so it costs what writing those
    // rows into receipts costs, and nothing of what issuing adds (candidates, numbering, audit lines).
    await db.execute(sql`create table receipts_copy (like receipts including all)`);
    await db.execute(sql`alter table receipts_copy
      add foreign key (student_id) references students (id),
      add foreign key (enrollment_id) references enrollments (id)`);
    const [expected] = await rowsOf<{ n: number }>(
      sql`select count(*)::int as n from enrollments where coalesce(discount_value, 0) <> 100 or discount_kind = 'fixed'`,
    );

    // --- the measurement: each repetition issues a month of its own, then copies the same rows raw.
    const periods = ["2029-10", "2029-11", "2029-12", "2030-01", "2030-02", "2030-03", "2030-04", "2030-05", "2030-06"].slice(0, repetitions);
    const runs: { period: string; issued: number; issueMs: number; rawMs: number; rawRows: number }[] = [];
    for (const period of periods) {
      const previewStarted = performance.now();
      const preview = await previewMonth(db, period);
      const previewMs = performance.now() - previewStarted;
      const started = performance.now();
      const result = await issueMonth(db, { period, source: "system" });
      const issueMs = performance.now() - started;
      const rawStarted = performance.now();
      const raw = await db.execute(sql`insert into receipts_copy select * from receipts where period = ${period}`);
      const rawMs = performance.now() - rawStarted;
      const rawRows = (raw as unknown as { rowCount: number }).rowCount;
      if (preview.count !== result.issued) throw new Error(`preview said ${preview.count}, issued ${result.issued}`);
      runs.push({ period, issued: result.issued, issueMs, rawMs, rawRows });
      console.log(
        `${period}: issueMonth ${ms(issueMs)} (${result.issued} receipts), raw INSERT … SELECT ${ms(rawMs)} (${rawRows} rows), preview ${ms(previewMs)}`,
      );
    }

    // --- a second run of a month already issued issues nothing; the books add up.
    const again = await issueMonth(db, { period: periods[0]!, source: "system" });
    const [books] = await rowsOf<{ receipts: number; audit: number; last: number; distinct_numbers: number; max_number: number; runs: number }>(sql`
      select (select count(*)::int from receipts) as receipts,
        (select count(*)::int from audit_events where action = 'receipt.issued') as audit,
        (select last_number from receipt_number_series order by year desc limit 1) as last,
        (select count(distinct (series_year, series_number))::int from receipts) as distinct_numbers,
        (select max(series_number) from receipts) as max_number,
        (select count(*)::int from billing_runs) as runs`);
    const checks = [
      { name: `every repetition issued ${expected!.n} receipts (10,000 minus the 100 % discounts)`, ok: runs.every((r) => r.issued === expected!.n) },
      { name: "the raw insert copied the same number of rows", ok: runs.every((r) => r.rawRows === r.issued) },
      { name: "a second issue of an issued month issues 0", ok: again.issued === 0 },
      { name: "one receipt.issued audit line per receipt", ok: books!.audit === books!.receipts },
      {
        name: "numbers gapless and unique: 1…last, each once",
        ok: books!.distinct_numbers === books!.receipts && books!.max_number === books!.last && books!.last === books!.receipts,
      },
      { name: "one billing run per issuing run that issued something", ok: books!.runs === runs.length },
    ];
    const issueMedian = median(runs.map((r) => r.issueMs));
    const rawMedian = median(runs.map((r) => r.rawMs));
    const ratio = issueMedian / rawMedian;
    const [pgVersion] = await rowsOf<{ server_version: string }>(sql`show server_version`);

    const cpus = os.cpus();
    const lines = [
      "# Monthly issuing: issueMonth beside a raw INSERT … SELECT",
      "",
      `Target: issueMonth within 2× a raw insert of the same rows. Generated by \`npx tsx bench/monthly/run.ts\` on ${new Date().toISOString()}.`,
      "",
      `| | median of ${runs.length} | target |`,
      "|---|---|---|",
      `| \`issueMonth\` (${expected!.n} receipts) | ${ms(issueMedian)} | |`,
      `| raw \`INSERT … SELECT\` of the same rows into a copy of \`receipts\` | ${ms(rawMedian)} | |`,
      `| ratio of the medians | **${ratio.toFixed(2)}** | ≤ ${TARGET_RATIO} ${ratio <= TARGET_RATIO ? "(met)" : "(NOT met)"} |`,
      `| median of the repetitions' ratios | ${median(runs.map((r) => r.issueMs / r.rawMs)).toFixed(2)} | |`,
      "",
      `Second issue of ${periods[0]}, already issued: **${again.issued} receipts**.`,
      "",
      "## Repetitions",
      "",
      "| month | issued | issueMonth | raw insert | ratio |",
      "|---|---|---|---|---|",
      ...runs.map((r) => `| ${r.period} | ${r.issued} | ${ms(r.issueMs)} | ${ms(r.rawMs)} | ${(r.issueMs / r.rawMs).toFixed(2)} |`),
      "",
      "## What is measured",
      "",
      `- ${enrollmentCount} students, each with one confirmed enrollment in one of 20 courses; one in five has a paying guardian;`,
      "  10 % have a 10 % discount, 5 % a fixed 10 € one, 1 % a 100 % one (nothing to issue).",
      "- `issueMonth`: the whole run as staff or the schedule starts it: read the settings, one transaction that locks the",
      "  year's series row, then one statement that selects the candidates (course dates, first-month rule, discount, payer,",
      "  `NOT EXISTS` on the month's receipts), inserts the receipts numbered with `row_number()`, advances the series,",
      "  writes one `receipt.issued` audit line per receipt and the `billing_runs` row.",
      "- Raw: `insert into receipts_copy select * from receipts where period = <month>`: the very rows `issueMonth` just",
      "  wrote, into a table created `like receipts including all` plus the two foreign keys `receipts` has (to `students`",
      "  and `enrollments`; `LIKE` leaves them out): the same defaults, checks, indexes and foreign keys. It grows by the same",
      "  amount each repetition as `receipts` does. So the ratio is what issuing adds to writing the rows: choosing the",
      "  candidates, numbering them, and the 10,000 `receipt.issued` audit lines (with their own foreign keys) — about as",
      "  many rows again as the receipts themselves.",
      "- Each repetition uses a month of its own (a second run of a month would issue nothing); times are wall clock",
      "  from the Node client, including the round trips.",
      "",
      "## Checks",
      "",
      ...checks.map((c) => `- ${c.ok ? "✅" : "❌"} ${c.name}`),
      "",
      "## Machine",
      "",
      `- ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
      `- Node ${process.version}, PostgreSQL ${pgVersion?.server_version ?? "?"} (${process.env.TEST_DATABASE_URL ? "TEST_DATABASE_URL" : "throwaway cluster, fsync off"})`,
      `- load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")} (the machine is shared; other runs weigh on both figures alike)`,
      "",
    ];
    writeFileSync(path.join(root, "bench/results/monthly.md"), lines.join("\n"));
    console.log(
      `\nmedian issueMonth ${ms(issueMedian)}, raw ${ms(rawMedian)}, ratio ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}); second run issued ${again.issued}`,
    );
    for (const c of checks) console.log(`${c.ok ? "ok  " : "FAIL"} ${c.name}`);
    console.log("Wrote bench/results/monthly.md");
    return checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    await database?.close().catch(() => {});
    await postgres.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
