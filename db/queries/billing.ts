// Monthly issuing in SQL: which enrollments owe a month (and how much, after their discount),
// the one INSERT … SELECT that issues them with gapless numbers, and the list of past runs.
// lib/billing/monthly.ts owns the transaction and the order of the steps.
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type DbOrTx } from "@/db/client";
import type { AuditSource } from "@/db/queries/audit";

export type MonthParams = {
  /** YYYY-MM */
  period: string;
  /** First and last calendar day of the period (YYYY-MM-DD). */
  monthStart: string;
  monthEnd: string;
  /** The academy's time zone: the month an enrollment started in is counted there. */
  timeZone: string;
  /** Month and year as the concept prints them, per student locale ("noviembre de 2026", "November 2026"). */
  monthLabel: { es: string; en: string };
};

/**
 * One row per enrollment that owes the period and has no receipt for it yet: confirmed, its course
 * runs during the month, the month is not before the enrollment began (nor the one the enrollment
 * receipt already charged, when the course puts the first month on it), and something is left to
 * pay after the discount. A percentage is rounded half up to the minor unit; a fixed discount never
 * takes more than the fee. The payer is the student's paying guardian if any (minors), else the student.
 */
function candidates(p: MonthParams): SQL {
  return sql`
    select
      e.id as enrollment_id,
      e.student_id,
      s.first_name,
      s.last_name,
      c.name as course_name,
      c.currency,
      c.monthly_fee as fee,
      d.discount,
      c.monthly_fee - d.discount as amount,
      case when s.locale = 'en'
        then 'Monthly fee ' || c.name || ' — ' || ${p.monthLabel.en}::text
        else 'Mensualidad ' || c.name || ' — ' || ${p.monthLabel.es}::text
      end as concept,
      coalesce(g.first_name || ' ' || g.last_name, s.first_name || ' ' || s.last_name) as payer_name,
      coalesce(g.email, s.email) as payer_email,
      case when g.id is not null then g.document_number else s.document_number end as payer_document
    from enrollments e
    join courses c on c.id = e.course_id
    join students s on s.id = e.student_id
    -- Joins rather than per-row subqueries, so that the planner can hash them over a whole month.
    left join (
      select distinct on (student_id) student_id, id, first_name, last_name, email, document_number
      from guardians
      where is_payer
      order by student_id, created_at, id
    ) g on g.student_id = s.id
    -- At most one enrollment receipt per enrollment (receipts_enrollment_fee_key).
    left join receipts er on er.enrollment_id = e.id and er.kind = 'enrollment'
    cross join lateral (
      select greatest(
        date_trunc('month', c.start_date::timestamp),
        date_trunc('month', coalesce(er.issued_at, e.created_at) at time zone ${p.timeZone}::text)
      )::date as first_month
    ) f
    cross join lateral (
      select least(c.monthly_fee, case e.discount_kind
        when 'percent' then ((c.monthly_fee::bigint * e.discount_value + 50) / 100)::int
        when 'fixed' then e.discount_value
        else 0
      end) as discount
    ) d
    where e.status = 'confirmed'
      and c.start_date <= ${p.monthEnd}::date
      and c.end_date >= ${p.monthStart}::date
      and ${p.monthStart}::date >= f.first_month
      and (${p.monthStart}::date > f.first_month or not c.first_month_on_enrollment)
      and c.monthly_fee - d.discount > 0
      and not exists (select 1 from receipts r where r.enrollment_id = e.id and r.period = ${p.period}::text)`;
}

/** The order receipts are numbered in: by course, then student. */
const numberingOrder = sql`order by course_name, last_name, first_name, enrollment_id`;

export type CurrencyTotal = { currency: string; count: number; amount: number };

export type PreviewRow = {
  enrollmentId: string;
  studentName: string;
  courseName: string;
  payerName: string;
  concept: string;
  fee: number;
  discount: number;
  amount: number;
  currency: string;
};

export async function previewMonthlyReceipts(db: DbOrTx, p: MonthParams & { sampleSize: number }): Promise<{ totals: CurrencyTotal[]; sample: PreviewRow[] }> {
  const [totals, sample] = await Promise.all([
    queryRows<{ currency: string; count: number; amount: string }>(
      db,
      sql`select currency, count(*)::int as count, sum(amount)::bigint as amount from (${candidates(p)}) x group by currency order by currency`,
    ),
    queryRows<{
      enrollment_id: string;
      first_name: string;
      last_name: string;
      course_name: string;
      payer_name: string;
      concept: string;
      fee: number;
      discount: number;
      amount: number;
      currency: string;
    }>(db, sql`select * from (${candidates(p)}) x ${numberingOrder} limit ${p.sampleSize}`),
  ]);
  return {
    totals: totals.map((t) => ({ currency: t.currency, count: t.count, amount: Number(t.amount) })),
    sample: sample.map((r) => ({
      enrollmentId: r.enrollment_id,
      studentName: `${r.first_name} ${r.last_name}`,
      courseName: r.course_name,
      payerName: r.payer_name,
      concept: r.concept,
      fee: Number(r.fee),
      discount: Number(r.discount),
      amount: Number(r.amount),
      currency: r.currency,
    })),
  };
}

/**
 * Takes the year's series row lock (creating the row if needed) and returns its last number. Must
 * run as its own statement before the insert: a statement's snapshot is taken when it starts, so
 * only a statement that starts after the lock is granted sees what the previous holder committed.
 */
export async function lockReceiptSeries(tx: DbOrTx, year: number): Promise<number> {
  const [row] = await queryRows<{ last_number: number }>(
    tx,
    sql`insert into receipt_number_series (year, last_number) values (${year}::int, 0)
        on conflict (year) do update set last_number = receipt_number_series.last_number
        returning last_number`,
  );
  return row!.last_number;
}

export type IssueParams = MonthParams & {
  year: number;
  /** The series' last number, read under its lock (lockReceiptSeries). */
  lastNumber: number;
  dueDate: string;
  now: Date;
  source: AuditSource;
  staffUserId: string | null;
  /** Record a billing_runs row even when nothing was issued (staff runs). */
  recordEmptyRun: boolean;
};

/**
 * One statement: insert every candidate numbered lastNumber+1… in numbering order, advance the
 * series by as many, write one "receipt.issued" audit line per receipt (as lib/receipts/issue.ts
 * does) and the billing_runs row. Returns the totals per currency of what was issued.
 */
export async function insertMonthlyReceipts(tx: DbOrTx, p: IssueParams): Promise<{ totals: CurrencyTotal[]; runId: string | null }> {
  const now = p.now.toISOString();
  const rows = await queryRows<{ currency: string | null; count: number; amount: string; run_id: string | null }>(
    tx,
    sql`
    with numbered as (
      select x.*, ${p.lastNumber}::int + row_number() over (${numberingOrder})::int as seq
      from (${candidates(p)}) x
    ),
    inserted as (
      insert into receipts (number, series_year, series_number, kind, student_id, enrollment_id, period, concept,
        amount, discount_amount, currency, due_date, payer_name, payer_email, payer_document, issued_at, updated_at)
      select ${p.year}::int || '-' || lpad(seq::text, greatest(6, length(seq::text)), '0'), ${p.year}::int, seq, 'monthly'::receipt_kind,
        student_id, enrollment_id, ${p.period}::text, concept, amount, discount, currency, ${p.dueDate}::date,
        payer_name, payer_email, payer_document, ${now}::timestamptz, ${now}::timestamptz
      from numbered
      returning id, number, amount, currency
    ),
    -- Data-modifying CTEs always run to completion, whether or not the final select reads them.
    series as (
      update receipt_number_series set last_number = last_number + (select count(*) from inserted)::int
      where year = ${p.year}::int
      returning last_number
    ),
    audit as (
      insert into audit_events (occurred_at, source, action, staff_user_id, receipt_id, data)
      select ${now}::timestamptz, ${p.source}::audit_source, 'receipt.issued', ${p.staffUserId}::uuid, id,
        jsonb_build_object('number', number, 'amount', amount)
      from inserted
      returning id
    ),
    run as (
      insert into billing_runs (period, source, issued_count, issued_total, created_by, created_at)
      select ${p.period}::text, ${p.source}::audit_source, count(*)::int, coalesce(sum(amount), 0)::int, ${p.staffUserId}::uuid, ${now}::timestamptz
      from inserted
      having ${p.recordEmptyRun}::boolean or count(*) > 0
      returning id
    )
    select i.currency, count(i.id)::int as count, coalesce(sum(i.amount), 0)::bigint as amount,
      (select id from run) as run_id
    from (select 1) one left join inserted i on true
    group by i.currency`,
  );
  return {
    totals: rows.filter((r) => r.currency !== null && r.count > 0).map((r) => ({ currency: r.currency!, count: r.count, amount: Number(r.amount) })),
    runId: rows[0]?.run_id ?? null,
  };
}

export type BillingRunRow = {
  id: string;
  period: string;
  source: AuditSource;
  issuedCount: number;
  issuedTotal: number;
  createdAt: Date;
  staffName: string | null;
};

/** The latest runs, newest first. */
export async function listBillingRuns(db: DbOrTx, params: { limit: number }): Promise<BillingRunRow[]> {
  const rows = await queryRows<{
    id: string;
    period: string;
    source: AuditSource;
    issued_count: number;
    issued_total: number;
    created_at: string | Date;
    staff_name: string | null;
  }>(
    db,
    sql`select b.id, b.period, b.source, b.issued_count, b.issued_total, b.created_at, u.name as staff_name
        from billing_runs b left join staff_users u on u.id = b.created_by
        order by b.created_at desc, b.id desc
        limit ${params.limit}`,
  );
  return rows.map((r) => ({
    id: r.id,
    period: r.period,
    source: r.source,
    issuedCount: r.issued_count,
    issuedTotal: r.issued_total,
    createdAt: new Date(r.created_at),
    staffName: r.staff_name,
  }));
}

export type IssuedMonthRow = { period: string; count: number; pending: number; total: number; currency: string };

/** The months that have monthly receipts, newest first: what was issued, however it was issued. */
export async function listIssuedMonths(db: DbOrTx, params: { limit: number }): Promise<IssuedMonthRow[]> {
  const rows = await queryRows<{ period: string; count: number; pending: number; total: string | number; currency: string }>(
    db,
    sql`select period, currency, count(*)::int as count, (count(*) filter (where status = 'pending'))::int as pending, sum(amount) as total
        from receipts where kind = 'monthly' group by period, currency
        order by period desc, currency limit ${params.limit}`,
  );
  return rows.map((r) => ({ period: r.period, count: r.count, pending: r.pending, total: Number(r.total), currency: r.currency }));
}
