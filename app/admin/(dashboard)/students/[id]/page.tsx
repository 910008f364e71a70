// One student: their data, guardians (who pays), enrollments (with the seat's state), receipts
// (with links to each receipt's page) and campus accounts.
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { ReceiptStatusBadge } from "@/components/admin/receipt-status-badge";
import { getDb } from "@/db/client";
import { getDashboardStudent } from "@/db/queries/dashboard-students";
import { requireStaff } from "@/lib/auth/guard";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";
import { getAcademy } from "@/lib/settings/read";
import { EnrollmentStatusBadge } from "../../enrollments/enrollment-status-badge";

type Params = Promise<{ id: string }>;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function generateMetadata() {
  const t = await getTranslations("students");
  return { title: t("detail.title") };
}

export default async function StudentPage({ params }: { params: Params }) {
  await requireStaff();
  const { id } = await params;
  if (!uuidPattern.test(id)) notFound();
  const db = await getDb();
  const [student, academy] = await Promise.all([getDashboardStudent(db, id), getAcademy(db)]);
  if (!student) notFound();
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const t = await getTranslations("students");
  const tEnrollment = await getTranslations("enrollments.status");
  const tReceipt = await getTranslations("receiptStatus");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const money = (amount: number, currency: string) => formatMoney(amount, currency, numberLocale);
  const when = (at: Date) => format.dateTime(at, { dateStyle: "medium", timeStyle: "short", timeZone });
  const day = (iso: string) => format.dateTime(new Date(`${iso}T12:00:00Z`), { dateStyle: "medium", timeZone: "UTC" });
  const none = t("detail.none");
  const card = "min-w-0 rounded-xl border border-stone-200 bg-white p-4 shadow-sm";

  const data: [string, string, string][] = [
    [t("detail.email"), student.email, "email"],
    [t("detail.phone"), student.phone ?? none, "phone"],
    [t("detail.document"), student.documentNumber ? `${t(`documentTypes.${student.documentType ?? "other"}`)} ${student.documentNumber}` : none, "document"],
    [t("detail.birthDate"), student.birthDate ? day(student.birthDate) : none, "birth-date"],
    [t("detail.address"), [student.address, student.postcode, student.city].filter(Boolean).join(", ") || none, "address"],
    [t("detail.since"), when(student.createdAt), "since"],
  ];
  // Money the student owes or paid, per currency: what is pending, and what was paid net of refunds.
  const pending = new Map<string, number>();
  const paid = new Map<string, number>();
  for (const r of student.receipts) {
    if (r.status === "pending") pending.set(r.currency, (pending.get(r.currency) ?? 0) + r.amount);
    if (r.status === "paid" || r.status === "partially_refunded" || r.status === "refunded")
      paid.set(r.currency, (paid.get(r.currency) ?? 0) + r.amount - r.refundedAmount);
  }

  return (
    <div className="space-y-6">
      <Link href="/admin/students" className="text-sm text-stone-700 underline-offset-4 hover:underline">
        ← {t("detail.back")}
      </Link>
      <section aria-labelledby="student-heading" className={card}>
        <h1 id="student-heading" className="text-2xl font-bold break-words">
          {student.firstName} {student.lastName}
        </h1>
        <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {data.map(([label, value, testId]) => (
            <div key={testId} className="contents">
              <dt className="text-stone-500">{label}</dt>
              <dd className="break-words" data-testid={`student-${testId}`}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
        <p className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-sm" data-testid="student-money">
          <span>
            {t("detail.pending")}:{" "}
            <strong className="tabular-nums">{pending.size === 0 ? money(0, "EUR") : [...pending].map(([c, a]) => money(a, c)).join(" + ")}</strong>
          </span>
          <span>
            {t("detail.paid")}:{" "}
            <strong className="tabular-nums">{paid.size === 0 ? money(0, "EUR") : [...paid].map(([c, a]) => money(a, c)).join(" + ")}</strong>
          </span>
        </p>
      </section>

      <section aria-labelledby="guardians-heading" className={card}>
        <h2 id="guardians-heading" className="text-lg font-semibold">
          {t("guardians.heading")}
        </h2>
        {student.guardians.length === 0 ? (
          <p className="mt-2 text-sm text-stone-600">{t("guardians.empty")}</p>
        ) : (
          <ul className="mt-2 space-y-2 text-sm">
            {student.guardians.map((g) => (
              <li key={g.id} className="break-words" data-testid="guardian">
                <span className="font-medium">
                  {g.firstName} {g.lastName}
                </span>
                {g.relationship && ` (${g.relationship})`}
                {g.isPayer && <span className="ml-2 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-semibold text-brand-700">{t("guardians.payer")}</span>}
                <span className="block text-stone-600">{[g.email, g.phone, g.documentNumber].filter(Boolean).join(" · ")}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="enrollments-heading" className={card}>
        <h2 id="enrollments-heading" className="text-lg font-semibold">
          {t("enrollments.heading")}
        </h2>
        {student.enrollments.length === 0 ? (
          <p className="mt-2 text-sm text-stone-600">{t("enrollments.empty")}</p>
        ) : (
          <ul className="mt-2 space-y-2 text-sm" data-testid="student-enrollments">
            {student.enrollments.map((e) => (
              <li key={e.id} className="flex min-w-0 flex-wrap items-center gap-2" data-enrollment-id={e.id}>
                <Link href={`/admin/courses/${e.courseId}`} className="font-medium text-brand-700 underline-offset-4 hover:underline">
                  {e.courseName}
                </Link>
                <EnrollmentStatusBadge status={e.status} label={tEnrollment(e.status)} />
                <Link
                  href={`/admin/enrollments?q=${encodeURIComponent(student.email)}&course=${e.courseId}`}
                  className="text-stone-600 underline-offset-4 hover:underline"
                >
                  {t("enrollments.manage")}
                </Link>
                {e.cancelReason && <span className="basis-full break-words text-stone-600">{t("enrollments.reason", { reason: e.cancelReason })}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="receipts-heading" className={card}>
        <h2 id="receipts-heading" className="text-lg font-semibold">
          {t("receipts.heading")}
        </h2>
        {student.receipts.length === 0 ? (
          <p className="mt-2 text-sm text-stone-600">{t("receipts.empty")}</p>
        ) : (
          <ul className="mt-2 divide-y divide-stone-100 text-sm" data-testid="student-receipts">
            {student.receipts.map((r) => (
              <li key={r.id} className="flex min-w-0 flex-wrap items-center justify-between gap-2 py-2" data-receipt-id={r.id}>
                <span className="min-w-0">
                  <Link href={`/admin/receipts/${r.id}`} className="font-medium text-brand-700 underline-offset-4 hover:underline">
                    {r.number}
                  </Link>
                  <span className="block break-words text-stone-600">{r.concept}</span>
                </span>
                <span className="flex flex-wrap items-center gap-2">
                  <span className="tabular-nums">{money(r.amount, r.currency)}</span>
                  <ReceiptStatusBadge status={r.status} label={tReceipt(r.status)} />
                  <span className="text-stone-600">{t("receipts.due", { date: day(r.dueDate) })}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="campus-heading" className={card}>
        <h2 id="campus-heading" className="text-lg font-semibold">
          {t("campus.heading")}
        </h2>
        {student.campus.length === 0 ? (
          <p className="mt-2 text-sm text-stone-600">{t("campus.empty")}</p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm">
            {student.campus.map((a) => (
              <li key={a.id} data-provider={a.provider} data-status={a.status} className="break-words">
                <span className="font-medium">{t(`campus.providers.${a.provider}`)}</span>: {t(`campus.status.${a.status}`)}
                {a.externalUserId && <span className="text-stone-600"> · {t("campus.user", { id: a.externalUserId })}</span>}
                {a.lastError && <span className="block text-red-700">{a.lastError}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
