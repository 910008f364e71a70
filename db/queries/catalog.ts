import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { courses, enrollments } from "@/db/schema";

/**
 * Seats are taken by confirmed enrollments and by pending ones whose hold has not expired.
 * The same rule decides capacity when someone enrolls.
 */
export function seatTakingAt(now: Date = new Date()) {
  return sql`(${enrollments.status} = 'confirmed'
    or (${enrollments.status} = 'pending_payment' and ${enrollments.holdExpiresAt} > ${now.toISOString()}::timestamptz))`;
}

export async function listOpenCourses(db: DbOrTx) {
  const taken = db
    .select({ courseId: enrollments.courseId, count: sql<number>`count(*)::int`.as("taken") })
    .from(enrollments)
    .where(seatTakingAt())
    .groupBy(enrollments.courseId)
    .as("taken");
  const rows = await db
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
      minAge: courses.minAge,
      maxAge: courses.maxAge,
      taken: sql<number>`coalesce(${taken.count}, 0)`,
    })
    .from(courses)
    .leftJoin(taken, eq(taken.courseId, courses.id))
    .where(and(eq(courses.status, "open")))
    .orderBy(asc(courses.name));
  return rows.map(({ taken: seatsTaken, ...course }) => ({
    ...course,
    seatsLeft: Math.max(0, course.capacity - Number(seatsTaken)),
  }));
}

export type CatalogCourse = Awaited<ReturnType<typeof listOpenCourses>>[number];

/** The course the enrollment wizard is for, by its public code, with the seats left now. */
export async function getCourseByCode(db: DbOrTx, code: string) {
  const [course] = await db
    .select({
      id: courses.id,
      code: courses.code,
      name: courses.name,
      description: courses.description,
      schedule: courses.schedule,
      startDate: courses.startDate,
      endDate: courses.endDate,
      status: courses.status,
      capacity: courses.capacity,
      enrollmentFee: courses.enrollmentFee,
      monthlyFee: courses.monthlyFee,
      currency: courses.currency,
      firstMonthOnEnrollment: courses.firstMonthOnEnrollment,
      minAge: courses.minAge,
      maxAge: courses.maxAge,
      taken: sql<number>`(select count(*)::int from ${enrollments} where ${enrollments.courseId} = ${courses.id} and ${seatTakingAt()})`,
    })
    .from(courses)
    .where(eq(courses.code, code));
  if (!course) return undefined;
  const { taken, ...rest } = course;
  return { ...rest, seatsLeft: Math.max(0, course.capacity - Number(taken)) };
}

export type EnrollmentCourse = NonNullable<Awaited<ReturnType<typeof getCourseByCode>>>;
