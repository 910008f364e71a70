import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getCourseByCode } from "@/db/queries/catalog";
import { EnrollmentWizard } from "@/components/enrollment/enrollment-wizard";
import { moneyFor, SandboxNotice, StatusPanel } from "@/components/payments/receipt-summary";
import { policyLinks } from "@/lib/settings/schemas";
import { calendarDate } from "@/lib/dates";
import { paymentPageContext } from "@/lib/payments/page-context";
import { getAcademy } from "@/lib/settings/read";
import { submitEnrollmentAction } from "../actions";

export async function generateMetadata({ params }: { params: Promise<{ code: string }> }) {
  const course = await getCourseByCode(await getDb(), decodeURIComponent((await params).code));
  const t = await getTranslations("enrollment");
  return { title: course ? t("title", { course: course.name }) : t("result.closedTitle") };
}

export default async function EnrollmentPage({ params }: { params: Promise<{ code: string }> }) {
  const { code } = await params;
  const db = await getDb();
  const course = await getCourseByCode(db, decodeURIComponent(code));
  if (!course) notFound();
  const t = await getTranslations("enrollment");
  const tHome = await getTranslations("home");
  const tPay = await getTranslations("pay");
  const format = await getFormatter();
  if (course.status !== "open") return <StatusPanel tone="neutral" title={t("result.closedTitle")} body={t("result.closedBody")} />;

  const [context, academy] = await Promise.all([paymentPageContext(db, { kind: "enrollment", currency: course.currency }), getAcademy(db)]);
  const total = course.enrollmentFee + (course.firstMonthOnEnrollment ? course.monthlyFee : 0);
  const date = (d: string) => format.dateTime(new Date(`${d}T12:00:00Z`), { dateStyle: "medium", timeZone: "UTC" });
  return (
    <div className="mx-auto max-w-2xl space-y-5">
      <h1 className="text-2xl font-bold">{t("title", { course: course.name })}</h1>
      {context.testMode && <SandboxNotice text={tPay("sandbox")} />}
      <EnrollmentWizard
        course={{
          id: course.id,
          name: course.name,
          schedule: course.schedule,
          dates: tHome("dateRange", { start: date(course.startDate), end: date(course.endDate) }),
          enrollmentFeeLabel: await moneyFor(course.enrollmentFee, course.currency),
          monthlyFeeLabel: tHome("perMonth", { amount: await moneyFor(course.monthlyFee, course.currency) }),
          firstMonthLabel: course.firstMonthOnEnrollment ? await moneyFor(course.monthlyFee, course.currency) : undefined,
          totalLabel: await moneyFor(total, course.currency),
          full: course.seatsLeft === 0,
          startDate: course.startDate,
          minAge: course.minAge,
          maxAge: course.maxAge,
        }}
        methods={context.methods}
        policies={policyLinks(academy)}
        contactEmail={academy?.email || undefined}
        today={calendarDate(new Date())}
        submit={submitEnrollmentAction}
      />
    </div>
  );
}
