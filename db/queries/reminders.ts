// Data access for reminders and the overdue policy (lib/reminders/reminders.ts), and the check
// campus suspension makes before restoring access (lib/campus/suspension.ts).
import "server-only";
import { and, eq, inArray, isNotNull, isNull, like, lte, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { messages, receipts, students } from "@/db/schema";

/** Receipts that get reminders: what payers owe outside the enrollment wizard (its holds have their own expiry). */
const remindedKinds = ["monthly", "other"] as const;

export type ReminderCandidate = { id: string; dueDate: string; issuedAt: Date };

/** Pending receipts whose earliest reminder date has come (due date <= `lastDueDate`). */
export async function pendingReceiptsDueBy(db: DbOrTx, lastDueDate: string): Promise<ReminderCandidate[]> {
  return db
    .select({ id: receipts.id, dueDate: receipts.dueDate, issuedAt: receipts.issuedAt })
    .from(receipts)
    .where(and(eq(receipts.status, "pending"), inArray(receipts.kind, remindedKinds), lte(receipts.dueDate, lastDueDate)))
    .orderBy(receipts.dueDate, receipts.id);
}

/** The receipt, locked until commit (the lock every writer of a receipt takes first), with the payer's language. */
export async function lockReceiptForReminder(tx: DbOrTx, id: string) {
  const [row] = await tx
    .select({
      id: receipts.id,
      status: receipts.status,
      concept: receipts.concept,
      amount: receipts.amount,
      currency: receipts.currency,
      dueDate: receipts.dueDate,
      payerName: receipts.payerName,
      payerEmail: receipts.payerEmail,
      locale: students.locale,
    })
    .from(receipts)
    .innerJoin(students, eq(students.id, receipts.studentId))
    .where(eq(receipts.id, id))
    .for("update", { of: receipts });
  return row;
}

export async function messageExists(db: DbOrTx, dedupeKey: string): Promise<boolean> {
  const [row] = await db.select({ id: messages.id }).from(messages).where(eq(messages.dedupeKey, dedupeKey));
  return row !== undefined;
}

export type NewlyOverdue = {
  id: string;
  number: string;
  studentId: string;
  payerName: string;
  concept: string;
  amount: number;
  currency: string;
  dueDate: string;
};

/** Marks pending receipts due on or before `dueBy` overdue (once: overdue_at stays), in one statement. */
export async function markOverdue(tx: DbOrTx, params: { dueBy: string; at: Date }): Promise<NewlyOverdue[]> {
  return tx
    .update(receipts)
    .set({ overdueAt: params.at, updatedAt: sql`now()` })
    .where(and(eq(receipts.status, "pending"), inArray(receipts.kind, remindedKinds), isNull(receipts.overdueAt), lte(receipts.dueDate, params.dueBy)))
    .returning({
      id: receipts.id,
      number: receipts.number,
      studentId: receipts.studentId,
      payerName: receipts.payerName,
      concept: receipts.concept,
      amount: receipts.amount,
      currency: receipts.currency,
      dueDate: receipts.dueDate,
    });
}

/**
 * Reminders of a receipt still waiting in the outbox when it is paid: they are not sent. The
 * status enum has no "cancelled", so they end `failed` with a note saying why (visible to staff).
 */
export async function cancelQueuedReminders(tx: DbOrTx, receiptId: string): Promise<number> {
  const rows = await tx
    .update(messages)
    .set({ status: "failed", lastError: "not sent: the receipt was paid before this reminder went out" })
    .where(and(eq(messages.receiptId, receiptId), eq(messages.status, "queued"), like(messages.dedupeKey, "reminder:%")))
    .returning({ id: messages.id });
  return rows.length;
}

/** Whether the student has an overdue receipt still unpaid other than this one. */
export async function hasOtherOverdueReceipt(db: DbOrTx, params: { studentId: string; exceptReceiptId: string }): Promise<boolean> {
  const [stillOverdue] = await db
    .select({ id: receipts.id })
    .from(receipts)
    .where(
      and(eq(receipts.studentId, params.studentId), eq(receipts.status, "pending"), isNotNull(receipts.overdueAt), ne(receipts.id, params.exceptReceiptId)),
    )
    .limit(1);
  return stillOverdue !== undefined;
}
