// The languages of the UI: Spanish first, English available. The choice lives in a cookie.
export const locales = ["es", "en"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "es";
export const localeCookie = "NEXT_LOCALE";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

/** BCP 47 tags used for number and date formatting. */
export const formattingLocale: Record<Locale, string> = { es: "es-ES", en: "en-GB" };
