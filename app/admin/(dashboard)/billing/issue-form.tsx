"use client";
// The "issue receipts for <month>" button and what came of it. The result is announced in a
// live region; once a month has been issued it links to the bulk send of its payment links.
// Without JavaScript the form still posts and the re-rendered page shows the new preview.
import Link from "next/link";
import { useActionState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";
import { issueMonthAction } from "./actions";
import { idleIssueState } from "./action-state";

export function IssueForm({ period, monthName }: { period: string; monthName: string }) {
  const t = useTranslations("billing");
  const locale = useLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const [state, formAction, pending] = useActionState(issueMonthAction, idleIssueState);
  return (
    <div className="space-y-3">
      <form
        action={formAction}
        data-testid="issue-form"
        onSubmit={(event) => {
          if (!window.confirm(t("confirm", { month: monthName }))) event.preventDefault();
        }}
      >
        <input type="hidden" name="period" value={period} />
        <button
          type="submit"
          disabled={pending}
          className="w-full rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60 sm:w-auto"
        >
          {pending ? t("issuing") : t("issue", { month: monthName })}
        </button>
      </form>
      <div role="status" aria-live="polite" data-testid="issue-result">
        {state.status === "done" && state.period === period && (
          <div key={state.at} className="space-y-2 rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-900" data-issued={state.issued}>
            <p>
              {state.issued > 0 ? t("issued", { count: state.issued, month: monthName }) : t("nothingNew", { month: monthName })}
              {state.totals.map((total) => (
                <span key={total.currency} className="ml-1 font-semibold tabular-nums" data-testid="issue-result-total" data-currency={total.currency}>
                  {formatMoney(total.amount, total.currency, numberLocale)}
                </span>
              ))}
            </p>
            <p>
              <Link href={`/admin/messages/bulk?period=${period}`} className="font-semibold text-brand-700 underline underline-offset-4">
                {t("sendLinks")}
              </Link>
            </p>
          </div>
        )}
      </div>
      {state.status === "error" && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {t(`errors.${state.error}`)}
        </p>
      )}
    </div>
  );
}
