"use client";
// The "send the links" button for one month: asks for confirmation (it emails every payer),
// then shows the send's live progress right here. Without JavaScript the form still posts.
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { startBulkSendAction } from "./actions";
import { idleBulkSendState } from "./action-state";
import { BulkSendProgress } from "./progress-bar";

export function StartBulkSendForm({ period, monthName, pending }: { period: string; monthName: string; pending: number }) {
  const t = useTranslations("mail.bulk");
  const [state, formAction, working] = useActionState(startBulkSendAction, idleBulkSendState);
  return (
    <div className="space-y-4">
      {state.status !== "started" && (
        <form
          action={formAction}
          data-testid="bulk-start-form"
          onSubmit={(event) => {
            if (!window.confirm(t("confirm", { count: pending, month: monthName }))) event.preventDefault();
          }}
        >
          <input type="hidden" name="period" value={period} />
          <button
            type="submit"
            disabled={working || pending === 0}
            className="w-full rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60 sm:w-auto"
          >
            {working ? t("starting") : t("start", { count: pending, month: monthName })}
          </button>
        </form>
      )}
      {state.status === "error" && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {t(`errors.${state.error}`)}
        </p>
      )}
      {state.status === "started" && (
        <div key={state.at} className="space-y-3 rounded-xl border border-stone-200 bg-white p-4">
          <p role="status" className="text-sm">
            {state.created ? t("started", { count: state.total }) : t("alreadyOpen")}
          </p>
          <BulkSendProgress
            bulkSendId={state.bulkSendId}
            label={t("progressLabel", { month: monthName })}
            initial={{ total: state.total, sent: 0, failed: 0, invalid: 0, queued: state.total, status: "queued" }}
          />
        </div>
      )}
    </div>
  );
}
