import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { listOpenCourses } from "@/db/queries/catalog";
import { CourseCard } from "@/components/catalog/course-card";
import { isLocale, defaultLocale } from "@/lib/i18n/config";

export default async function HomePage() {
  const courses = await listOpenCourses(await getDb());
  const t = await getTranslations("home");
  const format = await getFormatter();
  const locale = await getLocale();
  return (
    <>
      <section className="mb-8 max-w-2xl">
        <h1 className="text-3xl font-bold tracking-tight">{t("title")}</h1>
        <p className="mt-2 text-stone-600">{t("intro")}</p>
      </section>
      {courses.length === 0 ? (
        <p className="rounded-lg border border-dashed border-stone-300 p-6 text-stone-600">{t("empty")}</p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2" aria-label={t("title")}>
          {courses.map((course) => (
            <li key={course.id}>
              <CourseCard
                course={course}
                locale={isLocale(locale) ? locale : defaultLocale}
                dateRange={t("dateRange", {
                  start: format.dateTime(new Date(course.startDate), { dateStyle: "medium", timeZone: "UTC" }),
                  end: format.dateTime(new Date(course.endDate), { dateStyle: "medium", timeZone: "UTC" }),
                })}
              />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
