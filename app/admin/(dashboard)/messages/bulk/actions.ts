"use server";
// Starting a month's payment-links send: staff only, the period validated, the send recorded
// (one open send per period) and the job nudged so the first emails leave at once.
import { z } from "zod";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { nudgeBulkSend } from "@/lib/jobs/worker";
import { BulkSendError, startPaymentLinksSend } from "@/lib/messaging/bulk-send";
import type { BulkSendActionState } from "./action-state";

const input = z.object({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) });

export async function startBulkSendAction(_previous: BulkSendActionState, formData: FormData): Promise<BulkSendActionState> {
  const user = await requireStaff();
  const parsed = input.safeParse({ period: formData.get("period") });
  if (!parsed.success) return { status: "error", error: "invalid" };
  try {
    const started = await startPaymentLinksSend(await getDb(), { period: parsed.data.period, staffUserId: user.id });
    // In cron mode nothing runs here: the scheduled send-bulk call picks the send up.
    await nudgeBulkSend().catch((error: unknown) => console.error("Could not nudge the bulk send job:", error));
    return { status: "started", ...started, at: Date.now() };
  } catch (error) {
    if (error instanceof BulkSendError) return { status: "error", error: error.code === "nothing_to_send" ? "nothing_to_send" : "invalid" };
    console.error("Starting a bulk send failed:", error);
    return { status: "error", error: "generic" };
  }
}
