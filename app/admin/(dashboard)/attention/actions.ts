"use server";
// Resolving "needs attention" items. Each door is built by the action client (session; returning
// money is for admins: the form is hidden from staff and the door refuses them too) and acts in
// lib/enrollment/staff-actions.ts (one transaction, an audit line `attention.resolved` with the
// staff member's id); the pages that list items are refreshed.
import { z } from "zod";
import { getDb } from "@/db/client";
import { getAttentionItem } from "@/db/queries/dashboard-attention";
import { failure, staffFormAction, type StaffAccess } from "@/lib/actions/client";
import type { StaffSession } from "@/lib/auth/guard";
import { retryProvisioning } from "@/lib/campus/provision";
import { confirmEnrollmentByHand, refundExtraPayment, resolveAttentionItem } from "@/lib/enrollment/staff-actions";
import { peopleShown, type PeopleDone, type PeopleErrorCode } from "../enrollments/action-state";

const itemId = z.uuid();
const note = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((text) => text || undefined);

const done = (): PeopleDone => ({ status: "done", at: Date.now() });

function attentionAction<S extends z.ZodType>(
  name: string,
  access: StaffAccess,
  fields: readonly string[],
  input: S,
  act: (input: z.output<S>, user: StaffSession) => Promise<PeopleDone | ReturnType<typeof failure<PeopleErrorCode>>>,
) {
  return staffFormAction<S, PeopleDone, PeopleErrorCode>(
    { access, name, fields, input, shown: peopleShown, revalidate: ["/admin/attention", ["/admin/receipts", "layout"], "/admin/enrollments", "/admin"] },
    (parsed, { user }) => act(parsed, user),
  );
}

/** The item, if it is still open and about an enrollment. */
async function openEnrollmentItem(id: string) {
  const db = await getDb();
  const item = await getAttentionItem(db, id);
  if (!item) return { db, refused: failure<PeopleErrorCode>("not_found") };
  if (item.resolvedAt) return { db, refused: failure<PeopleErrorCode>("already_resolved") };
  if (!item.enrollmentId) return { db, refused: failure<PeopleErrorCode>("not_allowed") };
  return { db, item: { ...item, enrollmentId: item.enrollmentId } };
}

/** "Mark resolved" with a note saying what was done (required), or "acknowledge" (note optional). */
export const resolveAttentionAction = attentionAction(
  "Resolving an attention item",
  "staff",
  ["itemId", "resolution", "note"],
  z.discriminatedUnion("resolution", [
    z.object({ itemId, resolution: z.literal("resolved"), note: z.string().trim().min(3).max(500) }),
    z.object({ itemId, resolution: z.literal("acknowledged"), note }),
  ]),
  async (input, user) => {
    await resolveAttentionItem(await getDb(), { itemId: input.itemId, staffUserId: user.id, resolution: input.resolution, note: input.note });
    return done();
  },
);

/** Returns the extra payment through its provider (admins only: staff make no refunds). */
export const refundExtraPaymentAction = attentionAction("Returning an extra payment", "admin", ["itemId"], z.object({ itemId }), async (input, user) => {
  await refundExtraPayment(await getDb(), { itemId: input.itemId, staffUserId: user.id });
  return done();
});

/** Runs the failed campus provisioning of the receipt's enrollment again; resolves the item when it works. */
export const retrySideEffectAction = attentionAction("Retrying a side effect", "staff", ["itemId"], z.object({ itemId }), async (input, user) => {
  const { db, item, refused } = await openEnrollmentItem(input.itemId);
  if (!item) return refused;
  const report = await retryProvisioning(db, item.enrollmentId);
  const failed = report.outcomes.filter((o) => o.status === "failed");
  if (failed.length > 0 || report.skipped) return failure<PeopleErrorCode>("retry_failed");
  await resolveAttentionItem(db, { itemId: item.id, staffUserId: user.id, resolution: "side_effect_retried" });
  return done();
});

/** Confirms the enrollment a paid receipt pays (it closes the item in the same transaction). */
export const confirmFromAttentionAction = attentionAction(
  "Confirming from an attention item",
  "staff",
  ["itemId", "note"],
  z.object({ itemId, note }),
  async (input, user) => {
    const { db, item, refused } = await openEnrollmentItem(input.itemId);
    if (!item) return refused;
    await confirmEnrollmentByHand(db, { enrollmentId: item.enrollmentId, staffUserId: user.id, note: input.note });
    return done();
  },
);
