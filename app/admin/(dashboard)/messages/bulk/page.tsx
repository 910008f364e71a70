// A month's payment links to every payer as one bulk send: pick the month (?period=YYYY-MM, as the
// billing page links here), see how many pending monthly receipts it has, start the send, and
// follow it on a live progress bar; below, the past sends with their counts.
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { countPendingMonthlyReceipts, listBulkSends } from "@/db/queries/messages-dashboard";
import { requireStaff } from "@/lib/auth/guard";
import { calendarDate } from "@/lib/dates";
import { getAcademy } from "@/lib/settings/read";
import { BulkSendProgress } from "./progress-bar";
import { StartBulkSendForm } from "./start-form";

const periodPattern = /^\d{4}-(0[1-9]|1[0-2])$/;

export async function generateMetadata() {
  const t = await getTranslations("mail.bulk");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function BulkSendPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff();
  const raw = (await searchParams).period;
  const asked = Array.isArray(raw) ? raw[0] : raw;
  const db = await getDb();
  const timeZone = (await getAcademy(db))?.timeZone ?? "Europe/Madrid";
  const invalidPeriod = asked !== undefined && asked !== "" && !periodPattern.test(asked);
  const period = asked && periodPattern.test(asked) ? asked : calendarDate(new Date(), timeZone).slice(0, 7);
  const [pending, sends] = await Promise.all([countPendingMonthlyReceipts(db, period), listBulkSends(db, 20)]);

  const t = await getTranslations("mail.bulk");
  const format = await getFormatter();
  const monthOf = (p: string) => format.dateTime(new Date(`${p}-15T12:00:00Z`), { month: "long", year: "numeric", timeZone: "UTC" });
  const monthName = monthOf(period);
  const open = sends.filter((s) => s.status === "queued" || s.status === "running");

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/admin/messages" className="text-brand-700 underline-offset-4 hover:underline">
          ← {t("back")}
        </Link>
      </p>
      <h1 className="text-2xl font-bold">{t("heading")}</h1>
      <p className="max-w-prose text-stone-700">{t("intro")}</p>

      <section aria-labelledby="bulk-new" className="space-y-4 rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
        <h2 id="bulk-new" className="text-lg font-semibold">
          {t("newSend")}
        </h2>
        <form method="get" action="/admin/messages/bulk" className="flex flex-wrap items-end gap-3">
          <div className="space-y-1">
            <label htmlFor="bulk-period" className="block text-sm font-medium">
              {t("period")}
            </label>
            <input
              id="bulk-period"
              name="period"
              type="month"
              defaultValue={period}
              required
              aria-describedby="bulk-period-hint"
              className="w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm"
            />
            <p id="bulk-period-hint" className="text-xs text-stone-500">
              {t("periodHint")}
            </p>
          </div>
          <button type="submit" className="rounded-md border border-stone-300 px-4 py-2 text-sm font-semibold hover:bg-stone-100">
            {t("show")}
          </button>
        </form>
        {invalidPeriod && (
          <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {t("errors.invalid")}
          </p>
        )}
        <p className="text-sm" data-testid="bulk-preview" data-count={pending} data-period={period}>
          {pending > 0 ? t("preview", { count: pending, month: monthName }) : t("none", { month: monthName })}
        </p>
        <StartBulkSendForm period={period} monthName={monthName} pending={pending} />
      </section>

      {open.length > 0 && (
        <section aria-labelledby="bulk-open" className="space-y-3">
          <h2 id="bulk-open" className="text-lg font-semibold">
            {t("inProgress")}
          </h2>
          {open.map((send) => (
            <div key={send.id} className="rounded-xl border border-stone-200 bg-white p-4">
              <BulkSendProgress
                bulkSendId={send.id}
                label={t("progressLabel", { month: send.period ? monthOf(send.period) : "" })}
                initial={{ total: send.total, sent: send.sent, failed: send.failed, invalid: send.invalid, queued: send.queued, status: send.status }}
              />
            </div>
          ))}
        </section>
      )}

      <section aria-labelledby="bulk-history" className="space-y-3">
        <h2 id="bulk-history" className="text-lg font-semibold">
          {t("history")}
        </h2>
        {sends.length === 0 ? (
          <p className="text-stone-600">{t("historyEmpty")}</p>
        ) : (
          <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white" aria-labelledby="bulk-history">
            {sends.map((send) => {
              const done = send.sent + send.failed + send.invalid;
              return (
                <li
                  key={send.id}
                  className="grid gap-1 px-4 py-3 text-sm sm:grid-cols-[1fr_auto] sm:gap-4"
                  data-testid="bulk-send-row"
                  data-bulk-send-id={send.id}
                >
                  <div className="min-w-0">
                    <p className="font-semibold">{send.period ? monthOf(send.period) : send.kind}</p>
                    <p className="text-xs text-stone-500">{format.dateTime(send.createdAt, { dateStyle: "medium", timeStyle: "short", timeZone })}</p>
                  </div>
                  <div className="space-y-1 sm:text-right">
                    <p>
                      <span className="font-semibold">{t(`sendStatus.${send.status}`)}</span> ·{" "}
                      <span className="tabular-nums">
                        {t("historyCounts", { done, total: send.total, sent: send.sent, failed: send.failed + send.invalid })}
                      </span>
                    </p>
                    <Link href={`/admin/messages?bulk=${send.id}`} className="text-xs text-brand-700 underline-offset-4 hover:underline">
                      {t("viewMessages")}
                    </Link>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
