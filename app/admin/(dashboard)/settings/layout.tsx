// The settings area (admins only): the section navigation beside (or, on a phone, above) the
// section's page. Each page and action checks the role itself as well.
import { getTranslations } from "next-intl/server";
import { requireStaff } from "@/lib/auth/guard";
import { SettingsNav } from "./settings-nav";

export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  await requireStaff("admin");
  const t = await getTranslations("settings");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("heading")}</h1>
      <div className="grid gap-6 lg:grid-cols-[12rem_minmax(0,1fr)]">
        <SettingsNav />
        <div className="min-w-0 space-y-6">{children}</div>
      </div>
    </div>
  );
}
