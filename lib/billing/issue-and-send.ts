// Issuing a month and, when the academy asked for it (billingSettings.sendLinksOnIssue), starting
// the bulk send of that month's payment links right after: the one entry point for staff and the
// schedule. The send is its own job (lib/messaging/bulk-send.ts): issuing never waits for mail.
import "server-only";
import type { Db } from "@/db/client";
import { startPaymentLinksSend } from "@/lib/messaging/bulk-send";
import { getBillingSettings } from "@/lib/settings/read";
import { issueMonth } from "./monthly";

export async function issueMonthAndSendLinks(db: Db, params: Parameters<typeof issueMonth>[1]) {
  const result = await issueMonth(db, params);
  const settings = await getBillingSettings(db);
  const bulkSendId =
    result.issued > 0 && settings.sendLinksOnIssue
      ? (await startPaymentLinksSend(db, { period: params.period, staffUserId: params.staffUserId })).bulkSendId
      : undefined;
  return { ...result, bulkSendId };
}
