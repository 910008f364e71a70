"use client";
// One small form around one server action of the people pages (confirm, cancel, withdraw,
// resolve, offer a seat…): asks before what cannot be undone, announces the outcome (role=status
// for success, role=alert for errors naming the fields to fix).
import { useActionState, useContext } from "react";
import { useTranslations } from "next-intl";
import { idlePeopleState, type PeopleAction } from "./action-state";
import { AnnounceContext } from "./outcome-announcer";

type Props = {
  action: PeopleAction;
  submitLabel: string;
  doneLabel: string;
  /** The question asked before submitting, for actions that cannot be undone. */
  confirmText?: string;
  testId: string;
  variant?: "primary" | "secondary" | "danger";
  children?: React.ReactNode;
};

const buttonClass = {
  primary: "bg-brand-600 text-white hover:bg-brand-700",
  secondary: "border border-stone-300 bg-white text-stone-800 hover:bg-stone-100",
  danger: "bg-red-700 text-white hover:bg-red-800",
};

export function PeopleActionForm({ action, submitLabel, doneLabel, confirmText, testId, variant = "primary", children }: Props) {
  const t = useTranslations("peopleActions");
  const announce = useContext(AnnounceContext);
  // Inside an <OutcomeAnnouncer> the success is told to it (this form may be gone by then);
  // without one the server action is used as is, which also works without JavaScript.
  const run: PeopleAction = announce
    ? async (previous, formData) => {
        const result = await action(previous, formData);
        if (result.status === "done") announce(doneLabel);
        return result;
      }
    : action;
  const [state, formAction, pending] = useActionState(run, idlePeopleState);
  const errorId = `${testId}-error`;
  return (
    <form
      action={formAction}
      data-testid={testId}
      aria-describedby={state.status === "error" ? errorId : undefined}
      className="min-w-0 space-y-2"
      onSubmit={(event) => {
        if (confirmText && !window.confirm(confirmText)) event.preventDefault();
      }}
    >
      {children}
      <button type="submit" disabled={pending} className={`rounded-md px-3 py-2 text-sm font-semibold disabled:opacity-60 ${buttonClass[variant]}`}>
        {pending ? t("working") : submitLabel}
      </button>
      <p role="status" className={state.status === "done" ? "text-sm text-emerald-800" : "sr-only"} data-testid={`${testId}-outcome`}>
        {state.status === "done" ? doneLabel : ""}
      </p>
      {state.status === "error" && (
        <div id={errorId} role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          <p>{t(`errors.${state.error}`, { taken: state.detail?.taken ?? 0 })}</p>
          {state.fields && Object.keys(state.fields).length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {Object.keys(state.fields).map((field) => (
                <li key={field}>{t.has(`fields.${field}`) ? t(`fields.${field}` as "fields.reason") : field}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
