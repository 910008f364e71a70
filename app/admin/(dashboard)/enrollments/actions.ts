"use server";
// The enrollment actions staff take by hand: confirm (paid at the desk), cancel with a reason,
// withdraw a confirmed student. Each is a public endpoint: requireStaff → zod → lib (one
// transaction with its audit lines) → refresh the pages that show the seat.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { cancelEnrollment, confirmEnrollmentByHand, withdrawEnrollment } from "@/lib/enrollment/staff-actions";
import { manualMethods } from "@/lib/payments/manual";
import { getAcademy } from "@/lib/settings";
import { errorState, formFields } from "./action-errors";
import type { PeopleActionState } from "./action-state";

const enrollmentId = z.uuid();
const reason = z.string().trim().min(3).max(500);
const note = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((text) => text || undefined);

const schemas = {
  confirm: z.object({
    enrollmentId,
    method: z
      .enum(manualMethods)
      .or(z.literal(""))
      .optional()
      .transform((m) => m || undefined),
    note,
  }),
  cancel: z.object({ enrollmentId, reason }),
  withdraw: z.object({ enrollmentId, reason }),
};

function invalid(error: z.ZodError): PeopleActionState {
  return { status: "error", error: "invalid", fields: [...new Set(error.issues.map((issue) => String(issue.path[0])))] };
}

function refresh() {
  revalidatePath("/admin/enrollments");
  revalidatePath("/admin/courses", "layout");
  revalidatePath("/admin/students", "layout");
  revalidatePath("/admin/attention");
  revalidatePath("/admin");
}

export async function confirmEnrollmentAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const parsed = schemas.confirm.safeParse(formFields(formData, ["enrollmentId", "method", "note"]));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await confirmEnrollmentByHand(await getDb(), { ...parsed.data, staffUserId: user.id });
    return { status: "done", at: Date.now() };
  } catch (error) {
    return errorState(error, "Confirming an enrollment");
  } finally {
    refresh();
  }
}

export async function cancelEnrollmentAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const parsed = schemas.cancel.safeParse(formFields(formData, ["enrollmentId", "reason"]));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await cancelEnrollment(await getDb(), { ...parsed.data, staffUserId: user.id });
    return { status: "done", at: Date.now() };
  } catch (error) {
    return errorState(error, "Cancelling an enrollment");
  } finally {
    refresh();
  }
}

export async function withdrawEnrollmentAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const parsed = schemas.withdraw.safeParse(formFields(formData, ["enrollmentId", "reason"]));
  if (!parsed.success) return invalid(parsed.error);
  try {
    const db = await getDb();
    const timeZone = (await getAcademy(db))?.timeZone ?? "Europe/Madrid";
    await withdrawEnrollment(db, { ...parsed.data, staffUserId: user.id, timeZone });
    return { status: "done", at: Date.now() };
  } catch (error) {
    return errorState(error, "Withdrawing an enrollment");
  } finally {
    refresh();
  }
}
