"use client";
// The enrollment wizard: course → student → guardian (minors) → consents → payment → summary.
// Each step is checked with the same zod schema the server uses; what was typed survives going
// back and forth and a reload (sessionStorage), and the submission key makes a double click or
// a second tab find the same enrollment.
import { createContext, useContext, useEffect, useId, useRef, useState, useTransition } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { validateBirthDate, isMinor, withinAgeRange } from "@/lib/enrollment/birth-date";
import {
  consentsStepSchema,
  fieldErrors,
  fieldLimits,
  guardianStepSchema,
  paymentStepSchema,
  relationships,
  studentNeedsDocument,
  studentStepSchema,
} from "@/lib/enrollment/schema";
import type { CheckoutAction, OnlineMethod } from "@/lib/payments/types";
import { ProviderForm } from "@/components/payments/provider-form";

type StepName = "course" | "student" | "guardian" | "consents" | "payment" | "summary";
type Person = Record<"firstName" | "lastName" | "documentType" | "documentNumber" | "email" | "phone", string>;
type Data = {
  student: Person & Record<"birthDate" | "address" | "postcode" | "city", string>;
  guardian: Person & { relationship: string };
  consents: { dataProtection: boolean; terms: boolean; imageRights: boolean };
  method: string;
};
type Errors = Record<string, string[]>;

export type WizardCourse = {
  id: string;
  name: string;
  schedule: string;
  dates: string;
  enrollmentFeeLabel: string;
  monthlyFeeLabel: string;
  /** The first month's fee when it is paid with the enrollment fee. */
  firstMonthLabel?: string;
  totalLabel: string;
  full: boolean;
  /** YYYY-MM-DD; the age range is checked on this day. */
  startDate: string;
  minAge: number | null;
  maxAge: number | null;
};

/** The course's ages, for the messages that name them. */
const AgeRange = createContext<{ min: number | null; max: number | null }>({ min: null, max: null });

function ageRangeKey(min: number | null, max: number | null): "age_range" | "age_min" | "age_max" {
  return min !== null && max !== null ? "age_range" : min !== null ? "age_min" : "age_max";
}

/** Where the consents link to (the academy's own pages, or the app's default ones). */
export type WizardPolicies = { privacy: string; terms: string };

export type WizardResult =
  | { kind: "redirect"; url: string }
  | { kind: "checkout"; action: Extract<CheckoutAction, { type: "redirect" | "form" }> }
  | { kind: "invalid"; errors: Errors }
  | { kind: "waitlisted"; position: number }
  | { kind: "full" | "closed" | "already_enrolled" | "error" | "rate_limited" };

const emptyPerson: Person = { firstName: "", lastName: "", documentType: "dni", documentNumber: "", email: "", phone: "" };
const emptyData: Data = {
  student: { ...emptyPerson, birthDate: "", address: "", postcode: "", city: "" },
  guardian: { ...emptyPerson, relationship: "" },
  consents: { dataProtection: false, terms: false, imageRights: false },
  method: "",
};

export function EnrollmentWizard({
  course,
  methods,
  policies,
  contactEmail,
  today,
  submit,
}: {
  course: WizardCourse;
  methods: OnlineMethod[];
  policies: WizardPolicies;
  contactEmail?: string;
  today: string;
  submit: (submission: unknown, options: { joinWaitlist: boolean }) => Promise<WizardResult>;
}) {
  const t = useTranslations("enrollment");
  const format = useFormatter();
  const tPay = useTranslations("pay");
  const tHome = useTranslations("home");
  const storageKey = `enrollment:${course.id}`;
  const [data, setData] = useState<Data>(emptyData);
  const [submissionKey, setSubmissionKey] = useState("");
  const [stepIndex, setStepIndex] = useState(0);
  const [errors, setErrors] = useState<Errors>({});
  const [outcome, setOutcome] = useState<WizardResult>();
  const [pending, startTransition] = useTransition();
  // Set once the enrollment is held and the provider's checkout started: the browser leaves.
  const [leaving, setLeaving] = useState<Extract<CheckoutAction, { type: "redirect" | "form" }>>();
  const providerFormRef = useRef<HTMLFormElement>(null);
  // Clicks that land before React has disabled the button send nothing more.
  const sending = useRef(false);
  useEffect(() => {
    if (leaving?.type === "redirect") window.location.assign(leaving.url);
    if (leaving?.type === "form") providerFormRef.current?.submit();
  }, [leaving]);
  // Back from the provider (the page restored as it was left): the button works again, and the
  // same submission key finds the same held seat.
  useEffect(() => {
    const restored = (event: PageTransitionEvent) => {
      if (!event.persisted) return;
      sending.current = false;
      setLeaving(undefined);
    };
    window.addEventListener("pageshow", restored);
    return () => window.removeEventListener("pageshow", restored);
  }, []);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const first = useRef(true);

  // Restore what was typed before a reload; a new key only for a new enrollment. sessionStorage
  // exists only in the browser, so this runs after hydration rather than in the first render.
  useEffect(() => {
    const saved = sessionStorage.getItem(storageKey);
    if (saved) {
      const parsed = JSON.parse(saved) as { data: Data; submissionKey: string; stepIndex: number };
      // eslint-disable-next-line react-hooks/set-state-in-effect -- one restore after hydration
      setData({ ...emptyData, ...parsed.data });
      setSubmissionKey(parsed.submissionKey);
      setStepIndex(parsed.stepIndex);
    } else {
      setSubmissionKey(crypto.randomUUID());
    }
  }, [storageKey]);
  useEffect(() => {
    if (submissionKey) sessionStorage.setItem(storageKey, JSON.stringify({ data, submissionKey, stepIndex }));
  }, [data, submissionKey, stepIndex, storageKey]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [stepIndex]);

  const minor = validateBirthDate(data.student.birthDate, today).ok && isMinor(data.student.birthDate, today);
  const steps: StepName[] = ["course", "student", ...(minor ? (["guardian"] as const) : []), "consents", "payment", "summary"];
  const step = steps[Math.min(stepIndex, steps.length - 1)]!;

  function set<K extends keyof Data>(section: K, value: Data[K]) {
    setData((d) => ({ ...d, [section]: value }));
  }

  function validate(name: StepName): Errors {
    const check = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown, prefix: string) => {
      const result = schema.safeParse(value);
      if (result.success || !result.error) return {};
      const found = fieldErrors(result.error as Parameters<typeof fieldErrors>[0]);
      return Object.fromEntries(Object.entries(found).map(([path, keys]) => [prefix ? `${prefix}.${path}` : path, keys]));
    };
    if (name === "student") {
      const found = check(studentStepSchema(today), data.student, "student");
      // The course's age range, on its start date (the server checks it again).
      if (!found["student.birthDate"] && validateBirthDate(data.student.birthDate, today).ok && !withinAgeRange(data.student.birthDate, course, today)) {
        found["student.birthDate"] = [ageRangeKey(course.minAge, course.maxAge)];
      }
      return found;
    }
    if (name === "guardian") return check(guardianStepSchema, data.guardian, "guardian");
    if (name === "consents") return check(consentsStepSchema, data.consents, "consents");
    if (name === "payment") return check(paymentStepSchema, { method: data.method }, "");
    return {};
  }

  function next() {
    const found = validate(step);
    setErrors(found);
    if (Object.keys(found).length === 0) setStepIndex((i) => i + 1);
    else focusFirstError();
  }

  // After errors render, move to the first marked field in reading order.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest === 0) return;
    const marked = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    // A radio group is marked as a whole: its first choice takes the focus.
    (marked?.getAttribute("role") === "radiogroup" ? marked.querySelector<HTMLElement>("input") : marked)?.focus();
  }, [focusRequest]);
  function focusFirstError() {
    setFocusRequest((n) => n + 1);
  }

  function send(joinWaitlist = course.full) {
    if (sending.current) return;
    sending.current = true;
    startTransition(async () => {
      const submission = {
        submissionKey,
        courseId: course.id,
        student: data.student,
        guardian: minor ? data.guardian : undefined,
        consents: data.consents,
        method: data.method,
      };
      let result: WizardResult;
      try {
        result = await submit(submission, { joinWaitlist });
      } catch {
        // The connection dropped or the server failed: nothing is lost, the payer can send again.
        result = { kind: "error" };
      }
      // Leaving for the provider (or a page): stay "sending" until the browser is gone.
      if (result.kind !== "checkout" && result.kind !== "redirect") sending.current = false;
      if (result.kind === "checkout") {
        // What was typed stays for a payer who comes back from the provider (to change the method,
        // say), under a new key: the same person then finds the same held seat, another child
        // gets an enrollment of their own.
        sessionStorage.setItem(storageKey, JSON.stringify({ data, submissionKey: crypto.randomUUID(), stepIndex }));
        setLeaving(result.action);
        return;
      }
      if (result.kind === "redirect") {
        sessionStorage.removeItem(storageKey);
        window.location.assign(result.url);
        return;
      }
      if (result.kind === "invalid") {
        setErrors(result.errors);
        const firstPath = Object.keys(result.errors)[0] ?? "";
        const section = firstPath.split(".")[0];
        const target = steps.findIndex((s) => s === section || (section === "method" && s === "payment"));
        if (target >= 0) setStepIndex(target);
        focusFirstError();
        return;
      }
      if (result.kind !== "error" && result.kind !== "rate_limited") sessionStorage.removeItem(storageKey);
      setOutcome(result);
    });
  }

  if (
    outcome &&
    outcome.kind !== "error" &&
    outcome.kind !== "rate_limited" &&
    outcome.kind !== "invalid" &&
    outcome.kind !== "redirect" &&
    outcome.kind !== "checkout"
  ) {
    const key = outcome.kind === "already_enrolled" ? "already" : outcome.kind;
    return (
      <section role="status" className="rounded-xl border border-stone-200 bg-white p-5" data-outcome={outcome.kind}>
        <h2 className="text-xl font-semibold">{t(`result.${key}Title`)}</h2>
        <p className="mt-1">{t(`result.${key}Body`, { position: outcome.kind === "waitlisted" ? outcome.position : 0 })}</p>
        {outcome.kind === "full" && (
          <button
            type="button"
            disabled={pending}
            onClick={() => {
              setOutcome(undefined);
              send(true);
            }}
            className="mt-3 rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
          >
            {t("submitWaitlist")}
          </button>
        )}
      </section>
    );
  }

  /** A YYYY-MM-DD date as the payer's language writes it (15 de marzo de 1990). */
  function calendarDateLabel(value: string): string {
    if (!validateBirthDate(value, today).ok) return value;
    return format.dateTime(new Date(`${value}T12:00:00Z`), { dateStyle: "long", timeZone: "UTC" });
  }

  const errorCount = Object.keys(errors).length;
  return (
    <AgeRange.Provider value={{ min: course.minAge, max: course.maxAge }}>
      <div className="space-y-6">
        <nav aria-label={t("progress", { current: stepIndex + 1, total: steps.length })}>
          <p className="mb-2 text-sm text-stone-600">{t("progress", { current: stepIndex + 1, total: steps.length })}</p>
          <ol className="flex gap-1" role="list">
            {steps.map((s, i) => (
              <li key={s} className="flex-1" aria-current={i === stepIndex ? "step" : undefined}>
                <span className={`block h-1.5 rounded-full ${i <= stepIndex ? "bg-brand-600" : "bg-stone-200"}`} />
                <span className={`mt-1 hidden text-xs sm:block ${i === stepIndex ? "font-semibold" : "text-stone-500"}`}>{t(`steps.${s}`)}</span>
              </li>
            ))}
          </ol>
        </nav>

        <form
          ref={formRef}
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (step === "summary") send();
            else next();
          }}
          className="space-y-5 rounded-xl border border-stone-200 bg-white p-5 shadow-sm"
        >
          <h2 ref={headingRef} tabIndex={-1} className="text-xl font-semibold outline-none">
            {t(`steps.${step}`)}
          </h2>
          {errorCount > 0 && (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {errors._form?.[0] ? t(`errors.${errors._form[0]}`) : t("errorSummary", { count: errorCount })}
            </p>
          )}
          {(outcome?.kind === "error" || outcome?.kind === "rate_limited") && (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {outcome.kind === "rate_limited" ? t("result.rateLimited") : t("result.error")}
            </p>
          )}
          {methods.length === 0 && (
            <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="no-online-payment">
              {contactEmail ? t("noOnlinePayment", { email: contactEmail }) : t("noOnlinePaymentNoContact")}
            </p>
          )}

          {step === "course" && (
            <div className="space-y-3">
              <p className="text-stone-600">{t("course.intro")}</p>
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="text-stone-500">{t("steps.course")}</dt>
                <dd className="font-medium">{course.name}</dd>
                <dt className="text-stone-500">{tHome("schedule")}</dt>
                <dd>{course.schedule}</dd>
                <dt className="text-stone-500">{tHome("dates")}</dt>
                <dd>{course.dates}</dd>
                <dt className="text-stone-500">{tHome("enrollmentFee")}</dt>
                <dd>{course.enrollmentFeeLabel}</dd>
                <dt className="text-stone-500">{tHome("monthlyFee")}</dt>
                <dd>{course.monthlyFeeLabel}</dd>
                <dt className="font-semibold">{t("course.total")}</dt>
                <dd className="font-semibold" data-testid="total">
                  {course.totalLabel}
                </dd>
              </dl>
              {course.full && <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">{t("course.fullNotice")}</p>}
            </div>
          )}

          {step === "student" && (
            <PersonFields
              prefix="student"
              intro={t("student.intro")}
              value={data.student}
              errors={errors}
              onChange={(v) => set("student", { ...data.student, ...v })}
              extra={
                <>
                  <Field
                    path="student.birthDate"
                    label={t("student.birthDate")}
                    type="date"
                    autoComplete="bday"
                    value={data.student.birthDate}
                    errors={errors}
                    onChange={(v) => set("student", { ...data.student, birthDate: v })}
                  />
                  <Field
                    path="student.address"
                    label={t("student.address")}
                    autoComplete="street-address"
                    value={data.student.address}
                    errors={errors}
                    onChange={(v) => set("student", { ...data.student, address: v })}
                  />
                  <div className="grid gap-4 sm:grid-cols-2">
                    <Field
                      path="student.postcode"
                      label={t("student.postcode")}
                      inputMode="numeric"
                      autoComplete="postal-code"
                      value={data.student.postcode}
                      errors={errors}
                      onChange={(v) => set("student", { ...data.student, postcode: v })}
                    />
                    <Field
                      path="student.city"
                      label={t("student.city")}
                      autoComplete="address-level2"
                      value={data.student.city}
                      errors={errors}
                      onChange={(v) => set("student", { ...data.student, city: v })}
                    />
                  </div>
                  {minor && <p className="rounded-md bg-sky-50 p-3 text-sm text-sky-900">{t("student.minorNotice")}</p>}
                  {!studentNeedsDocument(data.student.birthDate, today) && (
                    <p className="text-sm text-stone-600" data-testid="document-optional">
                      {t("student.documentOptionalChild")}
                    </p>
                  )}
                </>
              }
            />
          )}

          {step === "guardian" && (
            <PersonFields
              prefix="guardian"
              intro={t("guardian.intro")}
              value={data.guardian}
              errors={errors}
              onChange={(v) => set("guardian", { ...data.guardian, ...v })}
              extra={
                <SelectField
                  path="guardian.relationship"
                  label={t("guardian.relationship")}
                  value={data.guardian.relationship}
                  options={relationships.map((r) => [r, t(`guardian.relationships.${r}`)])}
                  errors={errors}
                  onChange={(v) => set("guardian", { ...data.guardian, relationship: v })}
                />
              }
            />
          )}

          {step === "consents" && (
            <div className="space-y-3">
              {(["dataProtection", "terms", "imageRights"] as const).map((name) => (
                <Checkbox
                  key={name}
                  path={`consents.${name}`}
                  label={t.rich(`consents.${name}`, {
                    privacy: (chunks) => <PolicyLink href={policies.privacy}>{chunks}</PolicyLink>,
                    terms: (chunks) => <PolicyLink href={policies.terms}>{chunks}</PolicyLink>,
                  })}
                  checked={data.consents[name]}
                  errors={errors}
                  onChange={(checked) => set("consents", { ...data.consents, [name]: checked })}
                />
              ))}
            </div>
          )}

          {step === "payment" && (
            <fieldset
              className="space-y-2"
              role="radiogroup"
              aria-invalid={errors.method ? true : undefined}
              aria-describedby={errors.method ? "method-error" : undefined}
            >
              <legend className="mb-2 text-stone-600">{t("payment.intro")}</legend>
              {methods.map((m) => (
                <label
                  key={m}
                  className="flex cursor-pointer items-start gap-3 rounded-lg border border-stone-200 p-3 has-checked:border-brand-500 has-checked:ring-2 has-checked:ring-brand-100"
                >
                  <input
                    id={m === methods[0] ? fieldId("method") : undefined}
                    type="radio"
                    name="method"
                    value={m}
                    checked={data.method === m}
                    onChange={() => set("method", m)}
                    className="mt-1 size-4 accent-brand-600"
                  />
                  <span>
                    <span className="block font-medium">{tPay(`methods.${m}`)}</span>
                    <span className="block text-sm text-stone-600">{tPay(`methodHints.${m}`)}</span>
                  </span>
                </label>
              ))}
              {errors.method && (
                <p id="method-error" className="text-sm text-red-700">
                  {t(`errors.${errors.method[0]}`)}
                </p>
              )}
            </fieldset>
          )}

          {step === "summary" && (
            <div className="space-y-4">
              <p className="text-stone-600">{t("summary.intro")}</p>
              <SummaryBlock
                title={t("steps.course")}
                testId="summary-course"
                rows={[
                  [t("steps.course"), course.name],
                  [t("summary.enrollmentFee"), course.enrollmentFeeLabel],
                  ...(course.firstMonthLabel ? [[t("summary.firstMonth"), course.firstMonthLabel] as [string, string]] : []),
                  [t("summary.total"), course.totalLabel],
                  [t("summary.payment"), data.method ? tPay(`methods.${data.method as OnlineMethod}`) : "—"],
                ]}
                onEdit={() => setStepIndex(steps.indexOf("payment"))}
                editLabel={t("summary.editPayment")}
              />
              <SummaryBlock
                title={t("steps.student")}
                testId="summary-student"
                rows={[
                  [t("student.firstName"), `${data.student.firstName} ${data.student.lastName}`],
                  ...(data.student.documentNumber.trim()
                    ? [[t(`documentTypes.${data.student.documentType as "dni"}`), data.student.documentNumber] as [string, string]]
                    : []),
                  [t("student.birthDate"), calendarDateLabel(data.student.birthDate)],
                  [t("student.email"), data.student.email],
                  [t("summary.phone"), data.student.phone],
                  [t("summary.address"), [data.student.address, `${data.student.postcode} ${data.student.city}`.trim()].filter(Boolean).join(", ")],
                ]}
                onEdit={() => setStepIndex(steps.indexOf("student"))}
                editLabel={t("summary.edit")}
              />
              {minor && (
                <SummaryBlock
                  title={t("steps.guardian")}
                  testId="summary-guardian"
                  rows={[
                    [t("student.firstName"), `${data.guardian.firstName} ${data.guardian.lastName}`],
                    [t(`documentTypes.${data.guardian.documentType as "dni"}`), data.guardian.documentNumber],
                    [t("student.email"), data.guardian.email],
                    [t("summary.phone"), data.guardian.phone],
                    [t("summary.relationship"), data.guardian.relationship ? t(`guardian.relationships.${data.guardian.relationship as "mother"}`) : "—"],
                  ]}
                  onEdit={() => setStepIndex(steps.indexOf("guardian"))}
                  editLabel={t("summary.edit")}
                />
              )}
              <SummaryBlock
                title={t("summary.consents")}
                testId="summary-consents"
                rows={(["dataProtection", "terms", "imageRights"] as const).map((name) => [
                  t(`consentNames.${name}`),
                  data.consents[name] ? t("summary.accepted") : t("summary.notAccepted"),
                ])}
                onEdit={() => setStepIndex(steps.indexOf("consents"))}
                editLabel={t("summary.edit")}
              />
              <p className="rounded-md bg-stone-50 p-3 text-sm">
                {t("summary.holdNotice", { amount: course.totalLabel, method: data.method ? tPay(`methods.${data.method as OnlineMethod}`) : "" })}
              </p>
            </div>
          )}

          <div className="flex flex-wrap justify-between gap-3 pt-2">
            {stepIndex > 0 ? (
              <button
                type="button"
                onClick={() => {
                  setErrors({});
                  setStepIndex((i) => i - 1);
                }}
                className="rounded-md border border-stone-300 px-4 py-2 hover:bg-stone-50"
              >
                {t("back")}
              </button>
            ) : (
              <span />
            )}
            <button
              type="submit"
              disabled={pending || leaving !== undefined || methods.length === 0}
              className="rounded-md bg-brand-600 px-5 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
            >
              {step === "summary"
                ? leaving
                  ? t("result.leaving")
                  : pending
                    ? t("submitting")
                    : course.full
                      ? t("submitWaitlist")
                      : t("submit", { amount: course.totalLabel })
                : t("next")}
            </button>
          </div>
        </form>
        {leaving?.type === "form" && <ProviderForm ref={providerFormRef} action={leaving} />}
      </div>
    </AgeRange.Provider>
  );
}

function fieldId(path: string) {
  return `field-${path.replace(/\./g, "-")}`;
}

function ErrorText({ id, path, keys }: { id: string; path: string; keys?: string[] }) {
  const t = useTranslations("enrollment.errors");
  const ages = useContext(AgeRange);
  if (!keys?.length) return null;
  // "too_long" says the field's own limit; the age messages, the course's ages.
  const limit = fieldLimits[path.split(".").pop() ?? ""] ?? 0;
  const params = (k: string): Record<string, number> => (k.startsWith("age_") ? { min: ages.min ?? 0, max: ages.max ?? 0 } : { max: limit });
  return (
    <p id={id} className="text-sm text-red-700">
      {keys.map((k) => (t.has(k) ? t(k, params(k)) : t("invalid"))).join(" ")}
    </p>
  );
}

function Field(props: {
  path: string;
  label: string;
  value: string;
  errors: Errors;
  onChange: (value: string) => void;
  type?: string;
  autoComplete?: string;
  inputMode?: "numeric" | "email" | "tel";
}) {
  const id = fieldId(props.path);
  const keys = props.errors[props.path];
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {props.label}
      </label>
      <input
        id={id}
        name={props.path}
        type={props.type ?? "text"}
        value={props.value}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        aria-invalid={keys ? true : undefined}
        aria-describedby={keys ? `${id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
        className="w-full rounded-md border border-stone-300 px-3 py-2 text-base aria-invalid:border-red-500"
      />
      <ErrorText id={`${id}-error`} path={props.path} keys={keys} />
    </div>
  );
}

function SelectField(props: { path: string; label: string; value: string; options: [string, string][]; errors: Errors; onChange: (value: string) => void }) {
  const id = fieldId(props.path);
  const keys = props.errors[props.path];
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {props.label}
      </label>
      <select
        id={id}
        value={props.value}
        aria-invalid={keys ? true : undefined}
        aria-describedby={keys ? `${id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
        className="w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-base"
      >
        <option value="">—</option>
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <ErrorText id={`${id}-error`} path={props.path} keys={keys} />
    </div>
  );
}

/** A policy opens beside the form, so nothing typed is lost. */
function PolicyLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <a href={href} target="_blank" rel="noopener" className="font-medium text-brand-700 underline underline-offset-2">
      {children}
    </a>
  );
}

function Checkbox(props: { path: string; label: React.ReactNode; checked: boolean; errors: Errors; onChange: (checked: boolean) => void }) {
  const id = fieldId(props.path);
  const keys = props.errors[props.path];
  return (
    <div>
      <label htmlFor={id} className="flex items-start gap-3">
        <input
          id={id}
          type="checkbox"
          checked={props.checked}
          aria-invalid={keys ? true : undefined}
          aria-describedby={keys ? `${id}-error` : undefined}
          onChange={(e) => props.onChange(e.target.checked)}
          className="mt-1 size-4 shrink-0 accent-brand-600"
        />
        <span className="text-sm">{props.label}</span>
      </label>
      <ErrorText id={`${id}-error`} path={props.path} keys={keys} />
    </div>
  );
}

function PersonFields<T extends Person>(props: {
  prefix: "student" | "guardian";
  intro: string;
  value: T;
  errors: Errors;
  onChange: (value: Partial<Person>) => void;
  extra?: React.ReactNode;
}) {
  const t = useTranslations("enrollment");
  const p = props.prefix;
  return (
    <div className="space-y-4">
      <p className="text-stone-600">{props.intro}</p>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          path={`${p}.firstName`}
          label={t("student.firstName")}
          autoComplete={p === "student" ? "given-name" : "off"}
          value={props.value.firstName}
          errors={props.errors}
          onChange={(v) => props.onChange({ firstName: v })}
        />
        <Field
          path={`${p}.lastName`}
          label={t("student.lastName")}
          autoComplete={p === "student" ? "family-name" : "off"}
          value={props.value.lastName}
          errors={props.errors}
          onChange={(v) => props.onChange({ lastName: v })}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          path={`${p}.documentType`}
          label={t("student.documentType")}
          value={props.value.documentType}
          options={(["dni", "nie", "passport"] as const).map((d) => [d, t(`documentTypes.${d}`)])}
          errors={props.errors}
          onChange={(v) => props.onChange({ documentType: v })}
        />
        <Field
          path={`${p}.documentNumber`}
          label={t("student.documentNumber")}
          value={props.value.documentNumber}
          errors={props.errors}
          onChange={(v) => props.onChange({ documentNumber: v })}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          path={`${p}.email`}
          label={t("student.email")}
          type="email"
          inputMode="email"
          autoComplete={p === "student" ? "email" : "off"}
          value={props.value.email}
          errors={props.errors}
          onChange={(v) => props.onChange({ email: v })}
        />
        <Field
          path={`${p}.phone`}
          label={t("student.phone")}
          type="tel"
          inputMode="tel"
          autoComplete={p === "student" ? "tel" : "off"}
          value={props.value.phone}
          errors={props.errors}
          onChange={(v) => props.onChange({ phone: v })}
        />
      </div>
      {props.extra}
    </div>
  );
}

function SummaryBlock({
  title,
  rows,
  onEdit,
  editLabel,
  testId,
}: {
  title: string;
  rows: [string, string][];
  onEdit?: () => void;
  editLabel?: string;
  testId?: string;
}) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="rounded-lg border border-stone-200 p-3" data-testid={testId}>
      <div className="flex items-center justify-between">
        <h3 id={id} className="font-semibold">
          {title}
        </h3>
        {onEdit && (
          <button type="button" onClick={onEdit} className="text-sm text-brand-700 underline underline-offset-4">
            {editLabel}
          </button>
        )}
      </div>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-stone-500">{label}</dt>
            <dd className="break-words">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
