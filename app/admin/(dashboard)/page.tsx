import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getDashboardFigures } from "@/db/queries/dashboard";
import { getAcademy, getEnabledMethods } from "@/lib/settings/read";
import { requireStaff } from "@/lib/auth/guard";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";

export async function generateMetadata() {
  const t = await getTranslations("admin");
  return { title: t("title") };
}

export default async function AdminHomePage({ searchParams }: { searchParams: Promise<{ forbidden?: string }> }) {
  const user = await requireStaff();
  const db = await getDb();
  const [academy, enrollmentMethods, receiptMethods] = await Promise.all([
    getAcademy(db),
    getEnabledMethods(db, "enrollment"),
    getEnabledMethods(db, "receipts"),
  ]);
  // Nothing to pay with (a fresh install): payers are told online payment is not available yet.
  const noOnlinePayment = enrollmentMethods.length === 0 && receiptMethods.length === 0;
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const currency = academy?.currency ?? "EUR";
  const figures = await getDashboardFigures(db, timeZone, currency);
  const t = await getTranslations("admin.home");
  const tAdmin = await getTranslations("admin");
  const tStatus = await getTranslations("receiptStatus");
  const format = await getFormatter();
  const locale = await getLocale();
  const money = (amount: number) => formatMoney(amount, currency, formattingLocale[isLocale(locale) ? locale : defaultLocale]);
  const { forbidden } = await searchParams;

  const cards = [
    {
      id: "collected",
      label: t("collectedThisMonth"),
      value: money(figures.collectedThisMonth),
      note: t("paymentsThisMonth", { count: figures.paymentsThisMonth }),
    },
    { id: "pending", label: t("pendingAmount"), value: money(figures.pendingAmount) },
    { id: "overdue", label: t("overdueAmount"), value: money(figures.overdueAmount), note: t("overdueCount", { count: figures.overdueCount }) },
    { id: "refunded", label: t("refundedThisMonth"), value: money(figures.refundedThisMonth) },
  ];

  return (
    <div className="space-y-8">
      {forbidden && (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {tAdmin("forbidden")}
        </p>
      )}
      {noOnlinePayment && (
        <section role="alert" className="space-y-1 rounded-xl border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900" data-testid="setup-payments">
          <h2 className="font-semibold">{t("setupPayments.title")}</h2>
          <p>{t("setupPayments.body")}</p>
          {user.role === "admin" ? (
            <a href="/admin/settings/providers" className="font-medium underline underline-offset-4">
              {t("setupPayments.link")}
            </a>
          ) : (
            <p>{t("setupPayments.askAdmin")}</p>
          )}
        </section>
      )}
      <div>
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <p className="text-sm text-stone-600">{t("month", { month: format.dateTime(new Date(), { month: "long", year: "numeric", timeZone }) })}</p>
      </div>
      <section className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {cards.map((card) => (
          <div key={card.id} className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm" data-testid={`figure-${card.id}`}>
            <h2 className="text-sm text-stone-500">{card.label}</h2>
            <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="value">
              {card.value}
            </p>
            {card.note && <p className="text-sm text-stone-500">{card.note}</p>}
          </div>
        ))}
      </section>
      <section aria-labelledby="by-status">
        <h2 id="by-status" className="mb-2 text-lg font-semibold">
          {t("byStatus")}
        </h2>
        <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white">
          <table className="w-full text-sm">
            <thead className="bg-stone-50 text-left text-stone-600">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  {t("status")}
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  {t("count")}
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  {t("amount")}
                </th>
              </tr>
            </thead>
            <tbody>
              {figures.byStatus.map((row) => (
                <tr key={row.status} className="border-t border-stone-100" data-status={row.status}>
                  <th scope="row" className="px-4 py-2 text-left font-normal">
                    {tStatus(row.status)}
                  </th>
                  <td className="px-4 py-2 text-right tabular-nums" data-testid="count">
                    {row.count}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums" data-testid="amount">
                    {money(row.amount)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
