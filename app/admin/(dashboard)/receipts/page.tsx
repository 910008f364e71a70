// The receipts list: a GET form of filters (works without JavaScript), totals for the whole
// filter, and keyset pages newest first with the cursor in the URL.
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { ReceiptStatusBadge } from "@/components/admin/receipt-status-badge";
import { getDb } from "@/db/client";
import { getDashboardReceiptTotals, listDashboardReceipts } from "@/db/queries/dashboard-receipts";
import { paymentMethod, receiptStatus } from "@/db/schema";
import { requireStaff } from "@/lib/auth/guard";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";
import { getAcademy } from "@/lib/settings/read";
import { listHref, parseListParams } from "./search-params";

function exportHref(query: Record<string, string>): string {
  const text = new URLSearchParams(query).toString();
  return text ? `/admin/receipts/export?${text}` : "/admin/receipts/export";
}

const PAGE_SIZE = 25;

/** The message key naming each URL parameter's form field, for the "ignored filter" notice. */
const filterLabel = { q: "q", status: "status", method: "method", period: "period", from: "issuedFrom", to: "issuedTo", overdue: "overdue" } as const;

export async function generateMetadata() {
  const t = await getTranslations("admin.receipts");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ReceiptsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff();
  const params = parseListParams(await searchParams);
  const db = await getDb();
  const timeZone = (await getAcademy(db))?.timeZone ?? "Europe/Madrid";
  const filter = { ...params.filter, timeZone };
  const [page, totals] = await Promise.all([
    listDashboardReceipts(db, { filter, after: params.after, limit: PAGE_SIZE }),
    getDashboardReceiptTotals(db, filter),
  ]);

  const t = await getTranslations("admin.receipts");
  const tStatus = await getTranslations("receiptStatus");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const money = (amount: number, currency: string) => formatMoney(amount, currency, numberLocale);
  // Due dates are calendar days: formatted at noon UTC so no time zone moves them a day.
  const day = (isoDate: string) => format.dateTime(new Date(`${isoDate}T12:00:00Z`), { dateStyle: "medium", timeZone: "UTC" });
  const today = new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date());
  const q = params.query;

  const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm";
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("heading")}</h1>

      <form
        method="get"
        action="/admin/receipts"
        className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm"
        role="search"
        aria-label={t("filters.legend")}
      >
        <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <legend className="sr-only">{t("filters.legend")}</legend>
          <div className="space-y-1 sm:col-span-2">
            <label htmlFor="f-q" className="block text-sm font-medium">
              {t("filters.q")}
            </label>
            <input id="f-q" name="q" type="search" defaultValue={q.q} maxLength={100} aria-describedby="f-q-hint" className={inputClass} />
            <p id="f-q-hint" className="text-xs text-stone-500">
              {t("filters.qHint")}
            </p>
          </div>
          <div className="space-y-1">
            <label htmlFor="f-status" className="block text-sm font-medium">
              {t("filters.status")}
            </label>
            <select id="f-status" name="status" defaultValue={q.status ?? ""} className={inputClass}>
              <option value="">{t("filters.any")}</option>
              {receiptStatus.enumValues.map((status) => (
                <option key={status} value={status}>
                  {tStatus(status)}
                </option>
              ))}
            </select>
          </div>
          <div className="space-y-1">
            <label htmlFor="f-method" className="block text-sm font-medium">
              {t("filters.method")}
            </label>
            <select id="f-method" name="method" defaultValue={q.method ?? ""} className={inputClass}>
              <option value="">{t("filters.any")}</option>
              {paymentMethod.enumValues.map((method) => (
                <option key={method} value={method}>
                  {t(`methods.${method}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="space-y-1">
            <label htmlFor="f-period" className="block text-sm font-medium">
              {t("filters.period")}
            </label>
            <input
              id="f-period"
              name="period"
              defaultValue={q.period}
              placeholder="2026-10"
              pattern="[0-9]{4}-(0[1-9]|1[0-2])"
              aria-describedby="f-period-hint"
              className={inputClass}
            />
            <p id="f-period-hint" className="text-xs text-stone-500">
              {t("filters.periodHint")}
            </p>
          </div>
          <div className="space-y-1">
            <label htmlFor="f-from" className="block text-sm font-medium">
              {t("filters.issuedFrom")}
            </label>
            <input id="f-from" name="from" type="date" defaultValue={q.from} className={inputClass} />
          </div>
          <div className="space-y-1">
            <label htmlFor="f-to" className="block text-sm font-medium">
              {t("filters.issuedTo")}
            </label>
            <input id="f-to" name="to" type="date" defaultValue={q.to} className={inputClass} />
          </div>
          <div className="flex items-center gap-2 self-end pb-2">
            <input id="f-overdue" name="overdue" type="checkbox" value="1" defaultChecked={q.overdue === "1"} className="size-4" />
            <label htmlFor="f-overdue" className="text-sm">
              {t("filters.overdue")}
            </label>
          </div>
        </fieldset>
        <div className="mt-4 flex flex-wrap items-center gap-3">
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
            {t("filters.apply")}
          </button>
          <Link href="/admin/receipts" className="text-sm text-stone-700 underline-offset-4 hover:underline">
            {t("filters.clear")}
          </Link>
        </div>
      </form>

      {params.ignored.length > 0 && (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {t("filters.ignored", { fields: params.ignored.map((name) => t(`filters.${filterLabel[name]}`)).join(", ") })}
        </p>
      )}

      <section
        aria-label={t("totalsLabel")}
        className="flex flex-wrap items-baseline gap-x-4 gap-y-1 rounded-xl border border-stone-200 bg-white px-4 py-3"
        data-testid="totals"
      >
        <span className="text-sm text-stone-500">{t("totalsLabel")}</span>
        <span className="font-semibold" data-testid="totals-count" data-count={totals.count}>
          {t("totals", { count: totals.count })}
        </span>
        {totals.byCurrency.map((row) => (
          <span key={row.currency} className="font-semibold tabular-nums" data-testid="totals-amount" data-currency={row.currency}>
            {money(row.amount, row.currency)}
          </span>
        ))}
        {/* A plain link (a download, not a page): it carries the filter but never the page cursor. */}
        <a
          href={exportHref(q)}
          download
          className="ml-auto text-sm font-semibold text-brand-700 underline-offset-4 hover:underline"
          title={t("exportHint")}
          data-testid="export-csv"
        >
          {t("export")}
        </a>
      </section>

      {page.rows.length === 0 ? (
        <p className="text-stone-600">{t("empty")}</p>
      ) : (
        <>
          {/* On a phone each receipt is a card: eight columns do not fit 390 pixels. */}
          <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white sm:hidden" aria-label={t("heading")}>
            {page.rows.map((row) => (
              <li key={row.id} className="px-3 py-2 text-sm" data-testid="receipt-card" data-receipt-id={row.id}>
                <div className="flex items-center justify-between gap-2">
                  <Link href={`/admin/receipts/${row.id}`} className="font-semibold text-brand-700 underline-offset-4 hover:underline">
                    {row.number}
                  </Link>
                  <span className="font-semibold tabular-nums">{money(row.amount, row.currency)}</span>
                </div>
                <p className="truncate" title={`${row.studentName} · ${row.concept}`}>
                  {row.studentName} <span className="text-stone-500">· {row.concept}</span>
                </p>
                <div className="flex items-center justify-between gap-2 text-xs text-stone-600">
                  <ReceiptStatusBadge status={row.status} label={tStatus(row.status)} />
                  <span>
                    {t("columns.dueDate")} {day(row.dueDate)}
                    {row.status === "pending" && row.dueDate < today && <span className="ml-1 font-semibold text-red-700">{t("overdueBadge")}</span>}
                  </span>
                </div>
              </li>
            ))}
          </ul>
          {/* From tablets up, a table; if it is still too wide it scrolls inside its own box. */}
          <div className="hidden max-w-full overflow-x-auto rounded-xl border border-stone-200 bg-white sm:block" tabIndex={0} aria-label={t("heading")}>
            <table className="w-full min-w-[48rem] text-sm">
              <thead className="bg-stone-50 text-left text-stone-600">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("columns.number")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("columns.issuedAt")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("columns.student")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("columns.concept")}
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    {t("columns.amount")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("columns.status")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("columns.dueDate")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("columns.method")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((row) => (
                  <tr key={row.id} className="border-t border-stone-100 align-top" data-testid="receipt-row" data-receipt-id={row.id}>
                    <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-medium">
                      <Link href={`/admin/receipts/${row.id}`} className="text-brand-700 underline-offset-4 hover:underline">
                        {row.number}
                      </Link>
                    </th>
                    <td className="whitespace-nowrap px-3 py-2">{format.dateTime(row.issuedAt, { dateStyle: "medium", timeZone })}</td>
                    <td className="px-3 py-2">
                      {row.studentName}
                      {row.payerName !== row.studentName && <span className="block text-xs text-stone-500">{row.payerName}</span>}
                    </td>
                    <td className="px-3 py-2">{row.concept}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{money(row.amount, row.currency)}</td>
                    <td className="px-3 py-2">
                      <ReceiptStatusBadge status={row.status} label={tStatus(row.status)} />
                    </td>
                    <td className="whitespace-nowrap px-3 py-2">
                      {day(row.dueDate)}
                      {row.status === "pending" && row.dueDate < today && <span className="ml-1 text-xs font-semibold text-red-700">{t("overdueBadge")}</span>}
                    </td>
                    <td className="px-3 py-2">{row.paidMethod ? t(`methods.${row.paidMethod}`) : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      {(params.after || page.next) && (
        <nav aria-label={t("pagination")} className="flex flex-wrap justify-between gap-3 text-sm">
          {params.after ? (
            <Link href={listHref(q)} className="underline-offset-4 hover:underline">
              {t("first")}
            </Link>
          ) : (
            <span />
          )}
          {page.next && (
            <Link href={listHref(q, page.next)} rel="next" className="font-semibold text-brand-700 underline-offset-4 hover:underline">
              {t("next")}
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}
