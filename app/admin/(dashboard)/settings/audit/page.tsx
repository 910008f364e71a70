// Registro: what staff did, newest first, in keyset pages; filter by user and by action (a
// prefix: "settings." finds every settings change). Details are the audit line's data, which
// never holds a secret (saves name changed secrets only).
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { listStaffAudit, listStaffForFilter } from "@/db/queries/settings";
import { requireStaff } from "@/lib/auth/guard";
import { getAcademy } from "@/lib/settings/read";
import { Section } from "../section";
import { auditHref, parseAuditParams } from "./search-params";

const PAGE_SIZE = 30;

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("audit") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AuditSettingsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff("admin");
  const params = parseAuditParams(await searchParams);
  const db = await getDb();
  const [page, staff, academy] = await Promise.all([
    listStaffAudit(db, { filter: { staffUserId: params.staff, action: params.action }, after: params.after, limit: PAGE_SIZE }),
    listStaffForFilter(db),
    getAcademy(db),
  ]);
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const t = await getTranslations("settings.audit");
  const format = await getFormatter();
  const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm";
  return (
    <Section title={t("title")} intro={t("intro")} testId="settings-audit">
      <form
        method="get"
        action="/admin/settings/audit"
        role="search"
        aria-label={t("filters")}
        className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-end"
      >
        <div className="space-y-1">
          <label htmlFor="a-staff" className="block text-sm font-medium">
            {t("user")}
          </label>
          <select id="a-staff" name="staff" defaultValue={params.staff ?? ""} className={inputClass}>
            <option value="">{t("anyone")}</option>
            {staff.map((user) => (
              <option key={user.id} value={user.id}>{`${user.name} (${user.email})`}</option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor="a-action" className="block text-sm font-medium">
            {t("action")}
          </label>
          <input
            id="a-action"
            name="action"
            defaultValue={params.action ?? ""}
            placeholder="settings."
            aria-describedby="a-action-hint"
            className={inputClass}
          />
          <p id="a-action-hint" className="text-xs text-stone-500">
            {t("actionHint")}
          </p>
        </div>
        <div className="flex flex-wrap gap-3 sm:pb-6">
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
            {t("apply")}
          </button>
          <Link href="/admin/settings/audit" className="self-center text-sm text-stone-700 underline-offset-4 hover:underline">
            {t("clear")}
          </Link>
        </div>
      </form>

      {page.rows.length === 0 ? (
        <p className="text-sm text-stone-600">{t("empty")}</p>
      ) : (
        <ol className="divide-y divide-stone-100" aria-label={t("title")}>
          {page.rows.map((row) => (
            <li key={row.id} className="space-y-1 py-3 text-sm" data-testid="audit-row" data-action={row.action} data-id={row.id}>
              <p className="flex flex-wrap items-baseline justify-between gap-2">
                <span className="font-mono font-semibold break-all">{row.action}</span>
                <time dateTime={row.occurredAt.toISOString()} className="text-stone-600">
                  {format.dateTime(row.occurredAt, { dateStyle: "medium", timeStyle: "medium", timeZone })}
                </time>
              </p>
              <p className="text-stone-700">{row.staffName ?? t("unknownUser")}</p>
              {row.receiptId && (
                <p>
                  <Link href={`/admin/receipts/${row.receiptId}`} className="text-brand-700 underline-offset-4 hover:underline">
                    {t("receipt")}
                  </Link>
                </p>
              )}
              {hasData(row.data) && (
                <details>
                  <summary className="cursor-pointer text-stone-600">{t("details")}</summary>
                  <pre className="mt-1 max-w-full overflow-x-auto rounded bg-stone-50 p-2 text-xs whitespace-pre-wrap break-all">
                    {JSON.stringify(row.data, null, 2)}
                  </pre>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}

      {(params.after !== undefined || page.next !== undefined) && (
        <nav aria-label={t("pagination")} className="flex flex-wrap justify-between gap-3 text-sm">
          {params.after !== undefined ? (
            <Link href={auditHref({ ...params, after: undefined })} className="underline-offset-4 hover:underline">
              {t("first")}
            </Link>
          ) : (
            <span />
          )}
          {page.next !== undefined && (
            <Link href={auditHref({ ...params, after: page.next })} rel="next" className="font-semibold text-brand-700 underline-offset-4 hover:underline">
              {t("next")}
            </Link>
          )}
        </nav>
      )}
    </Section>
  );
}

function hasData(data: unknown): boolean {
  return typeof data === "object" && data !== null && Object.keys(data).length > 0;
}
