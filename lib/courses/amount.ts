// Fees typed by staff ("85,50", "85.50", "1.234,56", "85 €") read as an exact count of minor
// units. Pure string arithmetic, never floats. A single separator is always the decimal mark, so
// "1.500" is refused (too many decimals) rather than silently read as 1,5 or 1500.
import { currencyExponent } from "@/lib/money";

export function parseAmountInput(text: string, currency: string): number | undefined {
  const digits = currencyExponent(currency);
  // A currency sign or code before or after is fine; spaces inside the number are not ("85 50").
  const cleaned = text
    .trim()
    .replace(/^(?:€|EUR)\s*|\s*(?:€|EUR)$/gi, "")
    .trim();
  if (!/^\d[\d.,]*$/.test(cleaned) || cleaned.length > 15) return undefined;
  const separators = cleaned.replace(/\d/g, "");
  let whole: string;
  let fraction = "";
  if (separators.length === 0) {
    whole = cleaned;
  } else {
    // With both marks, the last one is the decimal mark and the other groups thousands.
    const decimalMark = separators.at(-1)!;
    const groupMark = decimalMark === "," ? "." : ",";
    const at = cleaned.lastIndexOf(decimalMark);
    const head = cleaned.slice(0, at);
    fraction = cleaned.slice(at + 1);
    if (head.includes(decimalMark) || !/^\d+$/.test(fraction)) return undefined;
    if (head.includes(groupMark)) {
      if (
        !/^\d{1,3}(?:[.,]\d{3})+$/.test(head) ||
        head
          .replace(/\d/g, "")
          .split("")
          .some((c) => c !== groupMark)
      )
        return undefined;
      whole = head.split(groupMark).join("");
    } else {
      whole = head;
    }
  }
  if (whole === "" || fraction.length > digits) return undefined;
  const amount = Number(`${whole}${fraction.padEnd(digits, "0")}`);
  return Number.isSafeInteger(amount) ? amount : undefined;
}

/** The other way, for a form's default value: 8550 → "85,50" (es) or "85.50" (en). */
export function formatAmountInput(amount: number, currency: string, locale: string): string {
  const digits = currencyExponent(currency);
  const text = String(amount).padStart(digits + 1, "0");
  if (digits === 0) return text;
  const mark = locale === "en" ? "." : ",";
  return `${text.slice(0, -digits)}${mark}${text.slice(-digits)}`;
}
