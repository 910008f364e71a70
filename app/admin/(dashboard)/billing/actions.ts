"use server";
// Issuing a month from the dashboard: authenticate (requireStaff; any staff may issue, as the
// issue says) → validate the month → issue in lib/billing (one transaction, audit lines with the
// user's id, a billing_runs row) → refresh the pages that show receipts.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { issueMonthAndSendLinks } from "@/lib/billing/issue-and-send";
import { isPeriod } from "@/lib/billing/monthly";
import { nudgeBulkSend } from "@/lib/jobs/worker";
import type { IssueActionState } from "./action-state";

const schema = z.object({ period: z.string().refine(isPeriod) });

export async function issueMonthAction(_previous: IssueActionState, formData: FormData): Promise<IssueActionState> {
  const user = await requireStaff();
  const parsed = schema.safeParse({ period: formData.get("period") ?? undefined });
  if (!parsed.success) return { status: "error", error: "invalid" };
  try {
    const result = await issueMonthAndSendLinks(await getDb(), { period: parsed.data.period, source: "staff", staffUserId: user.id });
    // The links go out from the send-bulk job; wake it rather than wait for its minute.
    if (result.bulkSendId) await nudgeBulkSend();
    return { status: "done", period: result.period, issued: result.issued, totals: result.total, at: Date.now() };
  } catch (error) {
    console.error("Monthly issuing failed:", error);
    return { status: "error", error: "generic" };
  } finally {
    revalidatePath("/admin/billing");
    revalidatePath("/admin/receipts");
    revalidatePath("/admin");
  }
}
