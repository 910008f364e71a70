"use client";
// One user-management form: posts to its server action, asks for confirmation when told to, and
// announces the outcome (role=status for successes, role=alert for errors). A generated password
// is shown here once, from the action's answer; nothing else keeps it.
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { idleUserForm, type UserFormState } from "./form-state";

type Props = {
  action: (previous: UserFormState, formData: FormData) => Promise<UserFormState>;
  testId: string;
  submitLabel: string;
  confirm?: string;
  variant?: "primary" | "secondary";
  children?: React.ReactNode;
};

export function UserForm({ action, testId, submitLabel, confirm, variant = "primary", children }: Props) {
  const t = useTranslations("users");
  const [state, formAction, pending] = useActionState(action, idleUserForm);
  const outcomeId = `${testId}-outcome`;
  const button =
    variant === "primary"
      ? "rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      : "rounded-md border border-stone-300 bg-white px-3 py-2 text-sm font-medium hover:bg-stone-100 disabled:opacity-60";
  return (
    <form
      action={formAction}
      data-testid={testId}
      aria-describedby={state.status === "idle" ? undefined : outcomeId}
      className="space-y-3"
      onSubmit={(event) => {
        if (confirm && !window.confirm(confirm)) event.preventDefault();
      }}
    >
      {children}
      <button type="submit" disabled={pending} className={button}>
        {pending ? t("actions.working") : submitLabel}
      </button>
      {state.status === "error" && (
        <p id={outcomeId} role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {t(`errors.${state.error}`)}
        </p>
      )}
      {state.status === "done" && (
        <div id={outcomeId} role="status" className="space-y-1 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          <p>{t(`notices.${state.notice}`)}</p>
          {state.password && (
            <>
              <p>
                {t("notices.password", { email: state.email ?? "" })}{" "}
                <code data-testid="generated-password" className="break-all rounded bg-white px-1 font-mono text-base">
                  {state.password}
                </code>
              </p>
              <p>{t("notices.copyOnce")}</p>
            </>
          )}
        </div>
      )}
    </form>
  );
}
