// Contact phone numbers: Spanish numbers with or without +34 / 0034, and international numbers
// in E.164 form. Everything is stored as E.164 ("+34612345678") so matching and SMS work.

export type PhoneValidation = { ok: true; e164: string; country: "es" | "international" } | { ok: false };

// People write "612 34 56 78", "612-345-678", "(+34) 612.345.678": separators carry no meaning.
const separators = /[\s.\-()]/g;
// Spanish numbers: 9 digits; 6 and 7 are mobiles, 8 and 9 landlines and service numbers.
const spanishNational = /^[6-9]\d{8}$/;
// E.164: a country code (never starting with 0) and at most 15 digits in all.
const international = /^[1-9]\d{7,14}$/;

export function validatePhone(value: string): PhoneValidation {
  const compact = value.trim().replace(separators, "");
  let digits: string;
  if (compact.startsWith("+")) digits = compact.slice(1);
  else if (compact.startsWith("00")) digits = compact.slice(2);
  else {
    // No international prefix: only a Spanish national number makes sense.
    return spanishNational.test(compact) ? { ok: true, e164: `+34${compact}`, country: "es" } : { ok: false };
  }
  if (digits.startsWith("34")) {
    // +34 promises a Spanish number, so hold it to the Spanish rule rather than the loose one.
    const national = digits.slice(2);
    return spanishNational.test(national) ? { ok: true, e164: `+34${national}`, country: "es" } : { ok: false };
  }
  return international.test(digits) ? { ok: true, e164: `+${digits}`, country: "international" } : { ok: false };
}

/** The number in E.164 form, or undefined when it is not a valid phone number. */
export function normalisePhone(value: string): string | undefined {
  const result = validatePhone(value);
  return result.ok ? result.e164 : undefined;
}
