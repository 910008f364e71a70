// The course form's one schema, for the server action (and its tests): FormData text in, a
// typed course out, or the names of the fields to fix (the page words them in es/en).
// Fees are typed in euros ("85,50") and stored as integer cents, parsed exactly.
import { z } from "zod";
import type { courseStatus } from "@/db/schema/enums";
import { parseAmountInput } from "./amount";

type CourseStatus = (typeof courseStatus.enumValues)[number];

/** The database's course_status values, listed here so the form (and its bundle) needs no Drizzle. */
const courseStatuses = ["draft", "open", "closed"] as const satisfies readonly CourseStatus[];
// A status added to the enum and not here fails to compile.
type IsTrue<T extends true> = T;
type _EveryCourseStatusListed = IsTrue<[Exclude<CourseStatus, (typeof courseStatuses)[number]>] extends [never] ? true : false>;

export const courseFields = [
  "code",
  "name",
  "description",
  "level",
  "schedule",
  "startDate",
  "endDate",
  "capacity",
  "enrollmentFee",
  "monthlyFee",
  "status",
  "minAge",
  "maxAge",
  "campusCourseId",
] as const;
export type CourseField = (typeof courseFields)[number];

/** Fees are in the academy's currency; courses in other currencies are not created here. */
export const courseCurrency = "EUR";

const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((text) => text || null);

const fee = z
  .string()
  .trim()
  .min(1)
  .transform((text, ctx) => {
    const amount = parseAmountInput(text, courseCurrency);
    // Up to 100.000 € a month: anything above is a typo, not a fee.
    if (amount === undefined || amount > 10_000_000) {
      ctx.addIssue({ code: "custom", message: "invalid" });
      return z.NEVER;
    }
    return amount;
  });

/** An optional age in whole years; empty: no limit. */
const age = z
  .string()
  .trim()
  .regex(/^(\d{1,3})?$/)
  .transform((text) => (text === "" ? null : Number(text)))
  .refine((value) => value === null || value <= 120);

export const courseFormSchema = z
  .object({
    code: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9][A-Z0-9-]{1,29}$/),
    name: z.string().trim().min(2).max(120),
    description: z.string().trim().max(2000),
    level: optional(40),
    schedule: z.string().trim().max(200),
    startDate: z.iso.date(),
    endDate: z.iso.date(),
    capacity: z.coerce.number().int().min(1).max(1000),
    enrollmentFee: fee,
    monthlyFee: fee,
    status: z.enum(courseStatuses),
    minAge: age,
    maxAge: age,
    campusCourseId: optional(64),
  })
  .refine((course) => course.endDate >= course.startDate, { path: ["endDate"], message: "before_start" })
  .refine((course) => course.minAge === null || course.maxAge === null || course.minAge <= course.maxAge, { path: ["maxAge"], message: "below_min" });

export type CourseInput = z.infer<typeof courseFormSchema>;

export type CourseParse = { ok: true; course: CourseInput } | { ok: false; fields: CourseField[] };

/** Reads only the course's own fields from a form; a missing one is an empty string. */
export function parseCourseForm(form: FormData | Record<string, unknown>): CourseParse {
  const get = (name: string) => (form instanceof FormData ? form.get(name) : form[name]);
  const raw = Object.fromEntries(courseFields.map((name) => [name, typeof get(name) === "string" ? get(name) : ""]));
  const parsed = courseFormSchema.safeParse(raw);
  if (parsed.success) return { ok: true, course: parsed.data };
  const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].filter((name): name is CourseField =>
    (courseFields as readonly string[]).includes(name),
  );
  return { ok: false, fields };
}
