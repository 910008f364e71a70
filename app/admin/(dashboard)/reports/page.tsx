// Reports: money collected per month by method (last 12 months), what is pending and overdue
// now, and the enrollment funnel of a range of days. Figures come from the database in minor
// units of the academy's currency and are formatted with lib/money.ts; charts are SVG drawn
// here on the server, each with a table of the same figures.
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getCollectedByMonth, getEnrollmentFunnel, getOpenAmounts } from "@/db/queries/reports";
import { paymentMethod } from "@/db/schema";
import { requireStaff } from "@/lib/auth/guard";
import { calendarDate } from "@/lib/dates";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";
import { getAcademy } from "@/lib/settings/read";
import { HorizontalBarChart, StackedBarChart, type Series } from "./charts";
import { parseFunnelRange } from "./search-params";

/** One colour per method, told apart also in the legend and the table (never by colour alone). */
const methodColor: Record<(typeof paymentMethod.enumValues)[number], string> = {
  stripe: "#4f46e5",
  paypal: "#0284c7",
  redsys: "#b91c1c",
  bizum: "#0f766e",
  cash: "#65a30d",
  transfer: "#b45309",
  other: "#78716c",
};

export async function generateMetadata() {
  const t = await getTranslations("reports");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ReportsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff();
  const db = await getDb();
  const academy = await getAcademy(db);
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const currency = academy?.currency ?? "EUR";
  const today = calendarDate(new Date(), timeZone);
  const range = parseFunnelRange(await searchParams, today);
  const [months, open, funnel] = await Promise.all([
    getCollectedByMonth(db, { timeZone, currency, months: 12 }),
    getOpenAmounts(db, { timeZone, currency }),
    getEnrollmentFunnel(db, { timeZone, from: range.from, to: range.to }),
  ]);

  const t = await getTranslations("reports");
  const tMethod = await getTranslations("admin.receipts.methods");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const money = (amount: number) => formatMoney(amount, currency, numberLocale);
  const monthLabel = (month: string, style: "short" | "long") =>
    format.dateTime(new Date(`${month}-15T12:00:00Z`), { month: style, year: style === "short" ? "2-digit" : "numeric", timeZone: "UTC" });
  const dayLabel = (day: string) => format.dateTime(new Date(`${day}T12:00:00Z`), { dateStyle: "medium", timeZone: "UTC" });

  // Only the methods that collected something in the window get a colour, a legend entry and a column.
  const usedMethods = paymentMethod.enumValues.filter((method) => months.some((m) => m.byMethod[method] > 0));
  const series: Series[] = usedMethods.map((method) => ({ key: method, label: tMethod(method), color: methodColor[method] }));
  const collectedTotal = months.reduce((sum, m) => sum + m.total, 0);
  const percent = (part: number) => (funnel.started > 0 ? format.number(part / funnel.started, { style: "percent", maximumFractionDigits: 1 }) : "—");

  const card = "space-y-3 rounded-xl border border-stone-200 bg-white p-4 shadow-sm";
  const th = "px-3 py-2 font-medium";
  const details = "text-sm [&>summary]:cursor-pointer [&>summary]:font-medium [&>summary]:text-brand-700";
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <p className="text-sm text-stone-600">{t("currencyNote", { currency })}</p>
      </div>

      <figure className={card} aria-labelledby="collected-heading" data-testid="chart-collected">
        <figcaption>
          <h2 id="collected-heading" className="text-lg font-semibold">
            {t("collected.title")}
          </h2>
          <p className="text-sm text-stone-600">{t("collected.description")}</p>
        </figcaption>
        {collectedTotal === 0 ? (
          <p className="text-stone-600">{t("collected.empty")}</p>
        ) : (
          <>
            <StackedBarChart
              id="collected-chart"
              title={t("collected.title")}
              description={t("collected.description")}
              series={series}
              columns={months.map((m) => ({ key: m.month, label: monthLabel(m.month, "short"), values: m.byMethod, total: m.total }))}
              formatTick={money}
            />
            <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label={t("collected.axis")}>
              {series.map((s) => (
                <li key={s.key} className="flex items-center gap-2">
                  <span aria-hidden="true" className="inline-block size-3 rounded-sm" style={{ backgroundColor: s.color }} />
                  {s.label}
                </li>
              ))}
            </ul>
          </>
        )}
        <details className={details}>
          <summary>{t("dataTable")}</summary>
          <div className="mt-2 max-w-full overflow-x-auto" tabIndex={0} aria-label={t("collected.title")}>
            <table className="w-full text-sm" data-testid="collected-table">
              <caption className="sr-only">{t("collected.title")}</caption>
              <thead className="bg-stone-50 text-left text-stone-600">
                <tr>
                  <th scope="col" className={th}>
                    {t("collected.month")}
                  </th>
                  {series.map((s) => (
                    <th key={s.key} scope="col" className={`${th} text-right`}>
                      {s.label}
                    </th>
                  ))}
                  <th scope="col" className={`${th} text-right`}>
                    {t("collected.total")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {months.map((m) => (
                  <tr key={m.month} className="border-t border-stone-100" data-month={m.month}>
                    <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-normal">
                      {monthLabel(m.month, "long")}
                    </th>
                    {series.map((s) => (
                      <td key={s.key} className="whitespace-nowrap px-3 py-2 text-right tabular-nums" data-method={s.key}>
                        {money(m.byMethod[s.key as keyof typeof m.byMethod])}
                      </td>
                    ))}
                    <td className="whitespace-nowrap px-3 py-2 text-right font-semibold tabular-nums" data-testid="month-total">
                      {money(m.total)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </figure>

      <figure className={card} aria-labelledby="open-heading" data-testid="chart-open">
        <figcaption>
          <h2 id="open-heading" className="text-lg font-semibold">
            {t("open.title")}
          </h2>
          <p className="text-sm text-stone-600">{t("open.description")}</p>
        </figcaption>
        <HorizontalBarChart
          id="open-chart"
          title={t("open.title")}
          description={t("open.description")}
          rows={[
            { key: "pending", label: t("open.pending"), value: open.pendingAmount, display: money(open.pendingAmount), color: "#d97706" },
            { key: "overdue", label: t("open.overdue"), value: open.overdueAmount, display: money(open.overdueAmount), color: "#b91c1c" },
          ]}
        />
        <details className={details}>
          <summary>{t("dataTable")}</summary>
          <table className="mt-2 w-full text-sm" data-testid="open-table">
            <caption className="sr-only">{t("open.title")}</caption>
            <thead className="bg-stone-50 text-left text-stone-600">
              <tr>
                <th scope="col" className={th}>
                  {t("open.figure")}
                </th>
                <th scope="col" className={`${th} text-right`}>
                  {t("open.count")}
                </th>
                <th scope="col" className={`${th} text-right`}>
                  {t("open.amount")}
                </th>
              </tr>
            </thead>
            <tbody>
              {(
                [
                  ["pending", open.pendingCount, open.pendingAmount],
                  ["overdue", open.overdueCount, open.overdueAmount],
                ] as const
              ).map(([key, count, amount]) => (
                <tr key={key} className="border-t border-stone-100" data-figure={key}>
                  <th scope="row" className="px-3 py-2 text-left font-normal">
                    {t(`open.${key}`)}
                  </th>
                  <td className="px-3 py-2 text-right tabular-nums" data-testid="count">
                    {count}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums" data-testid="amount">
                    {money(amount)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figure>

      <figure className={card} aria-labelledby="funnel-heading" data-testid="chart-funnel">
        <figcaption>
          <h2 id="funnel-heading" className="text-lg font-semibold">
            {t("funnel.title")}
          </h2>
          <p className="text-sm text-stone-600" data-testid="funnel-range">
            {t("funnel.description", { from: dayLabel(range.from), to: dayLabel(range.to) })}
          </p>
        </figcaption>
        <form method="get" action="/admin/reports" className="flex flex-wrap items-end gap-3" aria-label={t("range.legend")}>
          <fieldset className="contents">
            <legend className="sr-only">{t("range.legend")}</legend>
            <div className="space-y-1">
              <label htmlFor="r-from" className="block text-sm font-medium">
                {t("range.from")}
              </label>
              <input
                id="r-from"
                name="from"
                type="date"
                defaultValue={range.from}
                className="rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm"
              />
            </div>
            <div className="space-y-1">
              <label htmlFor="r-to" className="block text-sm font-medium">
                {t("range.to")}
              </label>
              <input
                id="r-to"
                name="to"
                type="date"
                defaultValue={range.to}
                className="rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm"
              />
            </div>
          </fieldset>
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
            {t("range.apply")}
          </button>
        </form>
        {range.invalid && (
          <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {t("range.invalid")}
          </p>
        )}
        <HorizontalBarChart
          id="funnel-chart"
          title={t("funnel.title")}
          description={t("funnel.description", { from: dayLabel(range.from), to: dayLabel(range.to) })}
          rows={(["started", "paid", "cancelled"] as const).map((key) => ({
            key,
            label: t(`funnel.${key}`),
            value: funnel[key],
            display: key === "started" ? format.number(funnel[key]) : `${format.number(funnel[key])} (${percent(funnel[key])})`,
            color: key === "started" ? "#4f46e5" : key === "paid" ? "#15803d" : "#b91c1c",
          }))}
        />
        <details className={details}>
          <summary>{t("dataTable")}</summary>
          <table className="mt-2 w-full text-sm" data-testid="funnel-table">
            <caption className="sr-only">{t("funnel.title")}</caption>
            <thead className="bg-stone-50 text-left text-stone-600">
              <tr>
                <th scope="col" className={th}>
                  {t("funnel.stage")}
                </th>
                <th scope="col" className={`${th} text-right`}>
                  {t("funnel.count")}
                </th>
                <th scope="col" className={`${th} text-right`}>
                  {t("funnel.share")}
                </th>
              </tr>
            </thead>
            <tbody>
              {(["started", "paid", "cancelled"] as const).map((key) => (
                <tr key={key} className="border-t border-stone-100" data-stage={key}>
                  <th scope="row" className="px-3 py-2 text-left font-normal">
                    {t(`funnel.${key}`)}
                  </th>
                  <td className="px-3 py-2 text-right tabular-nums" data-testid="count">
                    {funnel[key]}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{percent(funnel[key])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figure>
    </div>
  );
}
