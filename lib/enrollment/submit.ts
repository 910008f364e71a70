// Submitting an enrollment, in one transaction: the student (and a minor's guardian) matched or
// created without changing anyone on record (lib/students/identity.ts), the course row locked while its seats are counted, the enrollment held for payment
// and its receipt issued. The submission key makes a double click, the back button or a second
// tab find the same enrollment instead of creating another.
import "server-only";
import type { Db, Tx } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { readHoldMinutes } from "@/lib/settings/read";
import { countSeatsTaken } from "@/db/queries/courses";
import {
  countWaitlisted,
  findEnrollmentBySubmissionKey,
  findLiveEnrollment,
  getEnrollmentWithReceipt,
  insertEnrollment,
  lockCourseForEnrollment,
  waitlistPosition,
} from "@/db/queries/enrollments";
import { calendarDate } from "@/lib/dates";
import { withinAgeRange } from "./birth-date";
import { isOnlineMethod, type OnlineMethod } from "@/lib/payments/types";
import { issueReceipt } from "@/lib/receipts/issue";
import { flagIdentityConflict, matchOrCreateStudent } from "@/lib/students/identity";

export type PersonInput = {
  firstName: string;
  lastName: string;
  documentType: "dni" | "nie" | "passport";
  documentNumber: string;
  email: string;
  phone: string;
};

export type EnrollmentRequest = {
  submissionKey: string;
  courseId: string;
  /** Under 14 the document may be missing (most children that age have none). */
  student: Omit<PersonInput, "documentType" | "documentNumber"> & {
    documentType?: PersonInput["documentType"];
    documentNumber?: PersonInput["documentNumber"];
    birthDate: string;
    address?: string;
    postcode: string;
    city: string;
  };
  /** Present when the student is a minor: the guardian pays. */
  guardian?: PersonInput & { relationship: string };
  consents: { dataProtection: true; terms: true; imageRights: boolean };
  method: OnlineMethod;
  locale: "es" | "en";
  /** Join the waiting list when the course is full (the wizard asks first). */
  joinWaitlist: boolean;
};

export type EnrollmentHeld = {
  kind: "held";
  enrollmentId: string;
  receiptId: string;
  amount: number;
  currency: string;
  holdExpiresAt: Date;
  method: OnlineMethod;
};

export type SubmitResult =
  | EnrollmentHeld
  | { kind: "waitlisted"; enrollmentId: string; position: number }
  | { kind: "full" }
  | { kind: "closed" }
  /** The student's age on the course's start date is outside the course's range. */
  | { kind: "age_out_of_range"; minAge: number | null; maxAge: number | null }
  | { kind: "already_enrolled"; status: "confirmed" | "waitlisted" };

/** Minutes a seat is held for a payment by each method (settings may shorten or lengthen them). */
export const defaultHoldMinutes: Record<OnlineMethod, number> = { redsys: 30, bizum: 30, stripe: 45, paypal: 45 };

export async function submitEnrollment(
  db: Db,
  request: EnrollmentRequest,
  options: { now?: Date; holdMinutes?: Record<OnlineMethod, number> } = {},
): Promise<SubmitResult> {
  const now = options.now ?? new Date();
  const holdMinutes = options.holdMinutes ?? (await readHoldMinutes(db)) ?? defaultHoldMinutes;
  try {
    return await db.transaction((tx) => submitIn(tx, request, now, holdMinutes));
  } catch (error) {
    // Two tabs sent the same submission at the same instant: the other one won; show its result.
    if (isUniqueViolation(error, "enrollments_submissionKey_unique")) {
      const again = await db.transaction((tx) => findBySubmission(tx, request.submissionKey));
      if (again) return again;
    }
    throw error;
  }
}

async function submitIn(tx: Tx, request: EnrollmentRequest, now: Date, holdMinutes: Record<OnlineMethod, number>): Promise<SubmitResult> {
  const previous = await findBySubmission(tx, request.submissionKey);
  if (previous) return previous;

  // The course row lock serialises everyone enrolling in this course: seats are counted and
  // taken by one transaction at a time.
  const course = await lockCourseForEnrollment(tx, request.courseId);
  if (!course || course.status !== "open") return { kind: "closed" };
  if (!withinAgeRange(request.student.birthDate, course, calendarDate(now))) return { kind: "age_out_of_range", minAge: course.minAge, maxAge: course.maxAge };

  const match = await matchOrCreateStudent(tx, { ...request.student, locale: request.locale }, "enrollment", request.guardian);
  const studentId = match.id;

  const live = await findLiveEnrollment(tx, { studentId, courseId: course.id });
  if (live?.status === "confirmed" || live?.status === "waitlisted") return { kind: "already_enrolled", status: live.status };
  if (live?.status === "pending_payment") {
    // Still holding a seat from an earlier try: pay that same receipt.
    const held = await heldResult(tx, live.id);
    if (held) return held;
  }

  const taken = await countSeatsTaken(tx, { courseId: course.id, now });
  const consents = { dataProtectionAcceptedAt: now, termsAcceptedAt: now, imageRightsAccepted: request.consents.imageRights };

  if (taken >= course.capacity) {
    if (!request.joinWaitlist) return { kind: "full" };
    const waitingId = await insertEnrollment(tx, {
      studentId,
      courseId: course.id,
      status: "waitlisted",
      submissionKey: request.submissionKey,
      paymentMethod: request.method,
      ...consents,
    });
    await flagIdentityConflict(tx, match);
    const position = await countWaitlisted(tx, course.id);
    await recordAudit(tx, { source: "enrollment", action: "enrollment.waitlisted", enrollmentId: waitingId, data: { position } });
    return { kind: "waitlisted", enrollmentId: waitingId, position };
  }

  const holdExpiresAt = new Date(now.getTime() + holdMinutes[request.method] * 60_000);
  const enrollmentId = await insertEnrollment(tx, {
    studentId,
    courseId: course.id,
    status: "pending_payment",
    holdExpiresAt,
    submissionKey: request.submissionKey,
    paymentMethod: request.method,
    ...consents,
  });
  const amount = course.enrollmentFee + (course.firstMonthOnEnrollment ? course.monthlyFee : 0);
  const payer = request.guardian ?? request.student;
  const receipt = await issueReceipt(
    tx,
    {
      studentId,
      kind: "enrollment",
      enrollmentId,
      concept: course.firstMonthOnEnrollment ? `Matrícula y primera mensualidad — ${course.name}` : `Matrícula — ${course.name}`,
      amount,
      currency: course.currency,
      dueDate: calendarDate(now),
      payer: { name: `${payer.firstName} ${payer.lastName}`, email: payer.email, document: payer.documentNumber },
    },
    "enrollment",
  );
  await flagIdentityConflict(tx, match, receipt.id);
  await recordAudit(tx, {
    source: "enrollment",
    action: "enrollment.held",
    enrollmentId,
    receiptId: receipt.id,
    data: { course: course.name, method: request.method, holdExpiresAt: holdExpiresAt.toISOString() },
  });
  return { kind: "held", enrollmentId, receiptId: receipt.id, amount, currency: course.currency, holdExpiresAt, method: request.method };
}

async function findBySubmission(tx: Tx, submissionKey: string): Promise<SubmitResult | undefined> {
  const enrollment = await findEnrollmentBySubmissionKey(tx, submissionKey);
  if (!enrollment) return undefined;
  if (enrollment.status === "waitlisted") {
    const position = await waitlistPosition(tx, { courseId: enrollment.courseId, enrollmentId: enrollment.id });
    return { kind: "waitlisted", enrollmentId: enrollment.id, position };
  }
  if (enrollment.status === "confirmed") return { kind: "already_enrolled", status: "confirmed" };
  return (await heldResult(tx, enrollment.id)) ?? { kind: "closed" };
}

async function heldResult(tx: Tx, enrollmentId: string): Promise<EnrollmentHeld | undefined> {
  const row = await getEnrollmentWithReceipt(tx, enrollmentId);
  if (!row || row.status !== "pending_payment" || row.receiptStatus !== "pending" || !row.holdExpiresAt) return undefined;
  const method = isOnlineMethod(row.method) ? row.method : "redsys";
  return {
    kind: "held",
    enrollmentId: row.enrollmentId,
    receiptId: row.receiptId,
    amount: row.amount,
    currency: row.currency,
    holdExpiresAt: row.holdExpiresAt,
    method,
  };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const candidate = e as { code?: unknown; constraint?: unknown };
    if (candidate.code === "23505" && candidate.constraint === constraint) return true;
  }
  return false;
}
