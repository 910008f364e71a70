import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getAcademy } from "@/lib/settings/read";
import { LocaleSwitcher } from "@/components/locale-switcher/locale-switcher";

export default async function PublicLayout({ children }: { children: React.ReactNode }) {
  const academy = await getAcademy(await getDb());
  const t = await getTranslations("common");
  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <Link href="/" className="text-lg font-semibold text-brand-700">
            {academy?.name ?? t("academyFallback")}
          </Link>
          <div className="flex items-center gap-3">
            <LocaleSwitcher />
            <Link href="/admin" className="text-sm text-stone-600 underline-offset-4 hover:underline">
              {t("staffAccess")}
            </Link>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 py-8">
        {children}
      </main>
      {academy && (
        <footer className="border-t border-stone-200 bg-white text-xs text-stone-500">
          <div className="mx-auto max-w-5xl space-y-1 px-4 py-4">
            <p>{t("footerLegal", { legalName: academy.legalName, taxId: academy.taxId })}</p>
            <p>{t("footerContact", academy)}</p>
          </div>
        </footer>
      )}
    </div>
  );
}
