// The courses list: each course's seats (taken, held by a payment in progress, free), its waiting
// list, fees, and a link to edit it.
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { listDashboardCourses } from "@/db/queries/dashboard-courses";
import { requireStaff } from "@/lib/auth/guard";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";

export async function generateMetadata() {
  const t = await getTranslations("courses");
  return { title: t("title") };
}

export default async function CoursesPage() {
  await requireStaff();
  const db = await getDb();
  const rows = await listDashboardCourses(db);
  const t = await getTranslations("courses");
  const tStatus = await getTranslations("courses.status");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const day = (iso: string) => format.dateTime(new Date(`${iso}T12:00:00Z`), { dateStyle: "medium", timeZone: "UTC" });

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <Link href="/admin/courses/new" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
          {t("new")}
        </Link>
      </div>
      {rows.length === 0 ? (
        <p className="text-stone-600">{t("empty")}</p>
      ) : (
        <ul className="grid gap-3 md:grid-cols-2" aria-label={t("heading")}>
          {rows.map((c) => (
            <li
              key={c.id}
              className="min-w-0 rounded-xl border border-stone-200 bg-white p-4 text-sm shadow-sm"
              data-testid="course-row"
              data-course-id={c.id}
              data-code={c.code}
            >
              <div className="flex flex-wrap items-start justify-between gap-2">
                <Link href={`/admin/courses/${c.id}`} className="min-w-0 break-words font-semibold text-brand-700 underline-offset-4 hover:underline">
                  {c.name}
                </Link>
                <span className="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-semibold text-stone-800" data-status={c.status}>
                  {tStatus(c.status)}
                </span>
              </div>
              <p className="mt-1 text-stone-600">
                {c.code}
                {c.level && ` · ${c.level}`} · {day(c.startDate)} – {day(c.endDate)}
              </p>
              <p
                className="mt-2 flex flex-wrap gap-x-3 gap-y-1"
                data-testid="course-seats"
                data-taken={c.confirmed}
                data-held={c.held}
                data-free={c.free}
                data-capacity={c.capacity}
              >
                <span>{t("seats.summary", { capacity: c.capacity, taken: c.confirmed, held: c.held, free: c.free })}</span>
                {c.waiting > 0 && <span className="font-semibold text-sky-800">{t("seats.waiting", { count: c.waiting })}</span>}
              </p>
              <p className="mt-1 tabular-nums text-stone-700">
                {t("fees", {
                  enrollment: formatMoney(c.enrollmentFee, c.currency, numberLocale),
                  monthly: formatMoney(c.monthlyFee, c.currency, numberLocale),
                })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
