import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type DbOrTx } from "@/db/client";
import { receiptStatus } from "@/db/schema";

export type ReceiptStatus = (typeof receiptStatus.enumValues)[number];

export type DashboardFigures = {
  currency: string;
  byStatus: { status: ReceiptStatus; count: number; amount: number }[];
  pendingAmount: number;
  overdueAmount: number;
  overdueCount: number;
  collectedThisMonth: number;
  paymentsThisMonth: number;
  refundedThisMonth: number;
};

/**
 * The admin home's figures, in one round trip. "This month" is the calendar month in the
 * academy's time zone; collected means receipts paid in it (refunds are shown apart).
 */
export async function getDashboardFigures(db: DbOrTx, timeZone: string, currency: string): Promise<DashboardFigures> {
  const rows = await queryRows<{
    status: ReceiptStatus | null;
    count: number;
    amount: string;
    pending_amount: string;
    overdue_amount: string;
    overdue_count: number;
    collected: string;
    payments: number;
    refunded: string;
  }>(
    db,
    sql`
    with bounds as (
      select (date_trunc('month', now() at time zone ${timeZone}) at time zone ${timeZone}) as month_start,
             (now() at time zone ${timeZone})::date as today
    ),
    mine as (select * from receipts where currency = ${currency}),
    by_status as (
      select status, count(*)::int as count, sum(amount)::bigint as amount from mine group by status
    ),
    totals as (
      select
        coalesce(sum(amount) filter (where status = 'pending'), 0)::bigint as pending_amount,
        coalesce(sum(amount) filter (where status = 'pending' and due_date < (select today from bounds)), 0)::bigint as overdue_amount,
        (count(*) filter (where status = 'pending' and due_date < (select today from bounds)))::int as overdue_count,
        coalesce(sum(amount) filter (where paid_at >= (select month_start from bounds)), 0)::bigint as collected,
        (count(*) filter (where paid_at >= (select month_start from bounds)))::int as payments
      from mine
    ),
    refunded as (
      select coalesce(sum(amount), 0)::bigint as refunded from refunds
      where status = 'succeeded' and currency = ${currency} and completed_at >= (select month_start from bounds)
    )
    select b.status, b.count, b.amount::text, t.pending_amount::text, t.overdue_amount::text, t.overdue_count,
           t.collected::text, t.payments, r.refunded::text
    from totals t cross join refunded r left join by_status b on true
  `,
  );
  const first = rows[0];
  return {
    currency,
    byStatus: receiptStatus.enumValues.map((status) => {
      const row = rows.find((r) => r.status === status);
      return { status, count: row ? Number(row.count) : 0, amount: row ? Number(row.amount) : 0 };
    }),
    pendingAmount: Number(first?.pending_amount ?? 0),
    overdueAmount: Number(first?.overdue_amount ?? 0),
    overdueCount: Number(first?.overdue_count ?? 0),
    collectedThisMonth: Number(first?.collected ?? 0),
    paymentsThisMonth: Number(first?.payments ?? 0),
    refundedThisMonth: Number(first?.refunded ?? 0),
  };
}
