// The staff dashboard's courses: the list with seats taken/held/free and waiting list length,
// one course for its page and form, and its waiting list in order (first in line first).
import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { courses, enrollments, students } from "@/db/schema";

/**
 * Seat counts for a set of courses, as the enrollment path counts them: confirmed seats are
 * taken, pending ones with a running hold are held; expired holds count for nobody.
 */
function seatCounts(now: Date) {
  const at = now.toISOString();
  // Spelled out: drizzle leaves a single table's columns unqualified in select lists, and a bare
  // "id" inside the subquery would be the enrollment's own id.
  const courseId = sql.raw(`"courses"."id"`);
  return {
    confirmed: sql<number>`(select count(*)::int from ${enrollments} e where e.course_id = ${courseId} and e.status = 'confirmed')`.mapWith(Number),
    held: sql<number>`(select count(*)::int from ${enrollments} e where e.course_id = ${courseId} and e.status = 'pending_payment' and e.hold_expires_at > ${at}::timestamptz)`.mapWith(
      Number,
    ),
    waiting: sql<number>`(select count(*)::int from ${enrollments} e where e.course_id = ${courseId} and e.status = 'waitlisted')`.mapWith(Number),
  };
}

/** Every course (an academy has tens, not thousands): open first, then by start date and name. */
export async function listDashboardCourses(db: DbOrTx, params: { now?: Date } = {}) {
  const rows = await db
    .select({
      id: courses.id,
      code: courses.code,
      name: courses.name,
      level: courses.level,
      status: courses.status,
      startDate: courses.startDate,
      endDate: courses.endDate,
      capacity: courses.capacity,
      enrollmentFee: courses.enrollmentFee,
      monthlyFee: courses.monthlyFee,
      currency: courses.currency,
      ...seatCounts(params.now ?? new Date()),
    })
    .from(courses)
    .orderBy(sql`case ${courses.status} when 'open' then 0 when 'draft' then 1 else 2 end`, asc(courses.startDate), asc(courses.name));
  return rows.map((row) => ({ ...row, free: Math.max(0, row.capacity - row.confirmed - row.held) }));
}

export type DashboardCourseRow = Awaited<ReturnType<typeof listDashboardCourses>>[number];

export async function getDashboardCourse(db: DbOrTx, courseId: string, params: { now?: Date } = {}) {
  const now = params.now ?? new Date();
  const [course] = await db
    .select({
      id: courses.id,
      code: courses.code,
      name: courses.name,
      description: courses.description,
      level: courses.level,
      schedule: courses.schedule,
      startDate: courses.startDate,
      endDate: courses.endDate,
      capacity: courses.capacity,
      enrollmentFee: courses.enrollmentFee,
      monthlyFee: courses.monthlyFee,
      currency: courses.currency,
      firstMonthOnEnrollment: courses.firstMonthOnEnrollment,
      status: courses.status,
      campusCourseId: courses.campusCourseId,
      minAge: courses.minAge,
      maxAge: courses.maxAge,
      ...seatCounts(now),
    })
    .from(courses)
    .where(eq(courses.id, courseId));
  if (!course) return undefined;
  return { ...course, free: Math.max(0, course.capacity - course.confirmed - course.held) };
}

export type DashboardCourse = NonNullable<Awaited<ReturnType<typeof getDashboardCourse>>>;

/** The waiting list in the order seats are offered (lib/enrollment/holds.ts: oldest first). */
export async function listWaitingList(db: DbOrTx, courseId: string) {
  return db
    .select({
      enrollmentId: enrollments.id,
      studentId: students.id,
      firstName: students.firstName,
      lastName: students.lastName,
      email: students.email,
      since: enrollments.createdAt,
    })
    .from(enrollments)
    .innerJoin(students, eq(students.id, enrollments.studentId))
    .where(and(eq(enrollments.courseId, courseId), eq(enrollments.status, "waitlisted")))
    .orderBy(asc(enrollments.createdAt), asc(enrollments.id));
}

/** Course ids and names for filters. */
export async function listCourseOptions(db: DbOrTx) {
  return db.select({ id: courses.id, code: courses.code, name: courses.name }).from(courses).orderBy(asc(courses.name));
}
