// The staff dashboard's "needs attention": open items (grouped by kind on the page) or resolved
// ones, keyset pages, each with the receipt, the attempt that caused it, the enrollment it pays
// and, once resolved, who resolved it and how.
import "server-only";
import { and, asc, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { attentionItems, enrollments, paymentAttempts, receipts, refunds, staffUsers, students } from "@/db/schema";

export type AttentionState = "open" | "resolved";
export type AttentionCursor = { at: string; id: string };

const createdKey = sql<string>`to_char(${attentionItems.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const resolvedKey = sql<string>`to_char(${attentionItems.resolvedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Open items oldest first (the longest waiting on top; attention_items_open_idx), resolved ones
 * most recently resolved first.
 */
export async function listAttentionItems(db: DbOrTx, params: { state: AttentionState; after?: AttentionCursor; limit: number }) {
  const open = params.state === "open";
  const where = [open ? isNull(attentionItems.resolvedAt) : isNotNull(attentionItems.resolvedAt)];
  if (params.after) {
    where.push(
      open
        ? sql`(${attentionItems.createdAt}, ${attentionItems.id}) > (${params.after.at}::timestamptz, ${params.after.id}::uuid)`
        : sql`(${attentionItems.resolvedAt}, ${attentionItems.id}) < (${params.after.at}::timestamptz, ${params.after.id}::uuid)`,
    );
  }
  const rows = await db
    .select({
      id: attentionItems.id,
      kind: attentionItems.kind,
      evidence: attentionItems.evidence,
      createdAt: attentionItems.createdAt,
      resolvedAt: attentionItems.resolvedAt,
      resolution: attentionItems.resolution,
      resolvedByName: staffUsers.name,
      receiptId: receipts.id,
      receiptNumber: receipts.number,
      receiptStatus: receipts.status,
      receiptAmount: receipts.amount,
      receiptRefunded: receipts.refundedAmount,
      receiptCurrency: receipts.currency,
      studentId: students.id,
      studentName: sql<string | null>`${students.firstName} || ' ' || ${students.lastName}`,
      enrollmentId: enrollments.id,
      enrollmentStatus: enrollments.status,
      attemptId: paymentAttempts.id,
      attemptProvider: paymentAttempts.provider,
      attemptMethod: paymentAttempts.method,
      attemptStatus: paymentAttempts.status,
      attemptAmount: paymentAttempts.amount,
      attemptCurrency: paymentAttempts.currency,
      attemptRef: sql<string | null>`coalesce(${paymentAttempts.providerPaymentRef}, ${paymentAttempts.providerRef})`,
      /** A refund of this attempt's money already asked for (e.g. a late payment returned by the job). */
      refundStatus: sql<
        string | null
      >`(select r.status::text from ${refunds} r where r.attempt_id = "attention_items"."attempt_id" and r.receipt_id = "attention_items"."receipt_id" order by r.created_at desc limit 1)`,
      cursorKey: open ? createdKey : resolvedKey,
    })
    .from(attentionItems)
    .leftJoin(receipts, eq(receipts.id, attentionItems.receiptId))
    .leftJoin(students, eq(students.id, receipts.studentId))
    .leftJoin(enrollments, eq(enrollments.id, receipts.enrollmentId))
    .leftJoin(paymentAttempts, eq(paymentAttempts.id, attentionItems.attemptId))
    .leftJoin(staffUsers, eq(staffUsers.id, attentionItems.resolvedBy))
    .where(and(...where))
    .orderBy(...(open ? [asc(attentionItems.createdAt), asc(attentionItems.id)] : [desc(attentionItems.resolvedAt), desc(attentionItems.id)]))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const next: AttentionCursor | undefined = rows.length > params.limit && last ? { at: last.cursorKey, id: last.id } : undefined;
  return { rows: page.map((row) => ({ ...row, evidence: (row.evidence ?? {}) as Record<string, unknown> })), next };
}

export type AttentionRow = Awaited<ReturnType<typeof listAttentionItems>>["rows"][number];

/** Open items per kind, for the tab and the group headings. */
export async function countOpenAttention(db: DbOrTx) {
  return db
    .select({ kind: attentionItems.kind, count: sql<number>`count(*)::int`.mapWith(Number) })
    .from(attentionItems)
    .where(isNull(attentionItems.resolvedAt))
    .groupBy(attentionItems.kind)
    .orderBy(attentionItems.kind);
}

/** The enrollment a receipt pays, for the side-effect retry. */
export async function getAttentionItem(db: DbOrTx, itemId: string) {
  const [row] = await db
    .select({
      id: attentionItems.id,
      kind: attentionItems.kind,
      receiptId: attentionItems.receiptId,
      resolvedAt: attentionItems.resolvedAt,
      enrollmentId: receipts.enrollmentId,
    })
    .from(attentionItems)
    .leftJoin(receipts, eq(receipts.id, attentionItems.receiptId))
    .where(eq(attentionItems.id, itemId));
  return row;
}
