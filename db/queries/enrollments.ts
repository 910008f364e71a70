// Enrollments: their status (the only statements that change it), reading and locking them, the
// waiting list, seat holds, and what staff's actions on an enrollment touch.
import "server-only";
import { and, asc, eq, inArray, sql, lt, gt, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { courses, enrollments, receipts, students, guardians, attentionItems, attentionKind, paymentAttempts } from "@/db/schema";

// --- the enrollment's status ----------------------------------------------------------------
//
// The only statements that change `enrollments.status`. Callers decide with the enrollment's
// state machine (lib/enrollment/enrollment-machine.ts, through lib/enrollment/status.ts) and
// pass the statuses it moves from: a row that moved meanwhile is left alone, and the answer says so.

export type EnrollmentStatus = (typeof enrollments.$inferSelect)["status"];
type Status = EnrollmentStatus;

async function moveStatus(tx: DbOrTx, id: string, from: Status[], set: Partial<typeof enrollments.$inferInsert>): Promise<boolean> {
  const rows = await tx
    .update(enrollments)
    .set({ ...set, updatedAt: set.updatedAt ?? new Date() })
    .where(and(eq(enrollments.id, id), inArray(enrollments.status, from)))
    .returning({ id: enrollments.id });
  return rows.length > 0;
}

export function markEnrollmentConfirmed(tx: DbOrTx, id: string, from: Status[], at: Date): Promise<boolean> {
  return moveStatus(tx, id, from, { status: "confirmed", confirmedAt: at, holdExpiresAt: null, updatedAt: at });
}

export function markEnrollmentCancelled(tx: DbOrTx, id: string, from: Status[], cancelled: { at: Date; reason: string }): Promise<boolean> {
  return moveStatus(tx, id, from, {
    status: "cancelled",
    cancelledAt: cancelled.at,
    cancelReason: cancelled.reason,
    holdExpiresAt: null,
    updatedAt: cancelled.at,
  });
}

export function markEnrollmentWithdrawn(tx: DbOrTx, id: string, from: Status[], withdrawn: { at: Date; reason: string }): Promise<boolean> {
  return moveStatus(tx, id, from, { status: "withdrawn", cancelledAt: withdrawn.at, cancelReason: withdrawn.reason, updatedAt: withdrawn.at });
}

/** Back to (or on to) pending payment, holding a seat until `holdExpiresAt`; a past cancellation is cleared. */
export function markEnrollmentHoldingSeat(
  tx: DbOrTx,
  id: string,
  from: Status[],
  hold: { at: Date; holdExpiresAt: Date; clearCancellation: boolean },
): Promise<boolean> {
  return moveStatus(tx, id, from, {
    status: "pending_payment",
    holdExpiresAt: hold.holdExpiresAt,
    ...(hold.clearCancellation ? { cancelledAt: null, cancelReason: null } : {}),
    updatedAt: hold.at,
  });
}

// --- reading and locking enrollments ------------------------------------------------------------

export async function getEnrollmentStatus(tx: DbOrTx, id: string): Promise<{ status: Status; courseId: string } | undefined> {
  const [row] = await tx.select({ status: enrollments.status, courseId: enrollments.courseId }).from(enrollments).where(eq(enrollments.id, id));
  return row;
}

/** Locks the enrollment row; callers lock its course and receipt before it. */
export async function lockEnrollmentForUpdate(tx: DbOrTx, id: string) {
  const [row] = await tx
    .select({
      id: enrollments.id,
      status: enrollments.status,
      courseId: enrollments.courseId,
      studentId: enrollments.studentId,
      holdExpiresAt: enrollments.holdExpiresAt,
    })
    .from(enrollments)
    .where(eq(enrollments.id, id))
    .for("update");
  return row;
}

export type LockedEnrollment = NonNullable<Awaited<ReturnType<typeof lockEnrollmentForUpdate>>>;

/** The enrollment's status, course and hold, with its student's locale (for the e-mail to the payer). */
export async function getEnrollmentWithStudentLocale(tx: DbOrTx, id: string) {
  const [row] = await tx
    .select({ status: enrollments.status, courseId: enrollments.courseId, holdExpiresAt: enrollments.holdExpiresAt, locale: students.locale })
    .from(enrollments)
    .innerJoin(students, eq(students.id, enrollments.studentId))
    .where(eq(enrollments.id, id));
  return row;
}

/** The student's pending, confirmed or waitlisted enrollment in the course, if any (there is at most one). */
export async function findLiveEnrollment(tx: DbOrTx, params: { studentId: string; courseId: string }): Promise<{ id: string; status: Status } | undefined> {
  const [row] = await tx
    .select({ id: enrollments.id, status: enrollments.status })
    .from(enrollments)
    .where(
      and(
        eq(enrollments.studentId, params.studentId),
        eq(enrollments.courseId, params.courseId),
        sql`${enrollments.status} in ('pending_payment', 'confirmed', 'waitlisted')`,
      ),
    );
  return row;
}

export async function findEnrollmentBySubmissionKey(tx: DbOrTx, submissionKey: string) {
  const [row] = await tx
    .select({ id: enrollments.id, status: enrollments.status, courseId: enrollments.courseId })
    .from(enrollments)
    .where(eq(enrollments.submissionKey, submissionKey));
  return row;
}

/** A pending enrollment with its enrollment receipt: what the payment page needs to take the payment. */
export async function getEnrollmentWithReceipt(tx: DbOrTx, id: string) {
  const [row] = await tx
    .select({
      enrollmentId: enrollments.id,
      status: enrollments.status,
      holdExpiresAt: enrollments.holdExpiresAt,
      method: enrollments.paymentMethod,
      receiptId: receipts.id,
      receiptStatus: receipts.status,
      amount: receipts.amount,
      currency: receipts.currency,
    })
    .from(enrollments)
    .innerJoin(receipts, and(eq(receipts.enrollmentId, enrollments.id), eq(receipts.kind, "enrollment")))
    .where(eq(enrollments.id, id));
  return row;
}

export type NewEnrollment = typeof enrollments.$inferInsert;

export async function insertEnrollment(tx: DbOrTx, values: NewEnrollment): Promise<string> {
  const [row] = await tx.insert(enrollments).values(values).returning({ id: enrollments.id });
  return row!.id;
}

// --- the waiting list ---------------------------------------------------------------------------

/** The first on the course's waiting list (oldest first), its row locked. */
export async function lockFirstWaitlisted(tx: DbOrTx, courseId: string) {
  const [row] = await tx
    .select({ id: enrollments.id, studentId: enrollments.studentId, method: enrollments.paymentMethod })
    .from(enrollments)
    .where(and(eq(enrollments.courseId, courseId), eq(enrollments.status, "waitlisted")))
    .orderBy(asc(enrollments.createdAt))
    .limit(1)
    .for("update");
  return row;
}

export async function countWaitlisted(tx: DbOrTx, courseId: string): Promise<number> {
  const [{ position } = { position: 1 }] = await tx
    .select({ position: sql<number>`count(*)::int` })
    .from(enrollments)
    .where(and(eq(enrollments.courseId, courseId), eq(enrollments.status, "waitlisted")));
  return position;
}

/** The enrollment's place on its course's waiting list: those waiting there since no later than it. */
export async function waitlistPosition(tx: DbOrTx, params: { courseId: string; enrollmentId: string }): Promise<number> {
  const [{ position } = { position: 1 }] = await tx
    .select({ position: sql<number>`count(*)::int` })
    .from(enrollments)
    .where(
      and(
        eq(enrollments.courseId, params.courseId),
        eq(enrollments.status, "waitlisted"),
        sql`${enrollments.createdAt} <= (select created_at from enrollments where id = ${params.enrollmentId})`,
      ),
    );
  return position;
}

// --- the course, as enrolling reads it ----------------------------------------------------------

/** The course's row locked: it serialises everyone enrolling in it while seats are counted and taken. */
export async function lockCourseForEnrollment(tx: DbOrTx, courseId: string) {
  const [row] = await tx
    .select({
      id: courses.id,
      name: courses.name,
      status: courses.status,
      capacity: courses.capacity,
      enrollmentFee: courses.enrollmentFee,
      monthlyFee: courses.monthlyFee,
      currency: courses.currency,
      firstMonthOnEnrollment: courses.firstMonthOnEnrollment,
      startDate: courses.startDate,
      minAge: courses.minAge,
      maxAge: courses.maxAge,
    })
    .from(courses)
    .where(eq(courses.id, courseId))
    .for("update");
  return row;
}

// --- seat holds that run out -----------------------------------------------------------------
//
// What the expiry job reads (lib/enrollment/holds.ts decides), and the seat offered to the waiting list.

/** Pending enrollments whose hold ran out before `now`, the longest expired first. */
export async function listExpiredHolds(db: DbOrTx, params: { now: Date; limit: number }): Promise<{ id: string; courseId: string }[]> {
  return db
    .select({ id: enrollments.id, courseId: enrollments.courseId })
    .from(enrollments)
    .where(and(eq(enrollments.status, "pending_payment"), lt(enrollments.holdExpiresAt, params.now)))
    .orderBy(asc(enrollments.holdExpiresAt))
    .limit(params.limit);
}

/** Locks the enrollment's enrollment receipt (after the course, before the enrollment). */
export async function lockEnrollmentReceipt(tx: DbOrTx, enrollmentId: string) {
  const [row] = await tx
    .select({ id: receipts.id, status: receipts.status })
    .from(receipts)
    .where(and(eq(receipts.enrollmentId, enrollmentId), eq(receipts.kind, "enrollment")))
    .for("update");
  return row;
}

/** The course's capacity and fees, to issue the enrollment receipt of a seat offered. */
export async function getCourseForSeatOffer(tx: DbOrTx, courseId: string) {
  const [row] = await tx
    .select({
      capacity: courses.capacity,
      name: courses.name,
      enrollmentFee: courses.enrollmentFee,
      monthlyFee: courses.monthlyFee,
      currency: courses.currency,
      firstMonthOnEnrollment: courses.firstMonthOnEnrollment,
    })
    .from(courses)
    .where(eq(courses.id, courseId));
  return row;
}

/** The student and their paying guardian (if any), for who pays and in which language. */
export async function getStudentAndPayingGuardian(tx: DbOrTx, studentId: string) {
  const [student] = await tx
    .select({ firstName: students.firstName, lastName: students.lastName, email: students.email, document: students.documentNumber, locale: students.locale })
    .from(students)
    .where(eq(students.id, studentId));
  const [guardian] = await tx
    .select({ firstName: guardians.firstName, lastName: guardians.lastName, email: guardians.email, document: guardians.documentNumber })
    .from(guardians)
    .where(and(eq(guardians.studentId, studentId), eq(guardians.isPayer, true)))
    .limit(1);
  return { student, guardian };
}

/** The student and course named in the "seat released" e-mail. */
export async function getEnrollmentForHoldExpiredNotice(tx: DbOrTx, enrollmentId: string) {
  const [row] = await tx
    .select({ studentId: enrollments.studentId, firstName: students.firstName, lastName: students.lastName, course: courses.name, code: courses.code })
    .from(enrollments)
    .innerJoin(students, eq(students.id, enrollments.studentId))
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .where(eq(enrollments.id, enrollmentId));
  return row;
}

// --- what the confirmation e-mails say -------------------------------------------------------

/** The student and course of an enrollment, for the confirmation e-mails; undefined when there is none. */
export async function getEnrollmentForConfirmation(tx: DbOrTx, enrollmentId: string) {
  const [row] = await tx
    .select({
      firstName: students.firstName,
      lastName: students.lastName,
      email: students.email,
      birthDate: students.birthDate,
      locale: students.locale,
      course: courses.name,
      startDate: courses.startDate,
      schedule: courses.schedule,
    })
    .from(enrollments)
    .innerJoin(students, eq(students.id, enrollments.studentId))
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .where(eq(enrollments.id, enrollmentId));
  return row;
}

// --- staff's actions on an enrollment --------------------------------------------------------
//
// What they read and write besides the statuses (lib/enrollment/staff-actions.ts): the enrollment
// receipt, its paid attempt, monthly receipts still to come and "needs attention" items.

type AttentionKind = (typeof attentionKind.enumValues)[number];

/** The enrollment's enrollment receipt, not locked: callers lock it with `lockReceipt`. */
export async function findEnrollmentReceiptId(tx: DbOrTx, enrollmentId: string): Promise<string | undefined> {
  const [row] = await tx
    .select({ id: receipts.id })
    .from(receipts)
    .where(and(eq(receipts.enrollmentId, enrollmentId), eq(receipts.kind, "enrollment")));
  return row?.id;
}

/** The first attempt that succeeded on the receipt (by when it was finalised). */
export async function findFirstSucceededAttemptId(tx: DbOrTx, receiptId: string): Promise<string | undefined> {
  const [row] = await tx
    .select({ id: paymentAttempts.id })
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.receiptId, receiptId), eq(paymentAttempts.status, "succeeded")))
    .orderBy(paymentAttempts.finalizedAt)
    .limit(1);
  return row?.id;
}

/** Pending monthly receipts of the enrollment for months after `period` (YYYY-MM), locked, oldest month first. */
export async function lockPendingMonthlyReceiptsAfter(tx: DbOrTx, params: { enrollmentId: string; period: string }): Promise<{ id: string }[]> {
  return tx
    .select({ id: receipts.id })
    .from(receipts)
    .where(
      and(eq(receipts.enrollmentId, params.enrollmentId), eq(receipts.kind, "monthly"), eq(receipts.status, "pending"), gt(receipts.period, params.period)),
    )
    .orderBy(receipts.period)
    .for("update");
}

type Resolution = { resolvedAt: Date; resolvedBy: string; resolution: string };

/** Closes the receipt's open items of these kinds; returns the ones it closed. */
export async function resolveOpenAttentionForReceipt(
  tx: DbOrTx,
  params: { receiptId: string; kinds: AttentionKind[] } & Resolution,
): Promise<{ id: string; kind: AttentionKind }[]> {
  return tx
    .update(attentionItems)
    .set({ resolvedAt: params.resolvedAt, resolvedBy: params.resolvedBy, resolution: params.resolution })
    .where(and(eq(attentionItems.receiptId, params.receiptId), inArray(attentionItems.kind, params.kinds), isNull(attentionItems.resolvedAt)))
    .returning({ id: attentionItems.id, kind: attentionItems.kind });
}

/** Closes the item if it is still open; undefined when it was not (resolved already, or no such item). */
export async function markAttentionItemResolved(tx: DbOrTx, itemId: string, resolved: Resolution) {
  const [row] = await tx
    .update(attentionItems)
    .set({ resolvedAt: resolved.resolvedAt, resolvedBy: resolved.resolvedBy, resolution: resolved.resolution })
    .where(and(eq(attentionItems.id, itemId), isNull(attentionItems.resolvedAt)))
    .returning({ id: attentionItems.id, kind: attentionItems.kind, receiptId: attentionItems.receiptId, attemptId: attentionItems.attemptId });
  return row;
}

export async function attentionItemExists(tx: DbOrTx, itemId: string): Promise<boolean> {
  const [row] = await tx.select({ id: attentionItems.id }).from(attentionItems).where(eq(attentionItems.id, itemId));
  return row !== undefined;
}

export async function isAttentionItemOpen(tx: DbOrTx, itemId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: attentionItems.id })
    .from(attentionItems)
    .where(and(eq(attentionItems.id, itemId), isNull(attentionItems.resolvedAt)));
  return row !== undefined;
}

export async function lockAttentionItem(tx: DbOrTx, itemId: string) {
  const [row] = await tx
    .select({
      id: attentionItems.id,
      kind: attentionItems.kind,
      receiptId: attentionItems.receiptId,
      attemptId: attentionItems.attemptId,
      resolvedAt: attentionItems.resolvedAt,
    })
    .from(attentionItems)
    .where(eq(attentionItems.id, itemId))
    .for("update");
  return row;
}
