import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import {
  consentsStepSchema,
  courseStepSchema,
  enrollmentSubmissionSchema,
  fieldErrors,
  guardianStepSchema,
  paymentStepSchema,
  studentStepSchema,
} from "./schema";

const today = "2026-11-27";

const adult = {
  firstName: " Ana ",
  lastName: "García López",
  documentType: "dni",
  documentNumber: "12.345.678-z",
  birthDate: "1990-05-17",
  email: " Ana.Garcia@Example.ES ",
  phone: "612 34 56 78",
  address: "",
  postcode: "28001",
  city: "Madrid",
};
// Turns 18 tomorrow.
const minor = { ...adult, firstName: "Lucía", documentType: "nie", documentNumber: "X1234567L", birthDate: "2008-11-28" };
const guardian = {
  firstName: "Marta",
  lastName: "López",
  documentType: "dni",
  documentNumber: "00000000T",
  email: "marta@example.es",
  phone: "+44 20 7946 0958",
  relationship: "mother",
};
const blankGuardian = { firstName: "", lastName: "", documentType: "", documentNumber: "", email: "", phone: "", relationship: "" };

function submission(overrides: Record<string, unknown> = {}) {
  return {
    submissionKey: "5f0c6a56-8a3e-4c1b-9a43-2f1f0f6f2b1e",
    courseId: "0b7a3c59-2f0e-4d8e-b7e4-7f6f8a0d9c21",
    student: adult,
    consents: { dataProtection: "on", terms: "on" },
    method: "bizum",
    ...overrides,
  };
}

function errorsOf(schema: z.ZodMiniType, input: unknown): Record<string, string[]> {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected a failure, got ${JSON.stringify(result.data)}`);
  return fieldErrors(result.error);
}

describe("student step", () => {
  const schema = studentStepSchema(today);

  it("normalises a valid student", () => {
    expect(schema.parse(adult)).toEqual({
      firstName: "Ana",
      lastName: "García López",
      documentType: "dni",
      documentNumber: "12345678Z",
      birthDate: "1990-05-17",
      email: "ana.garcia@example.es",
      phone: "+34612345678",
      address: undefined,
      postcode: "28001",
      city: "Madrid",
    });
  });

  it("reports one key per bad field, and only 'required' for blank ones", () => {
    expect(
      errorsOf(schema, {
        ...adult,
        firstName: "   ",
        documentNumber: "12345678A",
        birthDate: "2026-11-28",
        email: "ana@",
        phone: "512345678",
        postcode: "53000",
        city: "",
      }),
    ).toEqual({
      firstName: ["required"],
      documentNumber: ["dni_letter"],
      birthDate: ["birth_future"],
      email: ["email"],
      phone: ["phone"],
      postcode: ["postcode"],
      city: ["required"],
    });
    expect(errorsOf(schema, {})).toMatchObject({ email: ["required"], phone: ["required"], birthDate: ["required"] });
  });

  it("checks the document against its type", () => {
    expect(errorsOf(schema, { ...adult, documentNumber: "1234567" })).toEqual({ documentNumber: ["dni_format"] });
    expect(errorsOf(schema, { ...adult, documentType: "nie" })).toEqual({ documentNumber: ["nie_format"] });
    expect(errorsOf(schema, { ...adult, documentType: "nie", documentNumber: "X1234567R" })).toEqual({
      documentNumber: ["nie_letter"],
    });
    expect(errorsOf(schema, { ...adult, documentType: "passport", documentNumber: "AB1" })).toEqual({
      documentNumber: ["passport_format"],
    });
    expect(errorsOf(schema, { ...adult, documentType: "other" })).toEqual({ documentType: ["invalid_option"] });
    expect(errorsOf(schema, { ...adult, documentType: "" })).toEqual({ documentType: ["required"] });
  });

  it("rejects impossible and implausible birth dates and over-long text", () => {
    expect(errorsOf(schema, { ...adult, birthDate: "1990-02-30" })).toEqual({ birthDate: ["birth_date"] });
    expect(errorsOf(schema, { ...adult, birthDate: "1900-01-01" })).toEqual({ birthDate: ["birth_too_old"] });
    expect(errorsOf(schema, { ...adult, city: "x".repeat(101) })).toEqual({ city: ["too_long"] });
    expect(errorsOf(schema, { ...adult, firstName: 42 })).toEqual({ firstName: ["invalid"] });
  });

  it("refuses markup and control characters in names and addresses, and accepts real names", () => {
    expect(errorsOf(schema, { ...adult, lastName: "<b>Pérez</b> <script>" })).toEqual({ lastName: ["name_characters"] });
    expect(errorsOf(schema, { ...adult, firstName: "Ana\u0000" })).toEqual({ firstName: ["name_characters"] });
    expect(errorsOf(schema, { ...adult, firstName: "Ana\u202Eanitsirc" })).toEqual({ firstName: ["name_characters"] });
    expect(errorsOf(schema, { ...adult, firstName: "1234" })).toEqual({ firstName: ["name_characters"] });
    expect(errorsOf(schema, { ...adult, city: "<img src=x>" })).toEqual({ city: ["plain_text"] });
    expect(errorsOf(schema, { ...adult, address: "Calle <b>Mayor</b>" })).toEqual({ address: ["plain_text"] });
    for (const name of ["María José", "O'Neill-Díaz", "Mª Àngels", "Nguyễn Văn An", "D. Jean-Luc"]) {
      expect(schema.safeParse({ ...adult, firstName: name, lastName: name }).success, name).toBe(true);
    }
    expect(schema.safeParse({ ...adult, address: "C/ Colón 12, 2º 3ª" }).success).toBe(true);
  });
});

describe("other steps", () => {
  it("wants a course uuid", () => {
    expect(errorsOf(courseStepSchema, { courseId: "42" })).toEqual({ courseId: ["course_required"] });
    expect(errorsOf(courseStepSchema, {})).toEqual({ courseId: ["course_required"] });
  });
  it("offers only the four online methods", () => {
    expect(paymentStepSchema.parse({ method: "redsys" })).toEqual({ method: "redsys" });
    expect(errorsOf(paymentStepSchema, { method: "cash" })).toEqual({ method: ["invalid_option"] });
    expect(errorsOf(paymentStepSchema, {})).toEqual({ method: ["required"] });
  });
  it("validates the guardian on its own", () => {
    expect(guardianStepSchema.parse(guardian)).toMatchObject({ phone: "+442079460958", relationship: "mother" });
    expect(errorsOf(guardianStepSchema, { ...guardian, relationship: "uncle" })).toEqual({ relationship: ["invalid_option"] });
  });
});

describe("consents step", () => {
  it("parses FormData-style booleans from a real FormData", () => {
    const form = new FormData();
    form.set("dataProtection", "on");
    form.set("terms", "true");
    expect(consentsStepSchema.parse(Object.fromEntries(form))).toEqual({
      dataProtection: true,
      terms: true,
      imageRights: false,
    });
    form.set("imageRights", "on");
    expect(consentsStepSchema.parse(Object.fromEntries(form))).toMatchObject({ imageRights: true });
  });
  it("fails when a required consent is missing or says no", () => {
    expect(errorsOf(consentsStepSchema, {})).toEqual({
      dataProtection: ["consent_required"],
      terms: ["consent_required"],
    });
    // z.coerce.boolean() would have read "false" as true.
    expect(errorsOf(consentsStepSchema, { dataProtection: "false", terms: "on", imageRights: "false" })).toEqual({
      dataProtection: ["consent_required"],
    });
    expect(errorsOf(consentsStepSchema, { dataProtection: true, terms: "on", imageRights: "perhaps" })).toEqual({
      imageRights: ["invalid"],
    });
  });
});

describe("enrollmentSubmissionSchema", () => {
  const schema = enrollmentSubmissionSchema(today);

  it("accepts an adult and normalises every step", () => {
    const data = schema.parse(submission());
    expect(data.student.documentNumber).toBe("12345678Z");
    expect(data.consents).toEqual({ dataProtection: true, terms: true, imageRights: false });
    expect(data.method).toBe("bizum");
    expect(data.courseId).toBe("0b7a3c59-2f0e-4d8e-b7e4-7f6f8a0d9c21");
    expect(data.guardian).toBeUndefined();
  });

  it("drops the guardian of an adult, even a half-filled one", () => {
    expect(schema.parse(submission({ guardian })).guardian).toBeUndefined();
    expect(schema.parse(submission({ guardian: { ...blankGuardian, firstName: "Marta", email: "nope" } })).guardian).toBeUndefined();
  });

  it("fails a minor without a guardian on `guardian`", () => {
    expect(errorsOf(schema, submission({ student: minor }))).toEqual({ guardian: ["minor_needs_guardian"] });
    expect(errorsOf(schema, submission({ student: minor, guardian: blankGuardian }))).toEqual({
      guardian: ["minor_needs_guardian"],
    });
    expect(errorsOf(schema, submission({ student: minor, guardian: null }))).toEqual({ guardian: ["minor_needs_guardian"] });
  });

  it("accepts a minor with a guardian and keeps the guardian", () => {
    const data = schema.parse(submission({ student: minor, guardian }));
    expect(data.guardian).toEqual({ ...guardian, phone: "+442079460958" });
    // The same student is an adult tomorrow, and then the guardian is not needed.
    expect(enrollmentSubmissionSchema("2026-11-28").parse(submission({ student: minor })).guardian).toBeUndefined();
  });

  it("reports a minor's guardian field by field, alongside other steps' errors", () => {
    expect(
      errorsOf(
        schema,
        submission({
          student: { ...minor, phone: "123" },
          guardian: { ...guardian, documentNumber: "00000000A", email: "" },
          method: "cash",
        }),
      ),
    ).toEqual({
      "student.phone": ["phone"],
      "guardian.documentNumber": ["dni_letter"],
      "guardian.email": ["required"],
      method: ["invalid_option"],
    });
  });

  it("refuses a guardian with the student's own document", () => {
    expect(errorsOf(schema, submission({ student: minor, guardian: { ...guardian, documentType: "nie", documentNumber: "x-1234567-l" } }))).toEqual({
      "guardian.documentNumber": ["guardian_same_document"],
    });
  });

  it("answers a crafted request with field errors, never an exception", () => {
    expect(errorsOf(schema, {})).toEqual({
      submissionKey: ["submission_key"],
      courseId: ["course_required"],
      student: ["required"],
      consents: ["required"],
      method: ["required"],
    });
    expect(errorsOf(schema, submission({ student: null }))).toEqual({ student: ["required"] });
    expect(errorsOf(schema, submission({ student: minor, guardian: "x" }))).toEqual({ guardian: ["required"] });
    expect(errorsOf(studentStepSchema(today), false)).toEqual({ _form: ["required"] });
    expect(errorsOf(guardianStepSchema, null)).toEqual({ _form: ["required"] });
  });

  it("fails missing consents and a bad idempotency key", () => {
    expect(errorsOf(schema, submission({ consents: { imageRights: "on" }, submissionKey: "twice" }))).toEqual({
      submissionKey: ["submission_key"],
      "consents.dataProtection": ["consent_required"],
      "consents.terms": ["consent_required"],
    });
    expect(errorsOf(schema, submission({ consents: undefined, method: undefined, courseId: "" }))).toEqual({
      courseId: ["course_required"],
      consents: ["required"],
      method: ["required"],
    });
  });
});

describe("fieldErrors", () => {
  it("joins paths, dedupes and never passes zod's prose through", () => {
    const error = new z.core.$ZodError([
      { code: "custom", message: "dni_letter", path: ["student", "documentNumber"], input: "" },
      { code: "custom", message: "dni_letter", path: ["student", "documentNumber"], input: "" },
      { code: "custom", message: "Invalid input: expected object", path: [], input: "" },
    ]);
    expect(fieldErrors(error)).toEqual({ "student.documentNumber": ["dni_letter"], _form: ["invalid"] });
  });
});

describe("children and documents", () => {
  const schema = studentStepSchema(today);
  const child = { ...adult, firstName: "Pau", documentNumber: "", birthDate: "2014-06-15" };

  it("lets a child under 14 enroll without a document, and stores none", () => {
    const parsed = schema.parse(child);
    expect(parsed).toMatchObject({ documentType: undefined, documentNumber: undefined });
  });

  it("still wants the document from 14 on, and checks it when a child gives one", () => {
    expect(errorsOf(schema, { ...child, birthDate: "2012-01-01" })).toEqual({ documentNumber: ["required"] });
    expect(errorsOf(schema, { ...child, documentNumber: "12345678A" })).toEqual({ documentNumber: ["dni_letter"] });
  });

  it("wants the guardian (with a document) for a child without one", () => {
    const full = enrollmentSubmissionSchema(today);
    expect(errorsOf(full, submission({ student: child }))).toEqual({ guardian: ["minor_needs_guardian"] });
    expect(full.safeParse(submission({ student: child, guardian })).success).toBe(true);
    expect(errorsOf(full, submission({ student: child, guardian: { ...guardian, documentNumber: "" } }))).toEqual({ "guardian.documentNumber": ["required"] });
  });
});
