import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import type { ReceiptForPayment } from "@/db/queries/receipts";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";

export async function moneyFor(amount: number, currency: string): Promise<string> {
  const locale = await getLocale();
  return formatMoney(amount, currency, formattingLocale[isLocale(locale) ? locale : defaultLocale]);
}

export async function ReceiptSummary({ receipt }: { receipt: ReceiptForPayment }) {
  const t = await getTranslations("pay");
  const format = await getFormatter();
  return (
    <section aria-labelledby="receipt-title" className="rounded-xl border border-stone-200 bg-white p-5 shadow-sm">
      <h2 id="receipt-title" className="text-sm font-medium text-stone-500">
        {t("receipt", { number: receipt.number })}
      </h2>
      <p className="mt-1 text-3xl font-bold tabular-nums" data-testid="amount">
        {await moneyFor(receipt.amount, receipt.currency)}
      </p>
      <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-stone-500">{t("concept")}</dt>
        <dd data-testid="concept">{receipt.concept}</dd>
        <dt className="text-stone-500">{t("payer")}</dt>
        <dd>{receipt.payerName}</dd>
        <dt className="text-stone-500">{t("dueDate")}</dt>
        <dd>{format.dateTime(new Date(`${receipt.dueDate}T12:00:00Z`), { dateStyle: "long", timeZone: "UTC" })}</dd>
      </dl>
    </section>
  );
}

export function SandboxNotice({ text }: { text: string }) {
  return (
    <p className="flex items-center gap-2 rounded-md border border-violet-200 bg-violet-50 px-3 py-2 text-sm text-violet-900" data-testid="sandbox-badge">
      <span className="rounded bg-violet-700 px-1.5 py-0.5 text-xs font-bold tracking-wide text-white">SANDBOX</span>
      {text}
    </p>
  );
}

export function StatusPanel({
  title,
  body,
  tone,
  children,
}: {
  title: string;
  body: string;
  tone: "ok" | "wait" | "bad" | "neutral";
  children?: React.ReactNode;
}) {
  const tones = {
    ok: "border-emerald-200 bg-emerald-50 text-emerald-950",
    wait: "border-sky-200 bg-sky-50 text-sky-950",
    bad: "border-red-200 bg-red-50 text-red-950",
    neutral: "border-stone-200 bg-white text-stone-900",
  };
  return (
    <section role="status" className={`rounded-xl border p-5 ${tones[tone]}`}>
      <h1 className="text-xl font-semibold">{title}</h1>
      <p className="mt-1">{body}</p>
      {children}
    </section>
  );
}
