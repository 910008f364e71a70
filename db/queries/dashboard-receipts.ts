// The staff dashboard's receipts: the filtered list (keyset pages, newest first), its totals,
// and one receipt's page (header, attempts, refunds, open attention items and its timeline).
import "server-only";
import { and, asc, desc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { queryRows, type DbOrTx } from "@/db/client";
import { attentionItems, paymentAttempts, paymentMethod, receiptStatus, receipts, refunds, staffUsers, students } from "@/db/schema";

export type ReceiptStatus = (typeof receiptStatus.enumValues)[number];
export type PaymentMethod = (typeof paymentMethod.enumValues)[number];

export type ReceiptFilter = {
  status?: ReceiptStatus;
  method?: PaymentMethod;
  /** YYYY-MM */
  period?: string;
  /** Issued on or after / on or before these calendar days (YYYY-MM-DD) in the academy's time zone. */
  issuedFrom?: string;
  issuedTo?: string;
  /** Pending and past its due date (in the academy's time zone). */
  overdue?: boolean;
  /** Student or payer name, document, receipt number or provider reference. */
  q?: string;
  timeZone: string;
};

/** Where a page starts: the sort key of the previous page's last row. */
export type ReceiptCursor = { issuedAt: string; id: string };

/** `%` and `_` typed by staff are letters, not wildcards. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filterConditions(filter: ReceiptFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(receipts.status, filter.status));
  if (filter.method) conditions.push(eq(receipts.paidMethod, filter.method));
  if (filter.period) conditions.push(eq(receipts.period, filter.period));
  if (filter.issuedFrom) conditions.push(sql`${receipts.issuedAt} >= (${filter.issuedFrom}::date::timestamp at time zone ${filter.timeZone})`);
  if (filter.issuedTo) conditions.push(sql`${receipts.issuedAt} < ((${filter.issuedTo}::date + 1)::timestamp at time zone ${filter.timeZone})`);
  if (filter.overdue) {
    conditions.push(sql`${receipts.status} = 'pending' and ${receipts.dueDate} < (now() at time zone ${filter.timeZone})::date`);
  }
  const q = filter.q?.trim();
  if (q) {
    const contains = `%${likeEscape(q)}%`;
    const exact = q.toUpperCase();
    conditions.push(sql`(
      ${receipts.number} ilike ${`${likeEscape(q)}%`}
      or ${receipts.payerName} ilike ${contains}
      or upper(${receipts.payerDocument}) = ${exact}
      or exists (
        select 1 from ${students} s where s.id = ${receipts.studentId}
        and ((s.first_name || ' ' || s.last_name) ilike ${contains} or upper(s.document_number) = ${exact})
      )
      or exists (
        select 1 from ${paymentAttempts} a where a.receipt_id = ${receipts.id}
        and (a.provider_ref = ${q} or a.provider_payment_ref = ${q})
      )
    )`);
  }
  return conditions;
}

/** issued_at with its microseconds: a JS Date would drop them and make pages skip or repeat rows. */
const issuedAtKey = sql<string>`to_char(${receipts.issuedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The filter's conditions, plus "after the cursor" in the list's order (newest first). */
function pageConditions(filter: ReceiptFilter, after: ReceiptCursor | undefined): SQL[] {
  const conditions = filterConditions(filter);
  if (after) {
    conditions.push(sql`(${receipts.issuedAt}, ${receipts.id}) < (${after.issuedAt}::timestamptz, ${after.id}::uuid)`);
  }
  return conditions;
}

export async function listDashboardReceipts(db: DbOrTx, params: { filter: ReceiptFilter; after?: ReceiptCursor; limit: number }) {
  const conditions = pageConditions(params.filter, params.after);
  // One row more than asked tells whether a next page exists without counting.
  const rows = await db
    .select({
      id: receipts.id,
      number: receipts.number,
      concept: receipts.concept,
      amount: receipts.amount,
      currency: receipts.currency,
      refundedAmount: receipts.refundedAmount,
      status: receipts.status,
      dueDate: receipts.dueDate,
      paidMethod: receipts.paidMethod,
      payerName: receipts.payerName,
      studentName: sql<string>`(select s.first_name || ' ' || s.last_name from ${students} s where s.id = ${receipts.studentId})`,
      issuedAt: receipts.issuedAt,
      cursorKey: issuedAtKey,
    })
    .from(receipts)
    .where(and(...conditions))
    .orderBy(desc(receipts.issuedAt), desc(receipts.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const next: ReceiptCursor | undefined = rows.length > params.limit && last ? { issuedAt: last.cursorKey, id: last.id } : undefined;
  return { rows: page, next };
}

export type ReceiptListRow = Awaited<ReturnType<typeof listDashboardReceipts>>["rows"][number];

/**
 * One batch of the CSV export: the list's filter, order and keyset cursor (so the export holds
 * exactly the rows the list pages through), with the columns accountants want. Calendar days
 * come from the database in the academy's time zone as YYYY-MM-DD.
 */
export async function listReceiptsForExport(db: DbOrTx, params: { filter: ReceiptFilter; after?: ReceiptCursor; limit: number }) {
  const timeZone = params.filter.timeZone;
  const rows = await db
    .select({
      id: receipts.id,
      number: receipts.number,
      issuedOn: sql<string>`to_char(${receipts.issuedAt} at time zone ${timeZone}, 'YYYY-MM-DD')`,
      dueDate: receipts.dueDate,
      // In a select list Drizzle writes a column unqualified ("id"): name the outer table so a
      // subquery's own columns cannot capture it.
      studentName: sql<string>`(select s.first_name || ' ' || s.last_name from ${students} s where s.id = ${receipts}.student_id)`,
      payerDocument: receipts.payerDocument,
      payerName: receipts.payerName,
      concept: receipts.concept,
      period: receipts.period,
      amount: receipts.amount,
      discountAmount: receipts.discountAmount,
      currency: receipts.currency,
      status: receipts.status,
      paidMethod: receipts.paidMethod,
      paidOn: sql<string | null>`to_char(${receipts.paidAt} at time zone ${timeZone}, 'YYYY-MM-DD')`,
      refundedAmount: receipts.refundedAmount,
      // The provider's payment reference of the attempt that paid it (its order when it has none).
      providerRef: sql<string | null>`(
        select coalesce(a.provider_payment_ref, a.provider_ref) from ${paymentAttempts} a
        where a.receipt_id = ${receipts}.id and a.status = 'succeeded'
        order by a.finalized_at desc nulls last, a.created_at desc limit 1
      )`,
      cursorKey: issuedAtKey,
    })
    .from(receipts)
    .where(and(...pageConditions(params.filter, params.after)))
    .orderBy(desc(receipts.issuedAt), desc(receipts.id))
    .limit(params.limit);
  const last = rows.at(-1);
  // A short batch is the last one; a full one may be followed by an empty batch (one extra query, no count).
  const next: ReceiptCursor | undefined = rows.length === params.limit && last ? { issuedAt: last.cursorKey, id: last.id } : undefined;
  return { rows, next };
}

export type ReceiptExportRow = Awaited<ReturnType<typeof listReceiptsForExport>>["rows"][number];

/** Count and amount of everything the filter matches, per currency (amounts in different currencies never add up). */
export async function getDashboardReceiptTotals(db: DbOrTx, filter: ReceiptFilter) {
  const rows = await db
    .select({
      currency: receipts.currency,
      count: sql<number>`count(*)::int`.mapWith(Number),
      amount: sql<string>`coalesce(sum(${receipts.amount}), 0)::bigint::text`.mapWith(Number),
    })
    .from(receipts)
    .where(and(...filterConditions(filter)))
    .groupBy(receipts.currency)
    .orderBy(receipts.currency);
  return { count: rows.reduce((sum, r) => sum + r.count, 0), byCurrency: rows };
}

/** Everything the receipt page shows, in parallel queries. */
export async function getDashboardReceipt(db: DbOrTx, receiptId: string) {
  const [header] = await db
    .select({
      id: receipts.id,
      number: receipts.number,
      kind: receipts.kind,
      period: receipts.period,
      enrollmentId: receipts.enrollmentId,
      concept: receipts.concept,
      amount: receipts.amount,
      currency: receipts.currency,
      refundedAmount: receipts.refundedAmount,
      status: receipts.status,
      dueDate: receipts.dueDate,
      paidAt: receipts.paidAt,
      paidMethod: receipts.paidMethod,
      payerName: receipts.payerName,
      payerEmail: receipts.payerEmail,
      payerDocument: receipts.payerDocument,
      cancelledAt: receipts.cancelledAt,
      cancelReason: receipts.cancelReason,
      issuedAt: receipts.issuedAt,
      studentFirstName: students.firstName,
      studentLastName: students.lastName,
      studentDocument: students.documentNumber,
    })
    .from(receipts)
    .innerJoin(students, eq(students.id, receipts.studentId))
    .where(eq(receipts.id, receiptId));
  if (!header) return undefined;
  const [attempts, refundRows, attention, timeline] = await Promise.all([
    db
      .select({
        id: paymentAttempts.id,
        provider: paymentAttempts.provider,
        method: paymentAttempts.method,
        mode: paymentAttempts.mode,
        status: paymentAttempts.status,
        amount: paymentAttempts.amount,
        currency: paymentAttempts.currency,
        providerRef: paymentAttempts.providerRef,
        providerPaymentRef: paymentAttempts.providerPaymentRef,
        failureCode: paymentAttempts.failureCode,
        createdAt: paymentAttempts.createdAt,
        finalizedAt: paymentAttempts.finalizedAt,
      })
      .from(paymentAttempts)
      .where(eq(paymentAttempts.receiptId, receiptId))
      .orderBy(asc(paymentAttempts.createdAt)),
    db
      .select({
        id: refunds.id,
        amount: refunds.amount,
        currency: refunds.currency,
        status: refunds.status,
        provider: refunds.provider,
        reason: refunds.reason,
        source: refunds.source,
        createdByName: staffUsers.name,
        createdAt: refunds.createdAt,
        completedAt: refunds.completedAt,
      })
      .from(refunds)
      .leftJoin(staffUsers, eq(staffUsers.id, refunds.createdBy))
      .where(eq(refunds.receiptId, receiptId))
      .orderBy(asc(refunds.createdAt)),
    db
      .select({ id: attentionItems.id, kind: attentionItems.kind, createdAt: attentionItems.createdAt })
      .from(attentionItems)
      .where(and(eq(attentionItems.receiptId, receiptId), isNull(attentionItems.resolvedAt)))
      .orderBy(asc(attentionItems.createdAt)),
    getReceiptTimeline(db, receiptId),
  ]);
  return { ...header, attempts, refunds: refundRows, attention, timeline };
}

export type DashboardReceipt = NonNullable<Awaited<ReturnType<typeof getDashboardReceipt>>>;

export type TimelineEntry = {
  kind: "audit" | "provider_event" | "message";
  at: Date;
  /** audit: the action (`receipt.paid`); provider_event: the provider's event type; message: the template. */
  action: string;
  /** audit: who said so (webhook, staff…); provider_event: the provider; message: its delivery status. */
  source: string;
  staffName: string | null;
  /** A few words of detail: the audit's method/reason/amount, the event's outcome, the recipient. */
  detail: Record<string, unknown>;
};

/**
 * The receipt's story in time order: audit lines, the provider deliveries stored for its attempts,
 * and the e-mails about it. One query, so the three sources interleave by timestamp.
 */
export async function getReceiptTimeline(db: DbOrTx, receiptId: string): Promise<TimelineEntry[]> {
  const rows = await queryRows<{
    kind: TimelineEntry["kind"];
    at: Date | string;
    action: string;
    source: string;
    staff_name: string | null;
    detail: Record<string, unknown> | null;
    seq: string;
  }>(
    db,
    sql`
      select 'audit' as kind, 1 as rank, e.occurred_at as at, e.action, e.source::text as source, u.name as staff_name, e.data as detail,
             -- One transaction's lines share its timestamp: the serial id keeps their order.
             lpad(e.id::text, 20, '0') as seq
      from audit_events e left join staff_users u on u.id = e.staff_user_id
      where e.receipt_id = ${receiptId}
      union all
      select 'provider_event', 0, pe.received_at, pe.event_type, pe.provider::text, null,
             jsonb_build_object('outcome', pe.outcome, 'eventId', pe.event_id, 'error', pe.error), pe.id::text
      from provider_events pe join payment_attempts a on a.id = pe.attempt_id
      where a.receipt_id = ${receiptId}
      union all
      select 'message', 2, m.created_at, m.template, m.status::text, null,
             jsonb_build_object('to', m.to_address, 'subject', m.subject, 'sentAt', m.sent_at), m.id::text
      from messages m where m.receipt_id = ${receiptId}
      -- A delivery and the lines it caused share one transaction's timestamp: cause first.
      order by at, rank, seq
    `,
  );
  return rows.map((r) => ({ kind: r.kind, at: new Date(r.at), action: r.action, source: r.source, staffName: r.staff_name, detail: r.detail ?? {} }));
}

/** The currency an action's typed amount is in (never taken from the form). */
export async function getReceiptCurrency(db: DbOrTx, receiptId: string): Promise<string | undefined> {
  const [row] = await db.select({ currency: receipts.currency }).from(receipts).where(eq(receipts.id, receiptId));
  return row?.currency;
}

/** The enrollment a receipt pays, if any. */
export async function getReceiptEnrollment(db: DbOrTx, receiptId: string): Promise<string | undefined> {
  const [row] = await db.select({ enrollmentId: receipts.enrollmentId }).from(receipts).where(eq(receipts.id, receiptId));
  return row?.enrollmentId ?? undefined;
}
