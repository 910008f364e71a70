// The error keys the enrollment schemas produce. Schemas carry keys, never prose, so the client
// and the server agree; the texts live in the message files under `enrollment.errors`.

export const enrollmentErrorKeys = [
  "required",
  "too_long",
  "invalid",
  "invalid_option",
  "course_required",
  "submission_key",
  "email",
  "phone",
  "postcode",
  "dni_format",
  "dni_letter",
  "nie_format",
  "nie_letter",
  "passport_format",
  "birth_date",
  "birth_future",
  "birth_too_old",
  "minor_needs_guardian",
  "guardian_same_document",
  "consent_required",
  "name_characters",
  "plain_text",
  "age_range",
  "age_min",
  "age_max",
] as const;
export type EnrollmentErrorKey = (typeof enrollmentErrorKeys)[number];

export function isEnrollmentErrorKey(value: unknown): value is EnrollmentErrorKey {
  return typeof value === "string" && (enrollmentErrorKeys as readonly string[]).includes(value);
}
