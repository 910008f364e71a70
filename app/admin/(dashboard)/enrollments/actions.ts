"use server";
// The enrollment actions staff take by hand: confirm (paid at the desk), cancel with a reason,
// withdraw a confirmed student. Each door is built by the action client (session → the named
// fields, validated) and acts in lib/ (one transaction with its audit lines); the pages that
// show the seat are refreshed.
import { z } from "zod";
import { getDb } from "@/db/client";
import { staffFormAction } from "@/lib/actions/client";
import { cancelEnrollment, confirmEnrollmentByHand, withdrawEnrollment } from "@/lib/enrollment/staff-actions";
import { manualMethods } from "@/lib/payments/manual";
import { getAcademy } from "@/lib/settings/read";
import { peopleShown, type PeopleDone, type PeopleErrorCode } from "./action-state";

const enrollmentId = z.uuid();
const reason = z.string().trim().min(3).max(500);
const note = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((text) => text || undefined);

const refreshed = ["/admin/enrollments", ["/admin/courses", "layout"], ["/admin/students", "layout"], "/admin/attention", "/admin"] as const;

function enrollmentAction<S extends z.ZodType>(
  name: string,
  fields: readonly string[],
  input: S,
  act: (input: z.output<S>, staffUserId: string) => Promise<unknown>,
) {
  return staffFormAction<S, PeopleDone, PeopleErrorCode>(
    { access: "staff", name, fields, input, shown: peopleShown, revalidate: refreshed },
    async (parsed, { user }) => {
      await act(parsed, user.id);
      return { status: "done", at: Date.now() };
    },
  );
}

const confirmInput = z.object({
  enrollmentId,
  method: z
    .enum(manualMethods)
    .or(z.literal(""))
    .optional()
    .transform((m) => m || undefined),
  note,
});

export const confirmEnrollmentAction = enrollmentAction(
  "Confirming an enrollment",
  ["enrollmentId", "method", "note"],
  confirmInput,
  async (input, staffUserId) => confirmEnrollmentByHand(await getDb(), { ...input, staffUserId }),
);

export const cancelEnrollmentAction = enrollmentAction(
  "Cancelling an enrollment",
  ["enrollmentId", "reason"],
  z.object({ enrollmentId, reason }),
  async (input, staffUserId) => cancelEnrollment(await getDb(), { ...input, staffUserId }),
);

export const withdrawEnrollmentAction = enrollmentAction(
  "Withdrawing an enrollment",
  ["enrollmentId", "reason"],
  z.object({ enrollmentId, reason }),
  async (input, staffUserId) => {
    const db = await getDb();
    const timeZone = (await getAcademy(db))?.timeZone ?? "Europe/Madrid";
    await withdrawEnrollment(db, { ...input, staffUserId, timeZone });
  },
);
