// The demo seed's writes (lib/demo/seed.ts builds the rows): bulk inserts that hand back what
// the seed needs to build the next table, inside the seed's one transaction.
import "server-only";
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { apiKeys, auditEvents, courses, enrollments, guardians, paymentAttempts, receipts, refunds, settings, staffUsers, students } from "@/db/schema";

/** Rows per insert for the long lists, well under PostgreSQL's limit on bound parameters. */
const BATCH = 500;

export async function settingExists(db: DbOrTx, key: string): Promise<boolean> {
  const rows = await db.select({ key: settings.key }).from(settings).where(eq(settings.key, key));
  return rows.length > 0;
}

/** Two instances seeding at once take turns: the second waits here until the first commits. */
export async function lockDemoSeed(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('demo-seed'))`);
}

export async function insertDemoStaffUsers(tx: DbOrTx, rows: (typeof staffUsers.$inferInsert)[]): Promise<{ id: string }[]> {
  return tx.insert(staffUsers).values(rows).returning({ id: staffUsers.id });
}

export async function insertDemoSettings(tx: DbOrTx, rows: (typeof settings.$inferInsert)[]): Promise<void> {
  await tx.insert(settings).values(rows);
}

export async function insertDemoApiKey(tx: DbOrTx, row: typeof apiKeys.$inferInsert): Promise<void> {
  await tx.insert(apiKeys).values(row);
}

export async function insertDemoCourses(tx: DbOrTx, rows: (typeof courses.$inferInsert)[]): Promise<{ id: string; code: string }[]> {
  return tx.insert(courses).values(rows).returning({ id: courses.id, code: courses.code });
}

export async function insertDemoStudents(tx: DbOrTx, rows: (typeof students.$inferInsert)[]): Promise<{ id: string }[]> {
  return tx.insert(students).values(rows).returning({ id: students.id });
}

export async function insertDemoGuardians(tx: DbOrTx, rows: (typeof guardians.$inferInsert)[]): Promise<void> {
  await tx.insert(guardians).values(rows);
}

export async function insertDemoEnrollments(tx: DbOrTx, rows: (typeof enrollments.$inferInsert)[]) {
  return tx.insert(enrollments).values(rows).returning({
    id: enrollments.id,
    studentId: enrollments.studentId,
    status: enrollments.status,
    createdAt: enrollments.createdAt,
    paymentMethod: enrollments.paymentMethod,
    discountValue: enrollments.discountValue,
  });
}

export async function insertDemoReceipts(tx: DbOrTx, rows: (typeof receipts.$inferInsert)[]) {
  return tx.insert(receipts).values(rows).returning({
    id: receipts.id,
    status: receipts.status,
    amount: receipts.amount,
    paidAt: receipts.paidAt,
    paidMethod: receipts.paidMethod,
    issuedAt: receipts.issuedAt,
    refundedAmount: receipts.refundedAmount,
    number: receipts.number,
  });
}

export async function insertDemoPaymentAttempts(tx: DbOrTx, rows: (typeof paymentAttempts.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await tx.insert(paymentAttempts).values(rows.slice(i, i + BATCH));
}

/** Each paid receipt names the payment that paid it (its one successful attempt). */
export async function linkDemoPaidAttempts(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`update ${receipts} r set paid_attempt_id = a.id from ${paymentAttempts} a
    where a.receipt_id = r.id and a.status = 'succeeded' and r.paid_at is not null and r.paid_attempt_id is null`);
}

export async function insertDemoRefunds(tx: DbOrTx, rows: (typeof refunds.$inferInsert)[]): Promise<void> {
  if (rows.length) await tx.insert(refunds).values(rows);
}

export async function insertDemoAuditEvents(tx: DbOrTx, rows: (typeof auditEvents.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await tx.insert(auditEvents).values(rows.slice(i, i + BATCH));
}
