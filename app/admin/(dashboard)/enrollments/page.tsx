// The enrollments list: filters by status and course and a search by student (a GET form that
// works without JavaScript), keyset pages newest first, and on each pending, waiting or confirmed
// enrollment the action staff can take by hand (confirm at the desk, cancel, withdraw).
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { z } from "zod";
import { ReceiptStatusBadge } from "@/components/admin/receipt-status-badge";
import { getDb } from "@/db/client";
import { listCourseOptions } from "@/db/queries/dashboard-courses";
import { countDashboardEnrollments, listDashboardEnrollments, type EnrollmentListRow } from "@/db/queries/dashboard-enrollments";
import { enrollmentStatus } from "@/db/schema";
import { requireStaff } from "@/lib/auth/guard";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";
import { manualMethods } from "@/lib/payments/manual";
import { getAcademy } from "@/lib/settings/read";
import { cancelEnrollmentAction, confirmEnrollmentAction, withdrawEnrollmentAction } from "./actions";
import { decodeCursor, encodeCursor, firstValue, hrefWith } from "./cursor";
import { EnrollmentStatusBadge } from "./enrollment-status-badge";
import { OutcomeAnnouncer } from "./outcome-announcer";
import { PeopleActionForm } from "./people-action-form";

const PAGE_SIZE = 25;
const cursorSchema = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

export async function generateMetadata() {
  const t = await getTranslations("enrollments");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function EnrollmentsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff();
  const raw = await searchParams;
  const statusParsed = z.enum(enrollmentStatus.enumValues).safeParse(firstValue(raw.status));
  const courseParsed = z.uuid().safeParse(firstValue(raw.course));
  const q = firstValue(raw.q)?.slice(0, 100);
  const query = { status: statusParsed.success ? statusParsed.data : undefined, course: courseParsed.success ? courseParsed.data : undefined, q };
  const after = decodeCursor(raw.after, cursorSchema);
  const filter = { status: query.status, courseId: query.course, q };

  const db = await getDb();
  const [page, counts, courseOptions, academy] = await Promise.all([
    listDashboardEnrollments(db, { filter, after: after ? { createdAt: after[0], id: after[1] } : undefined, limit: PAGE_SIZE }),
    countDashboardEnrollments(db, filter),
    listCourseOptions(db),
    getAcademy(db),
  ]);
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const t = await getTranslations("enrollments");
  const tStatus = await getTranslations("enrollments.status");
  const tReceipt = await getTranslations("receiptStatus");
  const tMethods = await getTranslations("admin.receipts.methods");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const when = (at: Date) => format.dateTime(at, { dateStyle: "medium", timeStyle: "short", timeZone });
  const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm";

  function actionsFor(row: EnrollmentListRow) {
    const forms: React.ReactNode[] = [];
    if (row.status === "pending_payment" || (row.status === "cancelled" && row.receiptStatus === "paid")) {
      const needsMethod = row.receiptStatus === "pending";
      forms.push(
        <details key="confirm" className="min-w-0">
          <summary className="cursor-pointer text-sm font-medium text-brand-700">{t("actions.confirm.title")}</summary>
          <div className="mt-2">
            <PeopleActionForm
              action={confirmEnrollmentAction}
              submitLabel={t("actions.confirm.submit")}
              doneLabel={t("actions.confirm.done")}
              testId={`confirm-${row.id}`}
            >
              <input type="hidden" name="enrollmentId" value={row.id} />
              {needsMethod && (
                <div className="space-y-1">
                  <label htmlFor={`confirm-method-${row.id}`} className="block text-sm font-medium">
                    {t("actions.confirm.method")}
                  </label>
                  <select id={`confirm-method-${row.id}`} name="method" required defaultValue="cash" className={inputClass}>
                    {manualMethods.map((method) => (
                      <option key={method} value={method}>
                        {tMethods(method)}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              <div className="space-y-1">
                <label htmlFor={`confirm-note-${row.id}`} className="block text-sm font-medium">
                  {t("actions.confirm.note")}
                </label>
                <input id={`confirm-note-${row.id}`} name="note" maxLength={500} className={inputClass} />
              </div>
            </PeopleActionForm>
          </div>
        </details>,
      );
    }
    if (row.status === "pending_payment" || row.status === "waitlisted") {
      forms.push(
        <details key="cancel" className="min-w-0">
          <summary className="cursor-pointer text-sm font-medium text-red-800">{t("actions.cancel.title")}</summary>
          <div className="mt-2">
            <PeopleActionForm
              action={cancelEnrollmentAction}
              submitLabel={t("actions.cancel.submit")}
              doneLabel={t("actions.cancel.done")}
              confirmText={t("actions.cancel.confirm")}
              variant="danger"
              testId={`cancel-${row.id}`}
            >
              <input type="hidden" name="enrollmentId" value={row.id} />
              <div className="space-y-1">
                <label htmlFor={`cancel-reason-${row.id}`} className="block text-sm font-medium">
                  {t("actions.reason")}
                </label>
                <input id={`cancel-reason-${row.id}`} name="reason" required minLength={3} maxLength={500} className={inputClass} />
              </div>
            </PeopleActionForm>
          </div>
        </details>,
      );
    }
    if (row.status === "confirmed") {
      forms.push(
        <details key="withdraw" className="min-w-0">
          <summary className="cursor-pointer text-sm font-medium text-red-800">{t("actions.withdraw.title")}</summary>
          <div className="mt-2">
            <p className="mb-2 text-xs text-stone-600">{t("actions.withdraw.help")}</p>
            <PeopleActionForm
              action={withdrawEnrollmentAction}
              submitLabel={t("actions.withdraw.submit")}
              doneLabel={t("actions.withdraw.done")}
              confirmText={t("actions.withdraw.confirm")}
              variant="danger"
              testId={`withdraw-${row.id}`}
            >
              <input type="hidden" name="enrollmentId" value={row.id} />
              <div className="space-y-1">
                <label htmlFor={`withdraw-reason-${row.id}`} className="block text-sm font-medium">
                  {t("actions.reason")}
                </label>
                <input id={`withdraw-reason-${row.id}`} name="reason" required minLength={3} maxLength={500} className={inputClass} />
              </div>
            </PeopleActionForm>
          </div>
        </details>,
      );
    }
    return forms;
  }

  return (
    <OutcomeAnnouncer>
      <div className="space-y-6">
        <h1 className="text-2xl font-bold">{t("heading")}</h1>

        <form
          method="get"
          action="/admin/enrollments"
          role="search"
          aria-label={t("filters.legend")}
          className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm"
        >
          <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <legend className="sr-only">{t("filters.legend")}</legend>
            <div className="space-y-1 sm:col-span-2">
              <label htmlFor="e-q" className="block text-sm font-medium">
                {t("filters.q")}
              </label>
              <input id="e-q" name="q" type="search" defaultValue={q} maxLength={100} aria-describedby="e-q-hint" className={inputClass} />
              <p id="e-q-hint" className="text-xs text-stone-500">
                {t("filters.qHint")}
              </p>
            </div>
            <div className="space-y-1">
              <label htmlFor="e-status" className="block text-sm font-medium">
                {t("filters.status")}
              </label>
              <select id="e-status" name="status" defaultValue={query.status ?? ""} className={inputClass}>
                <option value="">{t("filters.any")}</option>
                {enrollmentStatus.enumValues.map((status) => (
                  <option key={status} value={status}>
                    {tStatus(status)}
                  </option>
                ))}
              </select>
            </div>
            <div className="space-y-1">
              <label htmlFor="e-course" className="block text-sm font-medium">
                {t("filters.course")}
              </label>
              <select id="e-course" name="course" defaultValue={query.course ?? ""} className={inputClass}>
                <option value="">{t("filters.any")}</option>
                {courseOptions.map((course) => (
                  <option key={course.id} value={course.id}>
                    {course.name}
                  </option>
                ))}
              </select>
            </div>
          </fieldset>
          <div className="mt-4 flex flex-wrap items-center gap-3">
            <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
              {t("filters.apply")}
            </button>
            <Link href="/admin/enrollments" className="text-sm text-stone-700 underline-offset-4 hover:underline">
              {t("filters.clear")}
            </Link>
          </div>
        </form>

        <p className="text-sm text-stone-600" data-testid="enrollments-count" data-count={counts.total}>
          {t("count", { count: counts.total })}
          {counts.byStatus.length > 0 && ` · ${counts.byStatus.map((s) => `${tStatus(s.status)}: ${s.count}`).join(" · ")}`}
        </p>

        {page.rows.length === 0 ? (
          <p className="text-stone-600">{t("empty")}</p>
        ) : (
          <ul className="space-y-3" aria-label={t("heading")}>
            {page.rows.map((row) => (
              <li
                key={row.id}
                className="min-w-0 rounded-xl border border-stone-200 bg-white p-4 text-sm shadow-sm"
                data-testid="enrollment-row"
                data-enrollment-id={row.id}
                data-status={row.status}
              >
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <Link href={`/admin/students/${row.studentId}`} className="font-semibold text-brand-700 underline-offset-4 hover:underline">
                    {row.studentName}
                  </Link>
                  <EnrollmentStatusBadge status={row.status} label={tStatus(row.status)} />
                </div>
                <p className="mt-1 break-words">
                  <Link href={`/admin/courses/${row.courseId}`} className="underline-offset-4 hover:underline">
                    {row.courseName}
                  </Link>
                </p>
                <p className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-stone-600">
                  <span>{t("createdAt", { date: when(row.createdAt) })}</span>
                  {row.status === "pending_payment" && row.holdExpiresAt && <span>{t("holdUntil", { date: when(row.holdExpiresAt) })}</span>}
                  {row.cancelReason && <span className="break-words">{t("reason", { reason: row.cancelReason })}</span>}
                </p>
                {row.receiptId && row.receiptStatus && (
                  <p className="mt-1 flex flex-wrap items-center gap-2">
                    <Link href={`/admin/receipts/${row.receiptId}`} className="text-brand-700 underline-offset-4 hover:underline">
                      {t("receipt", { number: row.receiptNumber ?? "" })}
                    </Link>
                    <span className="tabular-nums">{formatMoney(row.receiptAmount ?? 0, row.receiptCurrency ?? "EUR", numberLocale)}</span>
                    <ReceiptStatusBadge status={row.receiptStatus} label={tReceipt(row.receiptStatus)} />
                  </p>
                )}
                {actionsFor(row).length > 0 && <div className="mt-3 grid gap-3 border-t border-stone-100 pt-3 md:grid-cols-2">{actionsFor(row)}</div>}
              </li>
            ))}
          </ul>
        )}

        {(after || page.next) && (
          <nav aria-label={t("pagination")} className="flex flex-wrap justify-between gap-3 text-sm">
            {after ? (
              <Link href={hrefWith("/admin/enrollments", query)} className="underline-offset-4 hover:underline">
                {t("first")}
              </Link>
            ) : (
              <span />
            )}
            {page.next && (
              <Link
                href={hrefWith("/admin/enrollments", { ...query, after: encodeCursor([page.next.createdAt, page.next.id]) })}
                rel="next"
                className="font-semibold text-brand-700 underline-offset-4 hover:underline"
              >
                {t("next")}
              </Link>
            )}
          </nav>
        )}
      </div>
    </OutcomeAnnouncer>
  );
}
