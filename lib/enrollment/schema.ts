// The enrollment wizard's zod schemas: one per step and one for the whole submission, shared by
// the client form and the server action. Every message is an error key from ./messages (never
// prose) so the UI can show it in the user's language; fieldErrors() turns a ZodError into
// `{ "student.documentNumber": ["dni_letter"] }`.
// Written with zod/mini, whose functions tree-shake: the wizard ships these schemas to the phone,
// and classic zod's method-chaining API would bring the whole library (~25 KB gzipped) with them.
import * as z from "zod/mini";
import { ageOn, isMinor, validateBirthDate } from "./birth-date";
import { documentTypes, normaliseDocument, validateDocument, type DocumentType } from "./documents";
import { isEnrollmentErrorKey, type EnrollmentErrorKey } from "./messages";
import { onlineMethods } from "@/lib/payments/types";
import { normalisePhone } from "./phone";
import { isSpanishPostcode, normalisePostcode } from "./postcode";

export const relationships = ["mother", "father", "legal_guardian", "other"] as const;
/** Where fieldErrors() puts issues that belong to no field. */
export const formErrorPath = "_form";

// ---------------------------------------------------------------------------------------------
// Building blocks

function isBlank(input: unknown): boolean {
  return input === undefined || input === null || (typeof input === "string" && input.trim() === "");
}

/** A missing or blank answer reads "required"; anything else that fails reads `other`. */
function requiredOr(other: EnrollmentErrorKey) {
  return { error: (issue: { input?: unknown }) => (isBlank(issue.input) ? "required" : other) };
}

// Rules for a field's content (e-mail, phone, postcode, date) are piped after text() so a blank
// field reports "required" alone: a pipe stops at the first stage with issues. (`abort: true`
// would do the same but also stops every object-level rule, such as the document check.)
function text(max: number) {
  return z.string(requiredOr("invalid")).check(z.trim(), z.minLength(1, "required"), z.maxLength(max, "too_long"));
}

// Names end up in lists, e-mails and PDFs: markup and control characters are refused, not stored.
const NOT_IN_A_NAME = /[<>{}[\]\\\/=@#$%^*_|~`"]|\p{Cc}|\p{Cf}/u;

const isPlainText = (value: string) => !/[<>]|\p{Cc}|\p{Cf}/u.test(value);

function personName(max: number) {
  return z.pipe(text(max), z.string().check(z.refine((value) => !NOT_IN_A_NAME.test(value) && /\p{L}/u.test(value), "name_characters")));
}

/** Each text field's length limit, for the message that says it ("at most 100 characters"). */
export const fieldLimits: Record<string, number> = {
  firstName: 100,
  lastName: 150,
  documentNumber: 30,
  email: 254,
  phone: 40,
  address: 200,
  postcode: 10,
  city: 100,
};

function optionalText(max: number) {
  // FormData sends an untouched optional input as "": treat it as absent.
  return z.pipe(
    z.transform((input: unknown) => (isBlank(input) ? undefined : input)),
    z.optional(z.string({ error: "invalid" }).check(z.trim(), z.maxLength(max, "too_long"))),
  );
}

// Lower-cased so the server can match an existing student by e-mail whatever the capitals.
const email = z.pipe(text(254).check(z.toLowerCase()), z.email({ error: "email" }));

const phone = z.pipe(
  text(40),
  z.transform((value: string, ctx) => {
    const e164 = normalisePhone(value);
    if (e164 === undefined) {
      ctx.issues.push({ code: "custom", message: "phone", input: value });
      return z.NEVER;
    }
    return e164;
  }),
);

const postcode = z.pipe(text(10), z.pipe(z.string().check(z.refine(isSpanishPostcode, "postcode")), z.transform(normalisePostcode)));

const documentType = z.enum(documentTypes, requiredOr("invalid_option"));
// Separators are dropped here, before the type-specific check, so the stored number is canonical.
// The field cannot see the chosen type, which is fine: every type drops the same separators.
const documentNumber = z.pipe(
  text(30),
  z.transform((value: string) => normaliseDocument("passport", value)),
);

const documentErrors: Record<DocumentType, { format: EnrollmentErrorKey; check_letter: EnrollmentErrorKey }> = {
  dni: { format: "dni_format", check_letter: "dni_letter" },
  nie: { format: "nie_format", check_letter: "nie_letter" },
  passport: { format: "passport_format", check_letter: "passport_format" },
};

const birthDateErrors: Record<"format" | "future" | "too_old", EnrollmentErrorKey> = {
  format: "birth_date",
  future: "birth_future",
  too_old: "birth_too_old",
};

type ParsePayload = { value: unknown; issues: ReadonlyArray<{ path?: ReadonlyArray<PropertyKey> }> };

/**
 * Run an object-level rule only when the fields it reads parsed cleanly, whatever the others did,
 * and never on something that is not an object at all (a crafted `student: null` gets a field
 * error, not an exception).
 */
function whenFieldsValid(...fields: string[]) {
  return {
    when: (payload: ParsePayload) =>
      typeof payload.value === "object" &&
      payload.value !== null &&
      !payload.issues.some((issue) => issue.path !== undefined && fields.includes(String(issue.path[0]))),
  };
}

function checkDocument(value: { documentType: DocumentType; documentNumber: string }, ctx: z.core.$RefinementCtx): void {
  const result = validateDocument(value.documentType, value.documentNumber);
  if (!result.ok) {
    ctx.addIssue({ code: "custom", message: documentErrors[value.documentType][result.reason], path: ["documentNumber"] });
  }
}

// FormData sends a ticked checkbox as "on" (or whatever its value is) and omits an unticked one.
// z.coerce.boolean() would read the string "false" as true, so the mapping is explicit.
function formBoolean(input: unknown): unknown {
  if (input === undefined || input === null) return false;
  if (typeof input !== "string") return input;
  const word = input.trim().toLowerCase();
  if (["on", "true", "1", "yes"].includes(word)) return true;
  if (["off", "false", "0", "no", ""].includes(word)) return false;
  return input;
}

// ---------------------------------------------------------------------------------------------
// Steps

export const courseStepSchema = z.object({ courseId: z.uuid({ error: "course_required" }) }, { error: "required" });

/** The birth date is checked against `today` (YYYY-MM-DD in the academy's time zone). */
/** Most Spanish children under 14 have no DNI: below this age the student's document is optional. */
export const documentRequiredFromAge = 14;

/** Whether a student born on `birthDate` must give a document (yes when the date is not valid yet). */
export function studentNeedsDocument(birthDate: unknown, today: string): boolean {
  if (typeof birthDate !== "string" || !validateBirthDate(birthDate, today).ok) return true;
  return ageOn(birthDate, today) >= documentRequiredFromAge;
}

const blankToUndefined = (input: unknown) => (isBlank(input) ? undefined : input);

export function studentStepSchema(today: string) {
  const fields = z
    .object(
      {
        firstName: personName(fieldLimits.firstName!),
        lastName: personName(fieldLimits.lastName!),
        // Optional here; required below for anyone 14 or over (see the refinement).
        documentType: z.pipe(z.transform(blankToUndefined), z.optional(documentType)),
        documentNumber: z.pipe(z.transform(blankToUndefined), z.optional(documentNumber)),
        birthDate: z.pipe(
          text(10),
          z.string().check(
            z.superRefine((value, ctx) => {
              const result = validateBirthDate(value, today);
              if (!result.ok) ctx.addIssue({ code: "custom", message: birthDateErrors[result.reason] });
            }),
          ),
        ),
        email,
        phone,
        address: optionalText(fieldLimits.address!).check(z.refine((value) => value === undefined || isPlainText(value), "plain_text")),
        postcode,
        city: z.pipe(text(fieldLimits.city!), z.string().check(z.refine(isPlainText, "plain_text"))),
      },
      { error: "required" },
    )
    .check(
      z.superRefine(
        (value, ctx) => {
          if (value.documentNumber === undefined) {
            if (studentNeedsDocument(value.birthDate, today)) ctx.addIssue({ code: "custom", message: "required", path: ["documentNumber"] });
            return;
          }
          if (value.documentType === undefined) {
            ctx.addIssue({ code: "custom", message: "required", path: ["documentType"] });
            return;
          }
          checkDocument({ documentType: value.documentType, documentNumber: value.documentNumber }, ctx);
        },
        whenFieldsValid("documentType", "documentNumber"),
      ),
    );
  // No number, no type: a child without a document has neither.
  return z.pipe(
    fields,
    z.transform((value: z.output<typeof fields>) => (value.documentNumber === undefined ? { ...value, documentType: undefined } : value)),
  );
}

export const guardianStepSchema = z
  .object(
    {
      firstName: personName(fieldLimits.firstName!),
      lastName: personName(fieldLimits.lastName!),
      documentType,
      documentNumber,
      email,
      phone,
      relationship: z.enum(relationships, requiredOr("invalid_option")),
    },
    { error: "required" },
  )
  .check(z.superRefine(checkDocument, whenFieldsValid("documentType", "documentNumber")));

export const consentsStepSchema = z.object(
  {
    dataProtection: z.pipe(z.transform(formBoolean), z.literal(true, { error: "consent_required" })),
    terms: z.pipe(z.transform(formBoolean), z.literal(true, { error: "consent_required" })),
    imageRights: z.pipe(z.transform(formBoolean), z.boolean({ error: "invalid" })),
  },
  { error: "required" },
);

export const paymentStepSchema = z.object({ method: z.enum(onlineMethods, requiredOr("invalid_option")) }, { error: "required" });

// ---------------------------------------------------------------------------------------------
// The whole submission

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? Object.getOwnPropertyDescriptor(value, key)?.value : undefined;
}

/** A guardian step sent with every field blank is the same as no guardian step. */
function isAbsent(guardian: unknown): boolean {
  if (isBlank(guardian)) return true;
  return typeof guardian === "object" && guardian !== null && Object.values(guardian).every(isBlank);
}

/**
 * The full submission. The guardian is required when the student is under 18 on `today`, and
 * dropped otherwise (an adult who opened the guardian step and came back must not be blocked by
 * what they left there). `submissionKey` is generated once by the client so a double click, the
 * back button or a second tab send the same key and the server can refuse a second enrollment.
 */
export function enrollmentSubmissionSchema(today: string) {
  const whole = z
    .object({
      submissionKey: z.uuid({ error: "submission_key" }),
      // The one-field steps are spread flat (`courseId`, `method`) so their error paths are
      // the same in the step and in the submission, and the result fits submitEnrollment().
      ...courseStepSchema.shape,
      student: studentStepSchema(today),
      guardian: z.optional(z.unknown()),
      consents: consentsStepSchema,
      ...paymentStepSchema.shape,
    })
    .check(
      z.superRefine(
        (value, ctx) => {
          // Runs even when other steps failed, so every field error shows at once. The student may
          // be only partly valid here, hence reading it as unknown.
          const student: unknown = value.student;
          const birthDate = field(student, "birthDate");
          if (typeof birthDate !== "string" || !validateBirthDate(birthDate, today).ok) return;
          if (!isMinor(birthDate, today)) return;
          if (isAbsent(value.guardian)) {
            ctx.addIssue({ code: "custom", message: "minor_needs_guardian", path: ["guardian"] });
            return;
          }
          const guardian = guardianStepSchema.safeParse(value.guardian);
          if (!guardian.success) {
            for (const issue of guardian.error.issues) {
              ctx.addIssue({ code: "custom", message: issue.message, path: ["guardian", ...issue.path] });
            }
            return;
          }
          const studentType = field(student, "documentType");
          const studentNumber = field(student, "documentNumber");
          if (
            guardian.data.documentType === studentType &&
            typeof studentNumber === "string" &&
            guardian.data.documentNumber === normaliseDocument(guardian.data.documentType, studentNumber)
          ) {
            ctx.addIssue({ code: "custom", message: "guardian_same_document", path: ["guardian", "documentNumber"] });
          }
        },
        { when: (payload) => typeof payload.value === "object" && payload.value !== null },
      ),
    );
  return z.pipe(
    whole,
    z.transform(({ guardian, ...rest }: z.output<typeof whole>) => {
      if (!isMinor(rest.student.birthDate, today)) return { ...rest, guardian: undefined };
      // The refinement above already proved this parses.
      return { ...rest, guardian: guardianStepSchema.parse(guardian) };
    }),
  );
}

export type CourseStep = z.output<typeof courseStepSchema>;
export type StudentStep = z.output<ReturnType<typeof studentStepSchema>>;
export type GuardianStep = z.output<typeof guardianStepSchema>;
export type ConsentsStep = z.output<typeof consentsStepSchema>;
export type PaymentStep = z.output<typeof paymentStepSchema>;
export type EnrollmentSubmission = z.output<ReturnType<typeof enrollmentSubmissionSchema>>;

/**
 * Error keys by field path ("student.documentNumber"), for the form to show beside each field.
 * A message that is not one of our keys (zod's own text for something unforeseen) becomes
 * "invalid", so the UI never has to show raw zod prose.
 */
export function fieldErrors(error: z.core.$ZodError): Record<string, EnrollmentErrorKey[]> {
  const result: Record<string, EnrollmentErrorKey[]> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".") || formErrorPath;
    const key: EnrollmentErrorKey = isEnrollmentErrorKey(issue.message) ? issue.message : "invalid";
    const keys = (result[path] ??= []);
    if (!keys.includes(key)) keys.push(key);
  }
  return result;
}
