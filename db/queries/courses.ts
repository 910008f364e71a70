// Writing courses (staff's course form, lib/courses/manage.ts): the insert, the row lock every
// seat count takes first, the count under that lock, and the update.
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { courses, enrollments } from "@/db/schema";
import { seatTakingAt } from "./catalog";

type CourseValues = typeof courses.$inferInsert;

export async function insertCourse(tx: DbOrTx, values: CourseValues): Promise<string> {
  const [row] = await tx.insert(courses).values(values).returning({ id: courses.id });
  return row!.id;
}

/** The course's editable fields, its row locked until commit; undefined when there is none. */
export async function lockCourseForEdit(tx: DbOrTx, id: string) {
  const [row] = await tx
    .select({
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
      status: courses.status,
      minAge: courses.minAge,
      maxAge: courses.maxAge,
      campusCourseId: courses.campusCourseId,
    })
    .from(courses)
    .where(eq(courses.id, id))
    .for("update");
  return row;
}

/** The course's capacity, its row locked until commit; undefined when there is none. */
export async function lockCourseCapacity(tx: DbOrTx, id: string): Promise<{ capacity: number } | undefined> {
  const [row] = await tx.select({ capacity: courses.capacity }).from(courses).where(eq(courses.id, id)).for("update");
  return row;
}

/** Seats taken at `now`: confirmed plus pending holds still running (count it under the course lock). */
export async function countSeatsTaken(tx: DbOrTx, params: { courseId: string; now: Date }): Promise<number> {
  const [row] = await tx
    .select({ taken: sql<number>`count(*)::int` })
    .from(enrollments)
    .where(and(eq(enrollments.courseId, params.courseId), seatTakingAt(params.now)));
  return Number(row?.taken ?? 0);
}

export async function updateCourseRow(tx: DbOrTx, id: string, values: Partial<CourseValues>): Promise<void> {
  await tx.update(courses).set(values).where(eq(courses.id, id));
}
