"use server";
// Starting a month's payment-links send: staff only, the period validated, the send recorded
// (one open send per period) and the job nudged so the first e-mails leave at once.
import { z } from "zod";
import { getDb } from "@/db/client";
import { staffFormAction } from "@/lib/actions/client";
import { nudgeBulkSend } from "@/lib/jobs/worker";
import { startPaymentLinksSend } from "@/lib/messaging/bulk-send";
import type { BulkSendStarted } from "./action-state";

export const startBulkSendAction = staffFormAction<z.ZodType<{ period: string }>, BulkSendStarted, "nothing_to_send">(
  {
    access: "staff",
    name: "Starting a bulk send",
    fields: ["period"],
    input: z.object({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) }),
    shown: { nothing_to_send: "nothing_to_send", invalid_period: "invalid" },
  },
  async ({ period }, { user }) => {
    const started = await startPaymentLinksSend(await getDb(), { period, staffUserId: user.id });
    // In cron mode nothing runs here: the scheduled send-bulk call picks the send up.
    await nudgeBulkSend().catch((error: unknown) => console.error("Could not nudge the bulk send job:", error));
    return { status: "started", ...started, at: Date.now() };
  },
);
