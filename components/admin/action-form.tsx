"use client";
// The form around one receipt action: submits to its server action (held by <ReceiptActions>),
// asks for confirmation when the action cannot be undone, and shows errors as role=alert,
// naming the fields to fix. Successes are announced by <ReceiptActions>, which outlives the form.
// Without JavaScript the form still posts and the re-rendered page shows the result.
import { useTranslations } from "next-intl";
import { receiptFormFields, type ActionScope } from "./action-state";
import { useActionSlot } from "./receipt-actions";

type Props = {
  scope: ActionScope;
  confirm?: boolean;
  testId: string;
  children?: React.ReactNode;
};

export function ActionForm({ scope, confirm, testId, children }: Props) {
  const t = useTranslations("admin.receipts");
  const { state, formAction, pending } = useActionSlot(scope);
  const errorId = `${testId}-error`;
  const named = state.status === "error" ? receiptFormFields.filter((field) => state.fields?.[field] !== undefined) : [];
  return (
    <form
      action={formAction}
      data-testid={testId}
      aria-describedby={state.status === "error" ? errorId : undefined}
      className="space-y-3"
      onSubmit={(event) => {
        if (confirm && !window.confirm(t(`actions.${scope}.confirm` as "actions.cancel.confirm"))) event.preventDefault();
      }}
    >
      {children}
      {state.status === "error" && (
        <div id={errorId} role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          <p>{t(`errors.${state.error}`)}</p>
          {state.detail?.providerCode !== undefined && <p>{t("errors.providerCode", { code: String(state.detail.providerCode) })}</p>}
          {named.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {named.map((field) => (
                <li key={field}>{t(`fieldErrors.${field}`)}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? t("actions.working") : t(`actions.${scope}.submit`)}
      </button>
    </form>
  );
}
