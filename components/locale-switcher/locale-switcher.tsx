import { getLocale, getTranslations } from "next-intl/server";
import { locales } from "@/lib/i18n/config";
import { setLocale } from "./actions";

/** Two small buttons; works without JavaScript (a plain form post to a server action). */
export async function LocaleSwitcher() {
  const current = await getLocale();
  const t = await getTranslations("common");
  return (
    <form action={setLocale} className="flex items-center gap-1 text-sm" aria-label={t("language")}>
      {locales.map((locale) => (
        <button
          key={locale}
          type="submit"
          name="locale"
          value={locale}
          lang={locale}
          aria-pressed={locale === current}
          className="rounded px-2 py-1 font-medium text-stone-600 hover:bg-stone-100 aria-pressed:bg-stone-900 aria-pressed:text-white"
        >
          {t(`languages.${locale}`)}
        </button>
      ))}
    </form>
  );
}
