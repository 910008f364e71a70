// One course: its seats (taken, held, free), the waiting list in the order seats are offered
// (with "offer the seat" when one is free), and the edit form.
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getDashboardCourse, listWaitingList } from "@/db/queries/dashboard-courses";
import { courseStatus } from "@/db/schema";
import { requireStaff } from "@/lib/auth/guard";
import { formatAmountInput } from "@/lib/courses/amount";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";
import { getAcademy } from "@/lib/settings/read";
import { OutcomeAnnouncer } from "../../enrollments/outcome-announcer";
import { PeopleActionForm } from "../../enrollments/people-action-form";
import { offerSeatAction, updateCourseAction } from "../actions";
import { CourseForm } from "../course-form";

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function generateMetadata() {
  const t = await getTranslations("courses");
  return { title: t("title") };
}

export default async function CoursePage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  await requireStaff();
  const { id } = await params;
  if (!uuidPattern.test(id)) notFound();
  const created = (await searchParams).created === "1";
  const db = await getDb();
  const [course, waiting, academy] = await Promise.all([getDashboardCourse(db, id), listWaitingList(db, id), getAcademy(db)]);
  if (!course) notFound();
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const t = await getTranslations("courses");
  const tStatus = await getTranslations("courses.status");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const money = (amount: number) => formatMoney(amount, course.currency, numberLocale);
  const when = (at: Date) => format.dateTime(at, { dateStyle: "medium", timeStyle: "short", timeZone });
  const card = "min-w-0 rounded-xl border border-stone-200 bg-white p-4 shadow-sm";
  const seats: [string, number, string][] = [
    [t("seats.capacity"), course.capacity, "capacity"],
    [t("seats.taken"), course.confirmed, "taken"],
    [t("seats.held"), course.held, "held"],
    [t("seats.free"), course.free, "free"],
    [t("seats.waitingList"), waiting.length, "waiting"],
  ];

  return (
    <OutcomeAnnouncer>
      <div className="space-y-6">
        <Link href="/admin/courses" className="text-sm text-stone-700 underline-offset-4 hover:underline">
          ← {t("back")}
        </Link>
        <section aria-labelledby="course-heading" className={card}>
          <div className="flex flex-wrap items-center gap-3">
            <h1 id="course-heading" className="break-words text-2xl font-bold">
              {course.name}
            </h1>
            <span
              className="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-semibold text-stone-800"
              data-testid="course-status"
              data-status={course.status}
            >
              {tStatus(course.status)}
            </span>
          </div>
          {created && (
            <p role="status" className="mt-2 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
              {t("created")}
            </p>
          )}
          <p className="mt-1 text-sm text-stone-600">
            {course.code} · {t("fees", { enrollment: money(course.enrollmentFee), monthly: money(course.monthlyFee) })}
          </p>
          <dl className="mt-4 grid grid-cols-2 gap-3 text-center sm:grid-cols-5" data-testid="seats">
            {seats.map(([label, value, key]) => (
              <div key={key} className="rounded-lg bg-stone-50 p-2">
                <dt className="text-xs text-stone-600">{label}</dt>
                <dd className="text-xl font-bold tabular-nums" data-testid={`seats-${key}`}>
                  {value}
                </dd>
              </div>
            ))}
          </dl>
        </section>

        <section aria-labelledby="waiting-heading" className={card}>
          <h2 id="waiting-heading" className="text-lg font-semibold">
            {t("waiting.heading")}
          </h2>
          {waiting.length === 0 ? (
            <p className="mt-2 text-sm text-stone-600">{t("waiting.empty")}</p>
          ) : (
            <ol className="mt-2 list-decimal space-y-1 pl-6 text-sm" data-testid="waiting-list">
              {waiting.map((w) => (
                <li key={w.enrollmentId} data-enrollment-id={w.enrollmentId} className="break-words">
                  <Link href={`/admin/students/${w.studentId}`} className="font-medium text-brand-700 underline-offset-4 hover:underline">
                    {w.firstName} {w.lastName}
                  </Link>
                  <span className="text-stone-600"> · {t("waiting.since", { date: when(w.since) })}</span>
                </li>
              ))}
            </ol>
          )}
          {waiting.length > 0 && course.free > 0 && (
            <div className="mt-3">
              <p className="mb-2 text-sm text-stone-700">{t("waiting.offerHelp")}</p>
              <PeopleActionForm action={offerSeatAction} submitLabel={t("waiting.offer")} doneLabel={t("waiting.offered")} testId="offer-seat">
                <input type="hidden" name="courseId" value={course.id} />
              </PeopleActionForm>
            </div>
          )}
          <p className="mt-3 text-sm">
            <Link href={`/admin/enrollments?course=${course.id}`} className="text-brand-700 underline-offset-4 hover:underline">
              {t("enrollmentsLink")}
            </Link>
          </p>
        </section>

        <section aria-labelledby="edit-heading" className={card}>
          <h2 id="edit-heading" className="mb-4 text-lg font-semibold">
            {t("editHeading")}
          </h2>
          <CourseForm
            action={updateCourseAction}
            courseId={course.id}
            statuses={courseStatus.enumValues}
            taken={course.confirmed + course.held}
            initial={{
              code: course.code,
              name: course.name,
              description: course.description,
              level: course.level ?? "",
              schedule: course.schedule,
              startDate: course.startDate,
              endDate: course.endDate,
              capacity: String(course.capacity),
              enrollmentFee: formatAmountInput(course.enrollmentFee, course.currency, locale),
              monthlyFee: formatAmountInput(course.monthlyFee, course.currency, locale),
              status: course.status,
              minAge: course.minAge === null ? "" : String(course.minAge),
              maxAge: course.maxAge === null ? "" : String(course.maxAge),
              campusCourseId: course.campusCourseId ?? "",
            }}
          />
        </section>
      </div>
    </OutcomeAnnouncer>
  );
}
