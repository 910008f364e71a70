// Birth dates and age. Dates are calendar strings (YYYY-MM-DD) compared as numbers, never as
// Date objects, so no time zone or daylight-saving change can move a birthday by a day. The
// caller decides what "today" is (the server uses the academy's time zone, see lib/dates.ts).

export const adultAge = 18;
export const maxPlausibleAge = 110;

export type BirthDateValidation = { ok: true; age: number } | { ok: false; reason: "format" | "future" | "too_old" };

type CalendarDate = { year: number; month: number; day: number };

const isoDateShape = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The date's parts, or undefined for anything that is not a real calendar day ("2023-02-29"). */
export function parseCalendarDate(value: string): CalendarDate | undefined {
  const match = isoDateShape.exec(value);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

function parseOrThrow(value: string, name: string): CalendarDate {
  const parsed = parseCalendarDate(value);
  if (!parsed) throw new RangeError(`${name} is not a calendar date (YYYY-MM-DD): ${JSON.stringify(value)}`);
  return parsed;
}

/**
 * Completed years on `today`. Someone born on 29 February has their birthday on 28 February in
 * common years: the Spanish Civil Code counts years "de fecha a fecha" and, when the month has
 * no such day, the period ends on its last day (art. 5.1), with the birthday counted whole
 * (art. 315). Throws a RangeError for malformed dates or a birth date after `today`.
 */
export function ageOn(birthDate: string, today: string): number {
  const birth = parseOrThrow(birthDate, "birthDate");
  const now = parseOrThrow(today, "today");
  if (compare(birth, now) > 0) throw new RangeError(`birthDate ${birthDate} is after today ${today}`);
  const birthdayThisYear = birth.month === 2 && birth.day === 29 && !isLeapYear(now.year) ? 28 : birth.day;
  const hadBirthday = now.month > birth.month || (now.month === birth.month && now.day >= birthdayThisYear);
  return now.year - birth.year - (hadBirthday ? 0 : 1);
}

/** Under 18 on `today`. Same errors as ageOn. */
export function isMinor(birthDate: string, today: string): boolean {
  return ageOn(birthDate, today) < adultAge;
}

/** For forms: a reason instead of an exception. Ages over 110 are taken as typos ("1925" for "2025"). */
export function validateBirthDate(birthDate: string, today: string): BirthDateValidation {
  const birth = parseCalendarDate(birthDate);
  if (!birth) return { ok: false, reason: "format" };
  // A bad `today` is a programming error, not the user's: let it throw.
  if (compare(birth, parseOrThrow(today, "today")) > 0) return { ok: false, reason: "future" };
  const age = ageOn(birthDate, today);
  if (age > maxPlausibleAge) return { ok: false, reason: "too_old" };
  return { ok: true, age };
}

function compare(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** The student's age when the course starts (or today, once it has started) within its range. */
export function withinAgeRange(birthDate: string, course: { startDate: string; minAge?: number | null; maxAge?: number | null }, today: string): boolean {
  const { minAge = null, maxAge = null } = course;
  if (minAge === null && maxAge === null) return true;
  const age = ageOn(birthDate, course.startDate > today ? course.startDate : today);
  return (minAge === null || age >= minAge) && (maxAge === null || age <= maxAge);
}
