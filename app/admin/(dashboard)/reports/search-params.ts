// The reports page's one input, the enrollment funnel's range of days, lives in the URL (a GET
// form): from and to as YYYY-MM-DD. Missing means the default (the last 12 months, as the
// collected chart); anything invalid, or a range that ends before it starts, falls back to it.
import { z } from "zod";

const isoDate = z.iso.date();

export type FunnelRange = { from: string; to: string; invalid: boolean; custom: boolean };

/** `today` is YYYY-MM-DD in the academy's time zone. */
export function defaultRange(today: string): { from: string; to: string } {
  const [year, month] = today.split("-").map(Number) as [number, number];
  const index = year * 12 + (month - 1) - 11;
  return { from: `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}-01`, to: today };
}

export function parseFunnelRange(raw: Record<string, string | string[] | undefined>, today: string): FunnelRange {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
  const fromText = first(raw.from);
  const toText = first(raw.to);
  const fallback = defaultRange(today);
  if (!fromText && !toText) return { ...fallback, invalid: false, custom: false };
  const from = fromText ? isoDate.safeParse(fromText) : { success: true as const, data: fallback.from };
  const to = toText ? isoDate.safeParse(toText) : { success: true as const, data: fallback.to };
  if (!from.success || !to.success || from.data > to.data) return { ...fallback, invalid: true, custom: false };
  return { from: from.data, to: to.data, invalid: false, custom: true };
}
