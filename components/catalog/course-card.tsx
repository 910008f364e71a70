import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { CatalogCourse } from "@/db/queries/catalog";
import { formattingLocale, type Locale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";

export async function CourseCard({ course, locale, dateRange }: { course: CatalogCourse; locale: Locale; dateRange: string }) {
  const t = await getTranslations("home");
  const tEnroll = await getTranslations("enrollment");
  const money = (amount: number) => formatMoney(amount, course.currency, formattingLocale[locale]);
  const full = course.seatsLeft === 0;
  return (
    <article
      className="flex h-full flex-col rounded-xl border border-stone-200 bg-white p-5 shadow-sm"
      aria-labelledby={`course-${course.id}`}
      data-course-code={course.code}
    >
      <div className="flex items-start justify-between gap-3">
        <h2 id={`course-${course.id}`} className="text-lg font-semibold leading-snug">
          {course.name}
        </h2>
        {course.level && (
          <span className="shrink-0 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700">{t("level", { level: course.level })}</span>
        )}
      </div>
      <p className="mt-2 text-sm text-stone-600">{course.description}</p>
      <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-stone-500">{t("schedule")}</dt>
        <dd>{course.schedule}</dd>
        <dt className="text-stone-500">{t("dates")}</dt>
        <dd>{dateRange}</dd>
        {(course.minAge !== null || course.maxAge !== null) && (
          <>
            <dt className="text-stone-500">{t("agesLabel")}</dt>
            <dd data-testid="ages">
              {course.minAge !== null && course.maxAge !== null
                ? t("ages", { min: course.minAge, max: course.maxAge })
                : course.minAge !== null
                  ? t("agesMin", { min: course.minAge })
                  : t("agesMax", { max: course.maxAge ?? 0 })}
            </dd>
          </>
        )}
        <dt className="text-stone-500">{t("enrollmentFee")}</dt>
        <dd data-testid="enrollment-fee">{money(course.enrollmentFee)}</dd>
        <dt className="text-stone-500">{t("monthlyFee")}</dt>
        <dd data-testid="monthly-fee">{t("perMonth", { amount: money(course.monthlyFee) })}</dd>
      </dl>
      <div className="mt-auto flex flex-wrap items-center justify-between gap-3 pt-4">
        <p
          className={`self-start rounded-full px-3 py-1 text-sm font-medium ${
            full ? "bg-stone-200 text-stone-700" : course.seatsLeft <= 2 ? "bg-amber-100 text-amber-900" : "bg-emerald-100 text-emerald-900"
          }`}
          data-testid="seats"
        >
          {full ? t("full") : t("seatsLeft", { count: course.seatsLeft })}
        </p>
        <Link
          href={`/inscripcion/${encodeURIComponent(course.code)}`}
          aria-label={`${full ? tEnroll("joinWaitlist") : tEnroll("enroll")}: ${course.name}`}
          className={`rounded-md px-4 py-2 text-sm font-semibold ${full ? "border border-stone-300 text-stone-800 hover:bg-stone-50" : "bg-brand-600 text-white hover:bg-brand-700"}`}
        >
          {full ? tEnroll("joinWaitlist") : tEnroll("enroll")}
        </Link>
      </div>
    </article>
  );
}
