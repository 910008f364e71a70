"use server";
// Issuing a month from the dashboard: any staff member may (the action client checks the
// session) → the month validated → issued in lib/billing (one transaction, audit lines with the
// user's id, a billing_runs row) → the pages that show receipts refreshed.
import { z } from "zod";
import { getDb } from "@/db/client";
import { staffFormAction } from "@/lib/actions/client";
import { issueMonthAndSendLinks } from "@/lib/billing/issue-and-send";
import { isPeriod } from "@/lib/billing/monthly";
import { nudgeBulkSend } from "@/lib/jobs/worker";
import type { MonthIssued } from "./action-state";

export const issueMonthAction = staffFormAction<z.ZodType<{ period: string }>, MonthIssued>(
  {
    access: "staff",
    name: "Monthly issuing",
    fields: ["period"],
    input: z.object({ period: z.string().refine(isPeriod) }),
    revalidate: ["/admin/billing", "/admin/receipts", "/admin"],
  },
  async ({ period }, { user }) => {
    const result = await issueMonthAndSendLinks(await getDb(), { period, source: "staff", staffUserId: user.id });
    // The links go out from the send-bulk job; wake it rather than wait for its minute.
    if (result.bulkSendId) await nudgeBulkSend();
    return { status: "done", period: result.period, issued: result.issued, totals: result.total, at: Date.now() };
  },
);
