// A small CSV writer for spreadsheets opened by accountants in Spain: Spanish Excel splits on
// ";" (its list separator, since "," is the decimal mark), reads "1234,56" as a number and
// needs a UTF-8 byte-order mark to show "ñ" and "€" right. Quoting follows RFC 4180. Text that a
// spreadsheet would run as a formula (= + - @, or a tab/CR in front) gets a leading apostrophe:
// a payer named "=HYPERLINK(…)" stays text (OWASP "CSV injection").
import { assertMinorUnits, currencyExponent } from "@/lib/money";

export const CSV_SEPARATOR = ";";
export const CSV_NEWLINE = "\r\n";
export const UTF8_BOM = "\uFEFF";

/** A figure we wrote ourselves (never user text): not guarded, so the spreadsheet reads a number. */
export type CsvNumber = { readonly csvNumber: string };
export type CsvCell = string | null | undefined | CsvNumber;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[";\r\n,]|^\s|\s$/;

/** One text cell: guarded against formulas, quoted when it must be. Empty for null. */
export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "";
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** 123456 EUR → "1234,56"; exact (integer arithmetic on minor units), no grouping, no symbol. */
export function csvAmount(amount: number, currency: string): CsvNumber {
  assertMinorUnits(amount);
  const digits = currencyExponent(currency);
  const sign = amount < 0 ? "-" : "";
  const abs = String(Math.abs(amount));
  if (digits === 0) return { csvNumber: `${sign}${abs}` };
  const padded = abs.padStart(digits + 1, "0");
  return { csvNumber: `${sign}${padded.slice(0, -digits)},${padded.slice(-digits)}` };
}

/** "2026-10-05" → "05/10/2026", the day as Spanish Excel reads a date. */
export function csvDate(isoDate: string | null | undefined): CsvNumber | null {
  if (!isoDate) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw new RangeError(`not a calendar date: ${isoDate}`);
  return { csvNumber: `${match[3]}/${match[2]}/${match[1]}` };
}

/** One line, with its CRLF. */
export function csvLine(cells: readonly CsvCell[]): string {
  return cells.map((cell) => (typeof cell === "object" && cell !== null ? cell.csvNumber : csvText(cell))).join(CSV_SEPARATOR) + CSV_NEWLINE;
}
