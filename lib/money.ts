// Money is an integer count of minor units plus an ISO-4217 currency; never a float.

export type Money = { amount: number; currency: string };

/** Minor units per major unit for the currencies we may meet (ISO 4217 exponent). */
const EXPONENT: Record<string, number> = { JPY: 0, KRW: 0, CLP: 0, BHD: 3, KWD: 3, TND: 3 };

export function currencyExponent(currency: string): number {
  return EXPONENT[currency] ?? 2;
}

export function assertMinorUnits(amount: number): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be an integer count of minor units, got ${amount}`);
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * 123456 EUR → "1.234,56 €" in Spanish, "€1,234.56" in English. Grouping is forced so that
 * Spanish four-digit amounts read 1.234,56 as accountants expect (CLDR would print 1234,56).
 */
export function formatMoney(amount: number, currency: string, locale: string): string {
  assertMinorUnits(amount);
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const digits = currencyExponent(currency);
    formatter = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      useGrouping: "always",
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(key, formatter);
  }
  return formatter.format(amount / 10 ** currencyExponent(currency));
}

/** "12.50" for providers that want a decimal string (PayPal), computed without floats. */
export function toDecimalString(amount: number, currency: string): string {
  assertMinorUnits(amount);
  const digits = currencyExponent(currency);
  if (digits === 0) return String(amount);
  const sign = amount < 0 ? "-" : "";
  const abs = String(Math.abs(amount)).padStart(digits + 1, "0");
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** The inverse of toDecimalString; undefined when the text is not an exact amount in that currency. */
export function parseDecimalString(text: string, currency: string): number | undefined {
  const digits = currencyExponent(currency);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > digits) return undefined;
  const amount = Number(`${whole}${fraction.padEnd(digits, "0")}`);
  if (!Number.isSafeInteger(amount)) return undefined;
  return sign ? -amount : amount;
}
