// Spanish identity documents for the enrollment wizard: DNI and NIE (with their check letters)
// and passports. Pure functions shared by the client form and the server.

export const documentTypes = ["dni", "nie", "passport"] as const;
export type DocumentType = (typeof documentTypes)[number];

/**
 * The outcome of checking a document number. `format` means the shape is wrong (length,
 * characters); `check_letter` means the shape is right but the letter does not match the
 * number, which the UI words differently because it is almost always a typo in one digit.
 */
export type DocumentValidation =
  { ok: true; type: DocumentType; value: string } | { ok: false; reason: "format" } | { ok: false; reason: "check_letter"; expectedLetter: string };

const checkLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
const dniShape = /^(\d{8})([A-Z])$/;
const nieShape = /^([XYZ])(\d{7})([A-Z])$/;
// Passports vary by country (Spain: 3 letters + 6 digits; many countries: 8–9 digits). A loose
// rule that still refuses obvious junk: 6–9 letters or digits, at least one of them a digit.
const passportShape = /^(?=[A-Z]*\d)[A-Z0-9]{6,9}$/;

/**
 * What people type as "12.345.678-z" becomes "12345678Z". The type is part of the signature so
 * a per-type rule has one home; today all three types drop the same separators.
 */
export function normaliseDocument(_type: DocumentType, value: string): string {
  return value
    .trim()
    .toUpperCase()
    .replace(/[\s.\-]/g, "");
}

/** The letter the rule assigns to a number: "TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]. */
export function checkLetterFor(digits: string): string {
  // Eight digits fit comfortably in a double; no BigInt needed.
  return checkLetters.charAt(Number(digits) % 23);
}

export function validateDni(value: string): DocumentValidation {
  const normalised = normaliseDocument("dni", value);
  const match = dniShape.exec(normalised);
  if (!match) return { ok: false, reason: "format" };
  const [, digits = "", letter] = match;
  const expected = checkLetterFor(digits);
  if (letter !== expected) return { ok: false, reason: "check_letter", expectedLetter: expected };
  return { ok: true, type: "dni", value: normalised };
}

export function validateNie(value: string): DocumentValidation {
  const normalised = normaliseDocument("nie", value);
  const match = nieShape.exec(normalised);
  if (!match) return { ok: false, reason: "format" };
  const [, prefix = "X", digits = "", letter] = match;
  // The prefix stands for a leading digit: X → 0, Y → 1, Z → 2.
  const expected = checkLetterFor(`${"XYZ".indexOf(prefix)}${digits}`);
  if (letter !== expected) return { ok: false, reason: "check_letter", expectedLetter: expected };
  return { ok: true, type: "nie", value: normalised };
}

export function validatePassport(value: string): DocumentValidation {
  const normalised = normaliseDocument("passport", value);
  if (!passportShape.test(normalised)) return { ok: false, reason: "format" };
  return { ok: true, type: "passport", value: normalised };
}

export function validateDocument(type: DocumentType, value: string): DocumentValidation {
  switch (type) {
    case "dni":
      return validateDni(value);
    case "nie":
      return validateNie(value);
    case "passport":
      return validatePassport(value);
  }
}

/**
 * Guesses the type from the shape alone (the check letter is not verified), so the form can
 * preselect it. A DNI or NIE shape wins over passport, which would also match nine characters.
 */
export function detectDocumentType(value: string): DocumentType | undefined {
  const normalised = normaliseDocument("passport", value);
  if (dniShape.test(normalised)) return "dni";
  if (nieShape.test(normalised)) return "nie";
  if (passportShape.test(normalised)) return "passport";
  return undefined;
}
