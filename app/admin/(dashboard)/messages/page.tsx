// Every email the academy sent or is sending: filters by status and template, search by
// address, keyset pages newest first. Without SMTP this is where the stored emails are read.
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { listMessages, listMessageTemplates, messageStatuses } from "@/db/queries/messages-dashboard";
import { requireStaff } from "@/lib/auth/guard";
import { getAcademy } from "@/lib/settings/read";
import { messageListHref, parseMessageListParams } from "./search-params";
import { MessageStatusBadge } from "./status-badge";

const PAGE_SIZE = 25;

export async function generateMetadata() {
  const t = await getTranslations("mail");
  return { title: t("list.title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function MessagesPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff();
  const params = parseMessageListParams(await searchParams);
  const db = await getDb();
  const [page, templates, academy] = await Promise.all([
    listMessages(db, { ...params.filters, after: params.after, limit: PAGE_SIZE }),
    listMessageTemplates(db),
    getAcademy(db),
  ]);
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const t = await getTranslations("mail");
  const format = await getFormatter();
  const templateLabel = (name: string) => (t.has(`templates.${name}`) ? t(`templates.${name}` as "templates.payment_link") : name);
  const last = page.rows.at(-1);
  const q = params.query;
  const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm";

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("list.heading")}</h1>
        <Link href="/admin/messages/bulk" className="rounded-md border border-brand-600 px-3 py-2 text-sm font-semibold text-brand-700 hover:bg-brand-50">
          {t("list.bulkLink")}
        </Link>
      </div>

      <form
        method="get"
        action="/admin/messages"
        role="search"
        aria-label={t("list.filters")}
        className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm"
      >
        <fieldset className="grid gap-3 sm:grid-cols-3">
          <legend className="sr-only">{t("list.filters")}</legend>
          <div className="space-y-1">
            <label htmlFor="m-q" className="block text-sm font-medium">
              {t("list.q")}
            </label>
            <input id="m-q" name="q" type="search" defaultValue={q.q} maxLength={100} className={inputClass} />
          </div>
          <div className="space-y-1">
            <label htmlFor="m-status" className="block text-sm font-medium">
              {t("list.status")}
            </label>
            <select id="m-status" name="status" defaultValue={q.status ?? ""} className={inputClass}>
              <option value="">{t("list.any")}</option>
              {messageStatuses.map((status) => (
                <option key={status} value={status}>
                  {t(`status.${status}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="space-y-1">
            <label htmlFor="m-template" className="block text-sm font-medium">
              {t("list.template")}
            </label>
            <select id="m-template" name="template" defaultValue={q.template ?? ""} className={inputClass}>
              <option value="">{t("list.any")}</option>
              {templates.map((name) => (
                <option key={name} value={name}>
                  {templateLabel(name)}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
        <div className="mt-4 flex flex-wrap items-center gap-3">
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
            {t("list.apply")}
          </button>
          <Link href="/admin/messages" className="text-sm text-stone-700 underline-offset-4 hover:underline">
            {t("list.clear")}
          </Link>
        </div>
      </form>

      {params.ignored.length > 0 && (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {t("list.ignored", { fields: params.ignored.map((name) => t(`list.${name === "bulk" ? "bulkSend" : name}`)).join(", ") })}
        </p>
      )}

      {page.rows.length === 0 ? (
        <p className="text-stone-600">{t("list.empty")}</p>
      ) : (
        <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white" aria-label={t("list.heading")}>
          {page.rows.map((row) => (
            <li
              key={row.id}
              className="grid gap-1 px-4 py-3 text-sm sm:grid-cols-[1fr_auto] sm:gap-4"
              data-testid="message-row"
              data-message-id={row.id}
              data-to={row.toAddress}
            >
              <div className="min-w-0">
                <Link href={`/admin/messages/${row.id}`} className="block break-words font-semibold text-brand-700 underline-offset-4 hover:underline">
                  {row.subject}
                </Link>
                <p className="break-all text-stone-700">{row.toAddress}</p>
                <p className="text-xs text-stone-500">
                  {templateLabel(row.template)} · {format.dateTime(row.createdAt, { dateStyle: "medium", timeStyle: "short", timeZone })}
                  {row.attempts > 0 && <> · {t("list.attempts", { count: row.attempts })}</>}
                </p>
              </div>
              <div className="sm:text-right">
                <MessageStatusBadge status={row.status} label={t(`status.${row.status}`)} />
              </div>
            </li>
          ))}
        </ul>
      )}

      {(params.after || (page.hasMore && last)) && (
        <nav aria-label={t("list.pagination")} className="flex flex-wrap justify-between gap-3 text-sm">
          {params.after ? (
            <Link href={messageListHref(q)} className="underline-offset-4 hover:underline">
              {t("list.first")}
            </Link>
          ) : (
            <span />
          )}
          {page.hasMore && last && (
            <Link
              href={messageListHref(q, { at: last.cursorAt, id: last.id })}
              rel="next"
              className="font-semibold text-brand-700 underline-offset-4 hover:underline"
            >
              {t("list.next")}
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}
