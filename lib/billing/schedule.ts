// The daily "issue-monthly-receipts" job: once the academy's issue day has come (in its time
// zone) and automatic issuing is on, it issues the current month. Issuing is idempotent, so
// running every day catches up a missed day and is a no-op once the month is issued.
import "server-only";
import type { Db } from "@/db/client";
import { calendarDate } from "@/lib/dates";
import { getAcademy, getBillingSettings } from "@/lib/settings/read";
import { issueMonthAndSendLinks } from "./issue-and-send";

export type ScheduledIssuingOptions = { now?: Date };

export type ScheduledIssuingReport =
  | { outcome: "manual"; period: string }
  | { outcome: "before_issue_day"; period: string; issueDay: number }
  | { outcome: "issued"; period: string; issued: number; total: { currency: string; count: number; amount: number }[] };

export async function issueDueMonth(db: Db, options: ScheduledIssuingOptions = {}): Promise<ScheduledIssuingReport> {
  const now = options.now ?? new Date();
  const [settings, academy] = await Promise.all([getBillingSettings(db), getAcademy(db)]);
  const today = calendarDate(now, academy?.timeZone ?? "Europe/Madrid");
  const period = today.slice(0, 7);
  if (!settings.automatic) return { outcome: "manual", period };
  if (Number(today.slice(8, 10)) < settings.issueDay) return { outcome: "before_issue_day", period, issueDay: settings.issueDay };
  const result = await issueMonthAndSendLinks(db, { period, source: "system", now });
  return { outcome: "issued", period, issued: result.issued, total: result.total };
}
