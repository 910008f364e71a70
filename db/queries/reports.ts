// The reports page's figures: money collected per month by method, what is pending and overdue
// now, and the enrollment funnel of a date range. Amounts are integer minor units of one
// currency (amounts in different currencies never add up); months and days are the academy's.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type DbOrTx } from "@/db/client";
import { paymentMethod } from "@/db/schema";

export type PaymentMethod = (typeof paymentMethod.enumValues)[number];

export type MonthCollected = {
  /** YYYY-MM */
  month: string;
  byMethod: Record<PaymentMethod, number>;
  total: number;
  payments: number;
};

const emptyByMethod = (): Record<PaymentMethod, number> =>
  Object.fromEntries(paymentMethod.enumValues.map((method) => [method, 0])) as Record<PaymentMethod, number>;

/**
 * The last `months` calendar months up to the current one, oldest first, each with what was paid
 * in it (by the receipt's paid_at), per method. Receipts refunded later still count where they
 * were paid: this is money received, refunds are another figure. One scan, grouped in SQL.
 */
export async function getCollectedByMonth(db: DbOrTx, params: { timeZone: string; currency: string; months: number; now?: Date }): Promise<MonthCollected[]> {
  const now = params.now ?? new Date();
  const rows = await queryRows<{ month: string; method: PaymentMethod | null; amount: string; payments: number }>(
    db,
    sql`
      with bounds as (
        select date_trunc('month', ${now.toISOString()}::timestamptz at time zone ${params.timeZone}) - make_interval(months => ${params.months - 1}) as first_month
      )
      select to_char(r.paid_at at time zone ${params.timeZone}, 'YYYY-MM') as month, r.paid_method as method,
             sum(r.amount)::bigint::text as amount, count(*)::int as payments
      from receipts r
      where r.currency = ${params.currency}
        and r.paid_at >= ((select first_month from bounds) at time zone ${params.timeZone})
        and r.paid_at < ((date_trunc('month', ${now.toISOString()}::timestamptz at time zone ${params.timeZone}) + interval '1 month') at time zone ${params.timeZone})
      group by 1, 2
    `,
  );
  const months = monthsUpTo(now, params.timeZone, params.months);
  return months.map((month) => {
    const byMethod = emptyByMethod();
    let payments = 0;
    for (const row of rows.filter((r) => r.month === month)) {
      // A paid receipt always has its method; "other" keeps the totals whole if one ever lacks it.
      byMethod[row.method ?? "other"] += Number(row.amount);
      payments += Number(row.payments);
    }
    return { month, byMethod, total: Object.values(byMethod).reduce((a, b) => a + b, 0), payments };
  });
}

/** "2026-11" and the months before it, oldest first. */
export function monthsUpTo(now: Date, timeZone: string, count: number): string[] {
  const [year, month] = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).format(now).split("-").map(Number) as [
    number,
    number,
  ];
  return Array.from({ length: count }, (_, i) => {
    const index = year * 12 + (month - 1) - (count - 1 - i);
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
  });
}

export type OpenAmounts = { pendingAmount: number; pendingCount: number; overdueAmount: number; overdueCount: number };

/** What is owed now: pending receipts, and those of them past their due date (overdue ⊂ pending). */
export async function getOpenAmounts(db: DbOrTx, params: { timeZone: string; currency: string }): Promise<OpenAmounts> {
  const [row] = await queryRows<{ pending_amount: string; pending_count: number; overdue_amount: string; overdue_count: number }>(
    db,
    sql`
      select coalesce(sum(amount), 0)::bigint::text as pending_amount, count(*)::int as pending_count,
             coalesce(sum(amount) filter (where due_date < (now() at time zone ${params.timeZone})::date), 0)::bigint::text as overdue_amount,
             (count(*) filter (where due_date < (now() at time zone ${params.timeZone})::date))::int as overdue_count
      from receipts where status = 'pending' and currency = ${params.currency}
    `,
  );
  return {
    pendingAmount: Number(row?.pending_amount ?? 0),
    pendingCount: Number(row?.pending_count ?? 0),
    overdueAmount: Number(row?.overdue_amount ?? 0),
    overdueCount: Number(row?.overdue_count ?? 0),
  };
}

export type EnrollmentFunnel = { started: number; paid: number; cancelled: number };

/**
 * Enrollments submitted between two calendar days (inclusive, academy time): how many started
 * (every submission, waiting list included), how many had their enrollment receipt paid (even if
 * refunded later), and how many ended cancelled (hold expired, failed payment, staff).
 */
export async function getEnrollmentFunnel(db: DbOrTx, params: { timeZone: string; from: string; to: string }): Promise<EnrollmentFunnel> {
  const [row] = await queryRows<{ started: number; paid: number; cancelled: number }>(
    db,
    sql`
      select count(*)::int as started,
             (count(*) filter (where exists (
               select 1 from receipts r where r.enrollment_id = e.id and r.kind = 'enrollment' and r.paid_at is not null
             )))::int as paid,
             (count(*) filter (where e.status = 'cancelled'))::int as cancelled
      from enrollments e
      where e.created_at >= (${params.from}::date::timestamp at time zone ${params.timeZone})
        and e.created_at < ((${params.to}::date + 1)::timestamp at time zone ${params.timeZone})
    `,
  );
  return { started: Number(row?.started ?? 0), paid: Number(row?.paid ?? 0), cancelled: Number(row?.cancelled ?? 0) };
}
