// Staff create and edit courses, and offer a free seat to the waiting list by hand. Each runs
// in one transaction that locks the course row first (the lock every seat count takes, see
// lib/enrollment/holds.ts), so capacity can never drop below the seats taken at that instant,
// and writes an audit line with the staff member's id.
import "server-only";
import type { Db } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { countSeatsTaken, insertCourse, lockCourseCapacity, lockCourseForEdit, updateCourseRow } from "@/db/queries/courses";
import { offerSeatToWaitingList } from "@/lib/enrollment/holds";
import { courseCurrency, type CourseInput } from "./schema";
import { AppError } from "@/lib/errors";

export type CourseErrorCode = "course_not_found" | "code_taken" | "capacity_below_taken" | "no_free_seat" | "waiting_list_empty";

export class CourseError extends AppError<CourseErrorCode> {
  declare readonly detail: Record<string, number>;
  constructor(code: CourseErrorCode, message: string, detail: Record<string, number> = {}) {
    super(code, message, { detail });
    this.name = "CourseError";
  }
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

export async function createCourse(db: Db, input: { course: CourseInput; staffUserId: string }): Promise<{ courseId: string }> {
  try {
    return await db.transaction(async (tx) => {
      const courseId = await insertCourse(tx, { ...input.course, currency: courseCurrency });
      await recordAudit(tx, { source: "staff", action: "course.created", staffUserId: input.staffUserId, data: { courseId, ...input.course } });
      return { courseId };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new CourseError("code_taken", `course code ${input.course.code} exists`);
    throw error;
  }
}

export async function updateCourse(db: Db, input: { courseId: string; course: CourseInput; staffUserId: string; now?: Date }): Promise<{ changed: string[] }> {
  const now = input.now ?? new Date();
  try {
    return await db.transaction(async (tx) => {
      const current = await lockCourseForEdit(tx, input.courseId);
      if (!current) throw new CourseError("course_not_found", `no course ${input.courseId}`);
      const taken = await countSeatsTaken(tx, { courseId: input.courseId, now });
      if (input.course.capacity < taken) {
        throw new CourseError("capacity_below_taken", `capacity ${input.course.capacity} is below the ${taken} seats taken`, { taken });
      }
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [key, value] of Object.entries(input.course) as [keyof CourseInput, unknown][]) {
        if (current[key] !== value) changes[key] = { from: current[key], to: value };
      }
      const changed = Object.keys(changes);
      if (changed.length === 0) return { changed };
      await updateCourseRow(tx, input.courseId, { ...input.course, updatedAt: now });
      await recordAudit(tx, { source: "staff", action: "course.updated", staffUserId: input.staffUserId, data: { courseId: input.courseId, changes } });
      return { changed };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new CourseError("code_taken", `course code ${input.course.code} exists`);
    throw error;
  }
}

/**
 * "Offer the seat": the first on the waiting list gets a hold and a receipt with its payment
 * link (as when a hold expires). Refused when no seat is free or nobody is waiting.
 */
export async function offerFreeSeat(db: Db, input: { courseId: string; staffUserId: string; now?: Date }): Promise<void> {
  const now = input.now ?? new Date();
  await db.transaction(async (tx) => {
    const course = await lockCourseCapacity(tx, input.courseId);
    if (!course) throw new CourseError("course_not_found", `no course ${input.courseId}`);
    const taken = await countSeatsTaken(tx, { courseId: input.courseId, now });
    if (taken >= course.capacity) throw new CourseError("no_free_seat", "the course is full");
    const offered = await offerSeatToWaitingList(tx, input.courseId, now);
    if (!offered) throw new CourseError("waiting_list_empty", "nobody is waiting");
    await recordAudit(tx, { source: "staff", action: "course.seat_offered", staffUserId: input.staffUserId, data: { courseId: input.courseId } });
  });
}
