"use server";
// Creating and editing courses, and offering a free seat to the waiting list. Each door is built
// by the action client (session → the course schema of lib/courses/schema.ts: fees typed in
// euros, stored in cents) and acts in lib/courses/manage.ts (one transaction, audit line); the
// pages that show the course are refreshed. A refused form gets back what was typed.
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { failure, staffFormAction } from "@/lib/actions/client";
import { CourseError, createCourse, offerFreeSeat, updateCourse } from "@/lib/courses/manage";
import { courseFields, courseFormSchema } from "@/lib/courses/schema";
import { peopleShown, type PeopleDone, type PeopleErrorCode } from "../enrollments/action-state";

/** The course's own fields; a missing one is an empty string. */
function courseForm(formData: FormData): Record<string, string> {
  return Object.fromEntries(
    courseFields.map((name) => {
      const value = formData.get(name);
      return [name, typeof value === "string" ? value : ""];
    }),
  );
}

/** A taken code or a capacity below the seats taken marks its field. */
async function markingField<T>(change: () => Promise<T>) {
  try {
    return { ok: true as const, value: await change() };
  } catch (error) {
    if (error instanceof CourseError && (error.code === "code_taken" || error.code === "capacity_below_taken")) {
      const field = error.code === "code_taken" ? "code" : "capacity";
      return { ok: false as const, refused: failure<PeopleErrorCode>(error.code, { fields: { [field]: error.code }, detail: error.detail }) };
    }
    throw error;
  }
}

export const createCourseAction = staffFormAction<typeof courseFormSchema, PeopleDone, PeopleErrorCode>(
  {
    access: "staff",
    name: "Creating a course",
    fields: courseForm,
    input: courseFormSchema,
    shown: peopleShown,
    keepValues: true,
    revalidate: ["/admin/courses", "/"],
  },
  async (course, { user }) => {
    const created = await markingField(async () => createCourse(await getDb(), { course, staffUserId: user.id }));
    if (!created.ok) return created.refused;
    redirect(`/admin/courses/${created.value.courseId}?created=1`);
  },
);

export const updateCourseAction = staffFormAction<typeof courseFormSchema, PeopleDone, PeopleErrorCode>(
  {
    access: "staff",
    name: "Editing a course",
    fields: courseForm,
    input: courseFormSchema,
    shown: peopleShown,
    keepValues: true,
    revalidate: [["/admin/courses", "layout"], "/"],
  },
  async (course, { user, formData }) => {
    const courseId = z.uuid().safeParse(formData.get("courseId"));
    if (!courseId.success) return failure<PeopleErrorCode>("not_found");
    const updated = await markingField(async () => updateCourse(await getDb(), { courseId: courseId.data, course, staffUserId: user.id }));
    return updated.ok ? { status: "done", at: Date.now() } : updated.refused;
  },
);

export const offerSeatAction = staffFormAction<z.ZodType<{ courseId: string }>, PeopleDone, PeopleErrorCode>(
  {
    access: "staff",
    name: "Offering a seat",
    fields: ["courseId"],
    input: z.object({ courseId: z.uuid() }),
    shown: peopleShown,
    revalidate: [["/admin/courses", "layout"], "/admin/enrollments"],
  },
  async ({ courseId }, { user }) => {
    await offerFreeSeat(await getDb(), { courseId, staffUserId: user.id });
    return { status: "done", at: Date.now() };
  },
);
