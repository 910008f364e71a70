"use client";
// The settings sections: a wrapping list of links on a phone, a column beside the page on a
// wide screen; the current one is marked for screen readers (aria-current) and by eye.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";
import { settingsSections } from "./sections";

export function SettingsNav() {
  const t = useTranslations("settings.sections");
  const pathname = usePathname();
  return (
    <nav aria-label={t("label")}>
      <ul className="flex flex-wrap gap-2 lg:flex-col lg:gap-1">
        {settingsSections.map((section) => {
          const href = `/admin/settings/${section}`;
          const current = pathname === href;
          return (
            <li key={section}>
              <Link
                href={href}
                aria-current={current ? "page" : undefined}
                className={`block rounded-md px-3 py-1.5 text-sm ${current ? "bg-brand-50 font-semibold text-brand-700" : "text-stone-700 hover:bg-stone-100"}`}
              >
                {t(section)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
