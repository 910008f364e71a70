"use client";
// A settings form: posts to its server action (it works without JavaScript too), says what
// happened in a status line that screen readers hear, and hands field errors to the fields
// inside it (each shows its own message and is marked aria-invalid). An optional second button
// ("Probar conexión", "Enviar prueba") posts the same fields to another action.
import { createContext, useActionState, useContext } from "react";
import { useTranslations } from "next-intl";
import { idleSettingsState, type SettingsAction, type SettingsState } from "./form-state";

const FieldErrors = createContext<Record<string, string>>({});

export function useFieldError(name: string): string | undefined {
  return useContext(FieldErrors)[name];
}

type Props = {
  action: SettingsAction;
  testId: string;
  submitLabel: string;
  /** A second button posting the same form elsewhere (e.g. the connection test). */
  secondary?: { action: SettingsAction; label: string; testId: string };
  danger?: boolean;
  confirm?: string;
  children?: React.ReactNode;
};

export function SettingsForm({ action, testId, submitLabel, secondary, danger, confirm, children }: Props) {
  const [state, formAction, pending] = useActionState(action, idleSettingsState);
  const [secondState, secondAction, secondPending] = useActionState(secondary?.action ?? noAction, idleSettingsState);
  const latest =
    secondState.status !== "idle" && (state.status === "idle" || ("at" in secondState && "at" in state && secondState.at > state.at)) ? secondState : state;
  const fields = latest.status === "error" ? (latest.fields ?? {}) : {};
  return (
    <form
      action={formAction}
      data-testid={testId}
      className="space-y-4"
      noValidate
      onSubmit={(event) => {
        if (confirm && !window.confirm(confirm)) event.preventDefault();
      }}
    >
      <FieldErrors.Provider value={fields}>{children}</FieldErrors.Provider>
      <Outcome state={latest} testId={`${testId}-outcome`} />
      <div className="flex flex-wrap gap-3">
        <button
          type="submit"
          disabled={pending || secondPending}
          className={`rounded-md px-4 py-2 text-sm font-semibold text-white disabled:opacity-60 ${danger ? "bg-red-700 hover:bg-red-800" : "bg-brand-600 hover:bg-brand-700"}`}
        >
          {submitLabel}
        </button>
        {secondary && (
          <button
            type="submit"
            formAction={secondAction}
            formNoValidate
            data-testid={secondary.testId}
            disabled={pending || secondPending}
            className="rounded-md border border-stone-300 bg-white px-4 py-2 text-sm font-semibold text-stone-800 hover:bg-stone-100 disabled:opacity-60"
          >
            {secondary.label}
          </button>
        )}
      </div>
    </form>
  );
}

const noAction: SettingsAction = async () => idleSettingsState;

function Outcome({ state, testId }: { state: SettingsState; testId: string }) {
  const t = useTranslations("settings");
  const ok = "rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900";
  const bad = "rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800";
  switch (state.status) {
    case "idle":
      return <p role="status" data-testid={testId} className="sr-only" />;
    case "saved":
      return (
        <p role="status" data-testid={testId} data-outcome="saved" className={ok}>
          {state.unchanged ? t("outcome.unchanged") : t("outcome.saved")}
        </p>
      );
    case "removed":
      return (
        <p role="status" data-testid={testId} data-outcome="removed" className={ok}>
          {t("outcome.removed")}
        </p>
      );
    case "revoked":
      return (
        <p role="status" data-testid={testId} data-outcome="revoked" className={ok}>
          {t("outcome.revoked")}
        </p>
      );
    case "sent":
      return (
        <p role="status" data-testid={testId} data-outcome="sent" className={ok}>
          {t("outcome.sent", { to: state.to })}
        </p>
      );
    case "keyCreated":
      return (
        <div role="status" data-testid={testId} data-outcome="keyCreated" className={ok}>
          <p className="font-semibold">{t("apiKeys.created", { name: state.name })}</p>
          <p className="mt-1">{t("apiKeys.showOnce")}</p>
          <code data-testid="new-api-key" className="mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-stone-900">
            {state.key}
          </code>
        </div>
      );
    case "tested":
      return state.ok ? (
        <p role="status" data-testid={testId} data-outcome="test-ok" className={ok}>
          {t("outcome.testOk")}
        </p>
      ) : (
        <div role="alert" data-testid={testId} data-outcome="test-failed" className={bad}>
          <p className="font-semibold">{t("outcome.testFailed")}</p>
          <p>{t(`testFailure.${state.reason ?? "unexpected"}`)}</p>
          {state.detail && <p className="break-all">{t("outcome.providerSaid", { detail: state.detail })}</p>}
        </div>
      );
    case "error":
      return (
        <div role="alert" data-testid={testId} data-outcome="error" className={bad}>
          <p>{t(`errors.${state.error}`)}</p>
          {state.detail?.said !== undefined && <p className="break-all">{t("outcome.providerSaid", { detail: String(state.detail.said) })}</p>}
          {state.fields && Object.keys(state.fields).length > 0 && <p>{t("outcome.fixFields", { count: Object.keys(state.fields).length })}</p>}
        </div>
      );
  }
}
