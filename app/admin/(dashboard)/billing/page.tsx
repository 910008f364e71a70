// Monthly issuing: pick a month (the current one by default), see what issuing it would do
// (count, totals, the first few receipts), issue it, and the list of past runs.
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { listBillingRuns, listIssuedMonths } from "@/db/queries/billing";
import { requireStaff } from "@/lib/auth/guard";
import { isPeriod, periodOf, previewMonth } from "@/lib/billing/monthly";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";
import { getAcademy } from "@/lib/settings/read";
import { IssueForm } from "./issue-form";

const SAMPLE_SIZE = 5;

export async function generateMetadata() {
  const t = await getTranslations("billing");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function BillingPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff();
  const db = await getDb();
  const academy = await getAcademy(db);
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const asked = (await searchParams).period;
  const invalid = asked !== undefined && !isPeriod(asked);
  const period = isPeriod(asked) ? asked : periodOf(new Date(), timeZone);
  const [preview, runs, months] = await Promise.all([
    previewMonth(db, period, { sampleSize: SAMPLE_SIZE }),
    listBillingRuns(db, { limit: 24 }),
    listIssuedMonths(db, { limit: 12 }),
  ]);

  const t = await getTranslations("billing");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const money = (amount: number, currency: string) => formatMoney(amount, currency, numberLocale);
  const monthName = (yyyymm: string) => format.dateTime(new Date(`${yyyymm}-15T12:00:00Z`), { month: "long", year: "numeric", timeZone: "UTC" });
  const month = monthName(period);
  // billing_runs keep one total; an academy bills in its own currency.
  const currency = academy?.currency ?? "EUR";

  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <p className="max-w-prose text-stone-700">{t("intro")}</p>
      </div>

      <form method="get" action="/admin/billing" className="flex flex-wrap items-end gap-3 rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
        <div className="min-w-0 space-y-1">
          <label htmlFor="b-period" className="block text-sm font-medium">
            {t("monthField")}
          </label>
          <input
            id="b-period"
            name="period"
            type="month"
            defaultValue={period}
            required
            pattern="[0-9]{4}-(0[1-9]|1[0-2])"
            className="w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm"
          />
        </div>
        <button type="submit" className="rounded-md border border-stone-300 bg-white px-4 py-2 text-sm font-semibold hover:bg-stone-100">
          {t("show")}
        </button>
      </form>

      {invalid && (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {t("invalidPeriod")}
        </p>
      )}

      <section
        aria-labelledby="preview-heading"
        className="space-y-4 rounded-xl border border-stone-200 bg-white p-4 shadow-sm"
        data-testid="preview"
        data-period={period}
      >
        <h2 id="preview-heading" className="text-lg font-semibold">
          {t("previewHeading", { month })}
        </h2>
        <p className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
          <span className="font-semibold" data-testid="preview-count" data-count={preview.count}>
            {t("previewCount", { count: preview.count })}
          </span>
          {preview.totals.map((total) => (
            <span
              key={total.currency}
              className="font-semibold tabular-nums"
              data-testid="preview-total"
              data-currency={total.currency}
              data-amount={total.amount}
            >
              {money(total.amount, total.currency)}
            </span>
          ))}
        </p>
        {preview.count === 0 ? (
          <p className="text-stone-600">{t("previewEmpty", { month })}</p>
        ) : (
          <div className="space-y-2">
            <h3 className="text-sm font-semibold text-stone-600">{t("sampleHeading")}</h3>
            <ul className="divide-y divide-stone-100 rounded-md border border-stone-100" aria-label={t("sampleHeading")}>
              {preview.sample.map((row) => (
                <li
                  key={row.enrollmentId}
                  className="grid gap-1 px-3 py-2 text-sm sm:grid-cols-[2fr_2fr_1fr] sm:items-baseline"
                  data-testid="preview-row"
                  data-enrollment-id={row.enrollmentId}
                >
                  <span className="min-w-0 break-words">
                    <span className="font-medium">{row.studentName}</span>
                    <span className="block text-xs text-stone-500">
                      {t("columns.payer")}: {row.payerName}
                    </span>
                  </span>
                  <span className="min-w-0 break-words text-stone-700">{row.concept}</span>
                  <span className="tabular-nums sm:text-right">
                    <span className="font-semibold" data-testid="preview-row-amount" data-amount={row.amount}>
                      {money(row.amount, row.currency)}
                    </span>
                    {row.discount > 0 && (
                      <span className="block text-xs text-stone-500">
                        {t("columns.fee")} {money(row.fee, row.currency)} − {t("columns.discount").toLowerCase()} {money(row.discount, row.currency)}
                      </span>
                    )}
                  </span>
                </li>
              ))}
            </ul>
            {preview.count > preview.sample.length && (
              <p className="text-sm text-stone-600">{t("sampleMore", { count: preview.count - preview.sample.length })}</p>
            )}
          </div>
        )}
        <IssueForm period={period} monthName={month} />
      </section>

      <section aria-labelledby="months-heading" className="space-y-3">
        <h2 id="months-heading" className="text-lg font-semibold">
          {t("monthsHeading")}
        </h2>
        {months.length === 0 ? (
          <p className="text-stone-600">{t("monthsEmpty")}</p>
        ) : (
          <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white" data-testid="issued-months">
            {months.map((m) => (
              <li
                key={`${m.period}-${m.currency}`}
                className="flex flex-wrap items-baseline justify-between gap-2 px-4 py-2 text-sm"
                data-testid="issued-month"
                data-period={m.period}
                data-count={m.count}
              >
                <a href={`/admin/receipts?period=${m.period}`} className="font-medium text-brand-700 underline-offset-4 hover:underline">
                  {monthName(m.period)}
                </a>
                <span className="tabular-nums text-stone-700">
                  {t("monthLine", { count: m.count, pending: m.pending })} · {money(m.total, m.currency)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="runs-heading" className="space-y-3">
        <h2 id="runs-heading" className="text-lg font-semibold">
          {t("runsHeading")}
        </h2>
        {runs.length === 0 ? (
          <p className="text-stone-600">{months.length > 0 ? t("runsNoneHere") : t("runsEmpty")}</p>
        ) : (
          <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white" data-testid="runs">
            {runs.map((run) => (
              <li
                key={run.id}
                className="grid gap-1 px-4 py-2 text-sm sm:grid-cols-[1.5fr_1fr_1fr_1fr] sm:items-baseline"
                data-testid="run"
                data-period={run.period}
                data-count={run.issuedCount}
              >
                <span>
                  <span className="sr-only">{t("runs.when")}: </span>
                  {format.dateTime(run.createdAt, { dateStyle: "medium", timeStyle: "short", timeZone })}
                </span>
                <span className="font-medium">
                  <span className="sr-only">{t("runs.period")}: </span>
                  {monthName(run.period)}
                </span>
                <span className="text-stone-600">
                  <span className="sr-only">{t("runs.by")}: </span>
                  {run.source === "staff" ? (run.staffName ?? t("sources.staff")) : t("sources.system")}
                </span>
                <span className="tabular-nums sm:text-right">
                  {t("runCount", { count: run.issuedCount })} · {money(run.issuedTotal, currency)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
