"use client";
// Labelled inputs for the settings forms: each shows its hint and, after a failed save, its own
// error (translated from the code), tied to the input with aria-describedby and aria-invalid.
import { useTranslations } from "next-intl";
import { useFieldError } from "./settings-form";

const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm aria-[invalid=true]:border-red-600";

type Common = { name: string; label: string; hint?: string; id?: string };

function describedBy(id: string, hint: string | undefined, error: string | undefined) {
  return [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}

function Messages({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  const t = useTranslations("settings.fieldErrors");
  return (
    <>
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-stone-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700" data-testid={`error-${id}`}>
          {t.has(error) ? t(error) : t("invalid")}
        </p>
      )}
    </>
  );
}

export function TextField({
  name,
  label,
  hint,
  id,
  defaultValue,
  type = "text",
  placeholder,
  autoComplete,
  inputMode,
  required,
}: Common & {
  defaultValue?: string;
  type?: "text" | "email" | "url" | "password" | "number" | "tel";
  placeholder?: string;
  autoComplete?: string;
  inputMode?: "numeric" | "text";
  required?: boolean;
}) {
  const fieldId = id ?? `s-${name}`;
  const error = useFieldError(name);
  return (
    <div className="space-y-1">
      <label htmlFor={fieldId} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={fieldId}
        name={name}
        type={type}
        defaultValue={defaultValue}
        placeholder={placeholder}
        autoComplete={autoComplete ?? "off"}
        inputMode={inputMode}
        aria-required={required || undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(fieldId, hint, error)}
        className={inputClass}
      />
      <Messages id={fieldId} hint={hint} error={error} />
    </div>
  );
}

export function SelectField({ name, label, hint, id, defaultValue, options }: Common & { defaultValue?: string; options: { value: string; label: string }[] }) {
  const fieldId = id ?? `s-${name}`;
  const error = useFieldError(name);
  return (
    <div className="space-y-1">
      <label htmlFor={fieldId} className="block text-sm font-medium">
        {label}
      </label>
      <select
        id={fieldId}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(fieldId, hint, error)}
        className={inputClass}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Messages id={fieldId} hint={hint} error={error} />
    </div>
  );
}

export function CheckboxField({
  name,
  label,
  hint,
  id,
  defaultChecked,
  value = "on",
  disabled,
}: Common & { defaultChecked?: boolean; value?: string; disabled?: boolean }) {
  const fieldId = id ?? `s-${name}`;
  const error = useFieldError(name);
  return (
    <div className="space-y-1">
      <div className="flex items-start gap-2">
        <input
          id={fieldId}
          name={name}
          type="checkbox"
          value={value}
          defaultChecked={defaultChecked}
          disabled={disabled}
          aria-describedby={describedBy(fieldId, hint, error)}
          className="mt-0.5 size-5 shrink-0"
        />
        <label htmlFor={fieldId} className="text-sm">
          {label}
        </label>
      </div>
      <Messages id={fieldId} hint={hint} error={error} />
    </div>
  );
}

/** The error of a group of checkboxes (e.g. "choose at least one"), shown under its legend. */
export function GroupError({ name }: { name: string }) {
  const t = useTranslations("settings.fieldErrors");
  const error = useFieldError(name);
  if (!error) return null;
  return (
    <p className="text-sm font-medium text-red-700" data-testid={`error-${name}`}>
      {t.has(error) ? t(error) : t("invalid")}
    </p>
  );
}
