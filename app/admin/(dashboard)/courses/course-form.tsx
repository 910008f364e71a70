"use client";
// The course form (new and edit). Fees are typed as euros ("85,50") and parsed exactly on the
// server. Errors come back as field names: each field says what is wrong next to it
// (aria-invalid + aria-describedby), and what was typed stays in the form.
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { idlePeopleState, type PeopleAction } from "../enrollments/action-state";

export type CourseFormValues = {
  code: string;
  name: string;
  description: string;
  level: string;
  schedule: string;
  startDate: string;
  endDate: string;
  capacity: string;
  enrollmentFee: string;
  monthlyFee: string;
  status: string;
  minAge: string;
  maxAge: string;
  campusCourseId: string;
};

type Props = { action: PeopleAction; courseId?: string; initial: CourseFormValues; statuses: readonly string[]; taken?: number };

export function CourseForm({ action, courseId, initial, statuses, taken }: Props) {
  const t = useTranslations("courses.form");
  const tErrors = useTranslations("peopleActions.errors");
  const tStatus = useTranslations("courses.status");
  const [state, formAction, pending] = useActionState(action, idlePeopleState);
  const bad = new Set(state.status === "error" ? Object.keys(state.fields ?? {}) : []);
  const values: CourseFormValues = state.status === "error" && state.values ? { ...initial, ...state.values } : initial;
  const inputClass = "w-full min-w-0 rounded-md border bg-white px-3 py-2 text-base sm:text-sm";

  function field(
    name: keyof CourseFormValues,
    input: (props: {
      id: string;
      name: string;
      defaultValue: string;
      "aria-invalid"?: true;
      "aria-describedby"?: string;
      className: string;
    }) => React.ReactNode,
    hint?: string,
  ) {
    const id = `course-${name}`;
    const invalid = bad.has(name);
    const describedBy = [hint ? `${id}-hint` : "", invalid ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
    return (
      <div className="min-w-0 space-y-1">
        <label htmlFor={id} className="block text-sm font-medium">
          {t(`fields.${name}`)}
        </label>
        {input({
          id,
          name,
          defaultValue: values[name],
          "aria-invalid": invalid || undefined,
          "aria-describedby": describedBy,
          className: `${inputClass} ${invalid ? "border-red-600" : "border-stone-300"}`,
        })}
        {hint && (
          <p id={`${id}-hint`} className="text-xs text-stone-500">
            {hint}
          </p>
        )}
        {invalid && (
          <p id={`${id}-error`} className="text-sm text-red-700" data-testid={`error-${name}`}>
            {name === "capacity" && state.status === "error" && state.error === "capacity_below_taken"
              ? tErrors("capacity_below_taken", { taken: state.detail?.taken ?? taken ?? 0 })
              : name === "code" && state.status === "error" && state.error === "code_taken"
                ? tErrors("code_taken")
                : t(`errors.${name}`)}
          </p>
        )}
      </div>
    );
  }

  return (
    // A new key after each failed try remounts the inputs with what was typed.
    <form key={state.status === "error" ? state.at : "form"} action={formAction} className="space-y-4" data-testid="course-form" noValidate>
      {courseId && <input type="hidden" name="courseId" value={courseId} />}
      {state.status === "error" && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="course-form-error">
          {state.error === "invalid" || state.error === "code_taken" || state.error === "capacity_below_taken"
            ? t("fixFields", { count: bad.size })
            : tErrors(state.error, { taken: 0 })}
        </div>
      )}
      <p
        role="status"
        className={state.status === "done" ? "rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900" : "sr-only"}
        data-testid="course-form-outcome"
      >
        {state.status === "done" ? t("saved") : ""}
      </p>
      <div className="grid gap-4 sm:grid-cols-2">
        {field("name", (p) => (
          <input {...p} required maxLength={120} />
        ))}
        {field(
          "code",
          (p) => (
            <input {...p} required maxLength={30} autoCapitalize="characters" />
          ),
          t("hints.code"),
        )}
        <div className="sm:col-span-2">
          {field("description", (p) => (
            <textarea {...p} rows={3} maxLength={2000} />
          ))}
        </div>
        {field("level", (p) => (
          <input {...p} maxLength={40} />
        ))}
        {field(
          "schedule",
          (p) => (
            <input {...p} maxLength={200} />
          ),
          t("hints.schedule"),
        )}
        {field("startDate", (p) => (
          <input {...p} type="date" required />
        ))}
        {field("endDate", (p) => (
          <input {...p} type="date" required />
        ))}
        {field(
          "capacity",
          (p) => (
            <input {...p} type="number" inputMode="numeric" min={1} max={1000} required />
          ),
          taken !== undefined ? t("hints.capacity", { taken }) : undefined,
        )}
        {field(
          "status",
          (p) => (
            <select {...p}>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {tStatus(s)}
                </option>
              ))}
            </select>
          ),
          t("hints.status"),
        )}
        {field(
          "enrollmentFee",
          (p) => (
            <input {...p} inputMode="decimal" required />
          ),
          t("hints.fee"),
        )}
        {field(
          "monthlyFee",
          (p) => (
            <input {...p} inputMode="decimal" required />
          ),
          t("hints.fee"),
        )}
        {field(
          "minAge",
          (p) => (
            <input {...p} type="number" inputMode="numeric" min={0} max={120} />
          ),
          t("hints.ages"),
        )}
        {field(
          "maxAge",
          (p) => (
            <input {...p} type="number" inputMode="numeric" min={0} max={120} />
          ),
          t("hints.ages"),
        )}
        {field(
          "campusCourseId",
          (p) => (
            <input {...p} maxLength={64} />
          ),
          t("hints.campusCourseId"),
        )}
      </div>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? t("saving") : courseId ? t("save") : t("create")}
      </button>
    </form>
  );
}
