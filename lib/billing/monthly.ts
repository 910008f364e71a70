// Monthly issuing: one receipt per active enrollment and month, with its discount, numbered from
// the year's series without gaps. Set-based: one INSERT … SELECT per run (db/queries/billing.ts),
// so 10,000 receipts cost about what the rows themselves cost. Idempotent: an (enrollment, month)
// that has a receipt is left out, so running a month again issues nothing new.
import "server-only";
import type { Db } from "@/db/client";
import { insertMonthlyReceipts, lockReceiptSeries, previewMonthlyReceipts, type CurrencyTotal, type MonthParams, type PreviewRow } from "@/db/queries/billing";
import { calendarDate, calendarYear } from "@/lib/dates";
import { getAcademy, getBillingSettings } from "@/lib/settings/read";

export type { CurrencyTotal, PreviewRow };

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(value: unknown): value is string {
  return typeof value === "string" && PERIOD.test(value);
}

/** The month (YYYY-MM) a moment falls in, in the academy's time zone. */
export function periodOf(now: Date, timeZone = "Europe/Madrid"): string {
  return calendarDate(now, timeZone).slice(0, 7);
}

/** The period after `period` (YYYY-MM). */
export function nextPeriod(period: string): string {
  const [year, month] = parsePeriod(period);
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, "0")}`;
}

function parsePeriod(period: string): [number, number] {
  const match = PERIOD.exec(period);
  if (!match) throw new RangeError(`period must be YYYY-MM, got ${JSON.stringify(period)}`);
  return [Number(match[1]), Number(match[2])];
}

/** "noviembre de 2026" / "November 2026": how a concept names the month. */
export function monthLabel(period: string, locale: "es" | "en"): string {
  const [year, month] = parsePeriod(period);
  return new Intl.DateTimeFormat(locale === "es" ? "es-ES" : "en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, 15)),
  );
}

/** A calendar date plus whole days, as a calendar date (no time zone can move it). */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function monthParams(period: string, timeZone: string): MonthParams {
  const [year, month] = parsePeriod(period);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return {
    period,
    monthStart: `${period}-01`,
    monthEnd: `${period}-${String(lastDay).padStart(2, "0")}`,
    timeZone,
    monthLabel: { es: monthLabel(period, "es"), en: monthLabel(period, "en") },
  };
}

async function timeZoneOf(db: Db): Promise<string> {
  return (await getAcademy(db))?.timeZone ?? "Europe/Madrid";
}

export type MonthPreview = {
  period: string;
  /** Receipts a run would issue now. */
  count: number;
  /** Per currency (an academy normally bills in one). */
  totals: CurrencyTotal[];
  /** The first few, in the order they would be numbered. */
  sample: PreviewRow[];
};

/** What issuing `period` would do right now, without doing it. */
export async function previewMonth(db: Db, period: string, options: { sampleSize?: number } = {}): Promise<MonthPreview> {
  const params = monthParams(period, await timeZoneOf(db));
  const { totals, sample } = await previewMonthlyReceipts(db, { ...params, sampleSize: options.sampleSize ?? 5 });
  return { period, count: totals.reduce((sum, t) => sum + t.count, 0), totals, sample };
}

export type IssueMonthInput = {
  period: string;
  /** `system` for the schedule, `staff` from the dashboard. */
  source: "system" | "staff";
  staffUserId?: string;
  /** When the run happens: fixes the series year, the issue date and the due date (tests). */
  now?: Date;
};

export type IssueMonthResult = {
  period: string;
  issued: number;
  total: CurrencyTotal[];
  /** The billing_runs row; null for a scheduled run that found nothing to issue. */
  runId: string | null;
  dueDate: string;
};

/**
 * Issues `period` in one transaction: lock the year's series row, insert every missing receipt
 * with the next numbers, advance the series, write the audit lines and the run. A second issuer
 * of the same month waits on the series lock and then finds nothing left to issue.
 */
export async function issueMonth(db: Db, input: IssueMonthInput): Promise<IssueMonthResult> {
  const now = input.now ?? new Date();
  const [timeZone, settings] = await Promise.all([timeZoneOf(db), getBillingSettings(db)]);
  const params = monthParams(input.period, timeZone);
  // The series is the year of issue, as for every other receipt (lib/receipts/issue.ts).
  const year = calendarYear(now, timeZone);
  const dueDate = addDays(calendarDate(now, timeZone), settings.dueAfterDays);
  const { totals, runId } = await db.transaction(async (tx) => {
    const lastNumber = await lockReceiptSeries(tx, year);
    return insertMonthlyReceipts(tx, {
      ...params,
      year,
      lastNumber,
      dueDate,
      now,
      source: input.source,
      staffUserId: input.staffUserId ?? null,
      // Staff see every run they start in the list; the daily schedule only leaves a trace when it issued.
      recordEmptyRun: input.source === "staff",
    });
  });
  return { period: input.period, issued: totals.reduce((sum, t) => sum + t.count, 0), total: totals, runId, dueDate };
}
