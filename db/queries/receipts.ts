import "server-only";
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { param, prepared } from "./prepared";
import { campusAccounts, courses, enrollments, paymentAttempts, receiptNumberSeries, receipts, refunds } from "@/db/schema";

/**
 * Reserves `count` consecutive numbers of the year's series. The upsert takes the series row
 * lock until the transaction ends, so concurrent issuers queue and numbers never gap or repeat
 * (a rolled-back transaction gives its numbers back).
 */
export async function allocateReceiptNumbers(tx: DbOrTx, year: number, count: number): Promise<number[]> {
  const [row] = await tx
    .insert(receiptNumberSeries)
    .values({ year, lastNumber: count })
    .onConflictDoUpdate({
      target: receiptNumberSeries.year,
      set: { lastNumber: sql`${receiptNumberSeries.lastNumber} + ${count}` },
    })
    .returning({ lastNumber: receiptNumberSeries.lastNumber });
  const last = row!.lastNumber;
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}

/** Writes a new receipt (its number allocated by `allocateReceiptNumbers`); pending until paid or cancelled. */
export async function insertReceipt(tx: DbOrTx, values: typeof receipts.$inferInsert) {
  const [row] = await tx
    .insert(receipts)
    .values(values)
    .returning({ id: receipts.id, number: receipts.number, status: receipts.status, amount: receipts.amount, currency: receipts.currency });
  return row!;
}

/** For the page after paying an enrollment fee: whether the place is confirmed, and what comes next. */
export async function getEnrollmentAfterPayment(db: DbOrTx, receiptId: string) {
  const [row] = await db
    .select({
      status: enrollments.status,
      course: courses.name,
      startDate: courses.startDate,
      schedule: courses.schedule,
      campus: sql<boolean>`exists (select 1 from ${campusAccounts} where ${campusAccounts.studentId} = ${enrollments.studentId} and ${campusAccounts.provider} = 'moodle')`,
    })
    .from(receipts)
    .innerJoin(enrollments, eq(enrollments.id, receipts.enrollmentId))
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .where(and(eq(receipts.id, receiptId), eq(receipts.kind, "enrollment")));
  return row;
}

/** What the payment pages show of a receipt. */
export async function getReceiptForPayment(db: DbOrTx, receiptId: string) {
  const [row] = await db
    .select({
      id: receipts.id,
      number: receipts.number,
      kind: receipts.kind,
      concept: receipts.concept,
      amount: receipts.amount,
      currency: receipts.currency,
      dueDate: receipts.dueDate,
      status: receipts.status,
      payerName: receipts.payerName,
      paidAt: receipts.paidAt,
      /** Set while an enrollment holds its seat for this payment. */
      holdExpiresAt:
        sql<Date | null>`(select ${enrollments.holdExpiresAt} from ${enrollments} where ${enrollments.id} = ${receipts.enrollmentId} and ${enrollments.status} = 'pending_payment')`.mapWith(
          (value: string | Date | null) => (value === null ? null : new Date(value)),
        ),
    })
    .from(receipts)
    .where(eq(receipts.id, receiptId));
  return row;
}

export type ReceiptForPayment = NonNullable<Awaited<ReturnType<typeof getReceiptForPayment>>>;

export async function getAttemptForReturn(db: DbOrTx, attemptId: string) {
  const [row] = await db
    .select({
      id: paymentAttempts.id,
      receiptId: paymentAttempts.receiptId,
      status: paymentAttempts.status,
      method: paymentAttempts.method,
      mode: paymentAttempts.mode,
    })
    .from(paymentAttempts)
    .where(eq(paymentAttempts.id, attemptId));
  return row;
}

const receiptColumns = {
  id: receipts.id,
  number: receipts.number,
  kind: receipts.kind,
  concept: receipts.concept,
  amount: receipts.amount,
  currency: receipts.currency,
  refundedAmount: receipts.refundedAmount,
  dueDate: receipts.dueDate,
  status: receipts.status,
  paidAt: receipts.paidAt,
  payerName: receipts.payerName,
  payerEmail: receipts.payerEmail,
  issuedAt: receipts.issuedAt,
};

export async function getReceiptWithPayments(db: DbOrTx, receiptId: string) {
  const [receipt] = await db.select(receiptColumns).from(receipts).where(eq(receipts.id, receiptId));
  if (!receipt) return undefined;
  const [attempts, refundRows] = await Promise.all([
    db
      .select({
        id: paymentAttempts.id,
        method: paymentAttempts.method,
        provider: paymentAttempts.provider,
        status: paymentAttempts.status,
        amount: paymentAttempts.amount,
        currency: paymentAttempts.currency,
        providerRef: paymentAttempts.providerRef,
        createdAt: paymentAttempts.createdAt,
        finalizedAt: paymentAttempts.finalizedAt,
      })
      .from(paymentAttempts)
      .where(eq(paymentAttempts.receiptId, receiptId))
      .orderBy(paymentAttempts.createdAt),
    db
      .select({
        id: refunds.id,
        amount: refunds.amount,
        currency: refunds.currency,
        status: refunds.status,
        createdAt: refunds.createdAt,
        completedAt: refunds.completedAt,
      })
      .from(refunds)
      .where(eq(refunds.receiptId, receiptId))
      .orderBy(refunds.createdAt),
  ]);
  return { ...receipt, attempts, refunds: refundRows };
}

export type ReceiptListFilter = {
  status?: (typeof receipts.status.enumValues)[number];
  from?: string;
  to?: string;
  /** Keyset position: the last row of the previous page. */
  after?: { issuedAt: Date; id: string };
  limit: number;
};

/** Newest first, by (issued_at, id): a stable order that keyset pagination can continue. */
export async function listReceipts(db: DbOrTx, filter: ReceiptListFilter) {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(receipts.status, filter.status));
  if (filter.from) conditions.push(sql`${receipts.issuedAt} >= ${filter.from}::date`);
  if (filter.to) conditions.push(sql`${receipts.issuedAt} < (${filter.to}::date + 1)`);
  if (filter.after) {
    conditions.push(sql`(${receipts.issuedAt}, ${receipts.id}) < (${filter.after.issuedAt.toISOString()}::timestamptz, ${filter.after.id}::uuid)`);
  }
  return db
    .select(receiptColumns)
    .from(receipts)
    .where(and(...conditions))
    .orderBy(desc(receipts.issuedAt), desc(receipts.id))
    .limit(filter.limit);
}

// --- the receipt's status -------------------------------------------------------------------
//
// The only statements that change `receipts.status`. Callers decide with the receipt's state
// machine (lib/payments/receipt-machine.ts) and hold the receipt's lock; each write also names
// the status it moves from, so a row that moved meanwhile is left alone.

/** pending (or cancelled, for a late payment accepted by policy) → paid. */
export async function markReceiptPaid(
  tx: DbOrTx,
  id: string,
  paid: { paidAt: Date; paidMethod: NonNullable<typeof receipts.$inferInsert.paidMethod>; paidAttemptId: string },
): Promise<void> {
  const statement = prepared(tx, "receipt_paid", (db) =>
    db
      .update(receipts)
      .set({ status: "paid", paidAt: param("paidAt"), paidMethod: param("paidMethod"), paidAttemptId: param("paidAttemptId"), updatedAt: param("updatedAt") })
      .where(and(eq(receipts.id, sql.placeholder("id")), inArray(receipts.status, ["pending", "cancelled"]))),
  );
  await statement.execute({ ...paid, updatedAt: new Date(), id });
}

/** paid or partially refunded → partially refunded or refunded, with the total returned so far. */
export async function markReceiptRefunded(
  tx: DbOrTx,
  id: string,
  refunded: { status: "partially_refunded" | "refunded"; refundedAmount: number },
): Promise<void> {
  await tx
    .update(receipts)
    .set({ status: refunded.status, refundedAmount: refunded.refundedAmount, updatedAt: new Date() })
    .where(and(eq(receipts.id, id), inArray(receipts.status, ["paid", "partially_refunded"])));
}

/** pending → cancelled. Returns whether it was pending (and so is cancelled now). */
export async function markReceiptCancelled(tx: DbOrTx, id: string, cancelled: { cancelledAt: Date; cancelReason: string }): Promise<boolean> {
  const rows = await tx
    .update(receipts)
    .set({ status: "cancelled", cancelledAt: cancelled.cancelledAt, cancelReason: cancelled.cancelReason, updatedAt: new Date() })
    .where(and(eq(receipts.id, id), eq(receipts.status, "pending")))
    .returning({ id: receipts.id });
  return rows.length > 0;
}
