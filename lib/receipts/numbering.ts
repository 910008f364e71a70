// Receipt numbers: a yearly series, gapless, e.g. 2026-000123.

export function formatReceiptNumber(year: number, sequence: number): string {
  return `${year}-${String(sequence).padStart(6, "0")}`;
}
