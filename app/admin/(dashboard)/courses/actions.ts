"use server";
// Creating and editing courses, and offering a free seat to the waiting list. Each action:
// requireStaff → the course schema (lib/courses/schema.ts; fees typed in euros, stored in cents)
// → lib/courses/manage.ts (one transaction, audit line) → refresh the pages that show it.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { createCourse, offerFreeSeat, updateCourse } from "@/lib/courses/manage";
import { courseFields, parseCourseForm } from "@/lib/courses/schema";
import { errorState, formFields } from "../enrollments/action-errors";
import type { PeopleActionState } from "../enrollments/action-state";

function typed(formData: FormData): Record<string, string> {
  return Object.fromEntries(courseFields.map((name) => [name, String(formData.get(name) ?? "")]));
}

export async function createCourseAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const parsed = parseCourseForm(formData);
  if (!parsed.ok) return { status: "error", error: "invalid", fields: parsed.fields, values: typed(formData), at: Date.now() };
  let courseId: string;
  try {
    ({ courseId } = await createCourse(await getDb(), { course: parsed.course, staffUserId: user.id }));
  } catch (error) {
    const state = errorState(error, "Creating a course");
    return state.status === "error" ? { ...state, fields: state.error === "code_taken" ? ["code"] : undefined, values: typed(formData), at: Date.now() } : state;
  }
  revalidatePath("/admin/courses");
  revalidatePath("/");
  redirect(`/admin/courses/${courseId}?created=1`);
}

export async function updateCourseAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const courseId = z.uuid().safeParse(formData.get("courseId"));
  if (!courseId.success) return { status: "error", error: "not_found" };
  const parsed = parseCourseForm(formData);
  if (!parsed.ok) return { status: "error", error: "invalid", fields: parsed.fields, values: typed(formData), at: Date.now() };
  try {
    await updateCourse(await getDb(), { courseId: courseId.data, course: parsed.course, staffUserId: user.id });
    return { status: "done", at: Date.now() };
  } catch (error) {
    const state = errorState(error, "Editing a course");
    if (state.status !== "error") return state;
    const fields = state.error === "code_taken" ? ["code"] : state.error === "capacity_below_taken" ? ["capacity"] : undefined;
    return { ...state, fields, values: typed(formData), at: Date.now() };
  } finally {
    revalidatePath(`/admin/courses/${courseId.data}`);
    revalidatePath("/admin/courses");
    revalidatePath("/");
  }
}

export async function offerSeatAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const parsed = z.object({ courseId: z.uuid() }).safeParse(formFields(formData, ["courseId"]));
  if (!parsed.success) return { status: "error", error: "not_found" };
  try {
    await offerFreeSeat(await getDb(), { courseId: parsed.data.courseId, staffUserId: user.id });
    return { status: "done", at: Date.now() };
  } catch (error) {
    return errorState(error, "Offering a seat");
  } finally {
    revalidatePath(`/admin/courses/${parsed.data.courseId}`);
    revalidatePath("/admin/enrollments");
  }
}
