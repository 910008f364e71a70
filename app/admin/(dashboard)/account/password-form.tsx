"use client";
// The password change form. Errors are announced (role=alert) and tied to the form; without
// JavaScript it still posts and the page re-renders with the result.
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { changePasswordAction, type PasswordFormState } from "./actions";

const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base";

export function PasswordForm() {
  const t = useTranslations("account");
  const [state, action, pending] = useActionState<PasswordFormState, FormData>(changePasswordAction, { status: "idle" });
  const error = state.status === "error" ? state.error : undefined;
  return (
    <form action={action} className="space-y-4" data-testid="password-form" aria-describedby={error ? "password-error" : "password-hint"} noValidate>
      <fieldset className="space-y-4">
        <legend className="text-lg font-semibold">{t("password.legend")}</legend>
        <p id="password-hint" className="text-sm text-stone-600">
          {t("password.hint")}
        </p>
        {[
          { name: "current", autoComplete: "current-password" },
          { name: "next", autoComplete: "new-password" },
          { name: "repeat", autoComplete: "new-password" },
        ].map((field) => (
          <div key={field.name} className="space-y-1">
            <label htmlFor={`pw-${field.name}`} className="block text-sm font-medium">
              {t(`password.${field.name}` as "password.current")}
            </label>
            <input
              id={`pw-${field.name}`}
              name={field.name}
              type="password"
              required
              autoComplete={field.autoComplete}
              minLength={field.name === "current" ? undefined : 12}
              aria-invalid={error && (error === "wrongPassword" ? field.name === "current" : field.name !== "current") ? true : undefined}
              className={inputClass}
            />
          </div>
        ))}
      </fieldset>
      {error && (
        <p id="password-error" role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {t(`errors.${error}`)}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? t("password.working") : t("password.submit")}
      </button>
    </form>
  );
}
