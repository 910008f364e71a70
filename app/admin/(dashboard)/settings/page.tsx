// /admin/settings: what each section holds, as links (the navigation above says the same).
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireStaff } from "@/lib/auth/guard";
import { settingsSections } from "./sections";

export async function generateMetadata() {
  const t = await getTranslations("settings");
  return { title: t("heading") };
}

export default async function SettingsIndexPage() {
  await requireStaff("admin");
  const t = await getTranslations("settings");
  return (
    <ul className="grid gap-3 sm:grid-cols-2">
      {settingsSections.map((section) => (
        <li key={section} className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
          <Link href={`/admin/settings/${section}`} className="font-semibold text-brand-700 underline-offset-4 hover:underline">
            {t(`sections.${section}`)}
          </Link>
          <p className="mt-1 text-sm text-stone-600">{t(`summaries.${section}`)}</p>
        </li>
      ))}
    </ul>
  );
}
