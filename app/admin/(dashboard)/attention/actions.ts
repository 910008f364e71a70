"use server";
// Resolving "needs attention" items. Each action: requireStaff (refunds: admin) → zod → lib
// (lib/enrollment/staff-actions.ts: one transaction, an audit line `attention.resolved` with the
// staff member's id) → refresh. Returning money is for admins; the form is hidden from staff and
// the endpoint refuses them too.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { getAttentionItem } from "@/db/queries/dashboard-attention";
import { requireStaff } from "@/lib/auth/guard";
import { retryProvisioning } from "@/lib/campus/provision";
import { confirmEnrollmentByHand, refundExtraPayment, resolveAttentionItem } from "@/lib/enrollment/staff-actions";
import { errorState, formFields } from "../enrollments/action-errors";
import type { PeopleActionState } from "../enrollments/action-state";

const itemId = z.uuid();
const note = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((text) => text || undefined);

function refresh() {
  revalidatePath("/admin/attention");
  revalidatePath("/admin/receipts", "layout");
  revalidatePath("/admin/enrollments");
  revalidatePath("/admin");
}

function invalid(error: z.ZodError): PeopleActionState {
  return { status: "error", error: "invalid", fields: [...new Set(error.issues.map((issue) => String(issue.path[0])))] };
}

/** "Mark resolved" with a note saying what was done (required), or "acknowledge" (note optional). */
export async function resolveAttentionAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const parsed = z
    .discriminatedUnion("resolution", [
      z.object({ itemId, resolution: z.literal("resolved"), note: z.string().trim().min(3).max(500) }),
      z.object({ itemId, resolution: z.literal("acknowledged"), note }),
    ])
    .safeParse(formFields(formData, ["itemId", "resolution", "note"]));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await resolveAttentionItem(await getDb(), { itemId: parsed.data.itemId, staffUserId: user.id, resolution: parsed.data.resolution, note: parsed.data.note });
    return { status: "done", at: Date.now() };
  } catch (error) {
    return errorState(error, "Resolving an attention item");
  } finally {
    refresh();
  }
}

/** Returns the extra payment through its provider (admins only: staff make no refunds). */
export async function refundExtraPaymentAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  if (user.role !== "admin") return { status: "error", error: "forbidden" };
  const parsed = z.object({ itemId }).safeParse(formFields(formData, ["itemId"]));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await refundExtraPayment(await getDb(), { itemId: parsed.data.itemId, staffUserId: user.id });
    return { status: "done", at: Date.now() };
  } catch (error) {
    return errorState(error, "Returning an extra payment");
  } finally {
    refresh();
  }
}

/** Runs the failed campus provisioning of the receipt's enrollment again; resolves the item when it works. */
export async function retrySideEffectAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const parsed = z.object({ itemId }).safeParse(formFields(formData, ["itemId"]));
  if (!parsed.success) return invalid(parsed.error);
  try {
    const db = await getDb();
    const item = await getAttentionItem(db, parsed.data.itemId);
    if (!item) return { status: "error", error: "not_found" };
    if (item.resolvedAt) return { status: "error", error: "already_resolved" };
    if (!item.enrollmentId) return { status: "error", error: "not_allowed" };
    const report = await retryProvisioning(db, item.enrollmentId);
    const failed = report.outcomes.filter((o) => o.status === "failed");
    if (failed.length > 0 || report.skipped) return { status: "error", error: "retry_failed" };
    await resolveAttentionItem(db, { itemId: item.id, staffUserId: user.id, resolution: "side_effect_retried" });
    return { status: "done", at: Date.now() };
  } catch (error) {
    return errorState(error, "Retrying a side effect");
  } finally {
    refresh();
  }
}

/** Confirms the enrollment a paid receipt pays (it closes the item in the same transaction). */
export async function confirmFromAttentionAction(_previous: PeopleActionState, formData: FormData): Promise<PeopleActionState> {
  const user = await requireStaff();
  const parsed = z.object({ itemId, note }).safeParse(formFields(formData, ["itemId", "note"]));
  if (!parsed.success) return invalid(parsed.error);
  try {
    const db = await getDb();
    const item = await getAttentionItem(db, parsed.data.itemId);
    if (!item) return { status: "error", error: "not_found" };
    if (item.resolvedAt) return { status: "error", error: "already_resolved" };
    if (!item.enrollmentId) return { status: "error", error: "not_allowed" };
    await confirmEnrollmentByHand(db, { enrollmentId: item.enrollmentId, staffUserId: user.id, note: parsed.data.note });
    return { status: "done", at: Date.now() };
  } catch (error) {
    return errorState(error, "Confirming from an attention item");
  } finally {
    refresh();
  }
}
