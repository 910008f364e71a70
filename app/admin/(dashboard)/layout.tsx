import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AdminNav } from "@/components/admin/admin-nav";
import { LocaleSwitcher } from "@/components/locale-switcher/locale-switcher";
import { requireStaff } from "@/lib/auth/guard";
import { signOutAction } from "./actions";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  // The account page renders inside this layout, also while a password change is pending.
  const user = await requireStaff(undefined, { passwordChange: "pending_allowed" });
  const t = await getTranslations("admin");
  return (
    <div className="min-h-screen">
      <header className="border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <nav aria-label={t("title")} className="flex flex-wrap items-center gap-x-4 gap-y-1">
            <Link href="/admin" className="font-semibold text-brand-700">
              {t("title")}
            </Link>
            <AdminNav role={user.role} />
          </nav>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <Link href="/admin/account" className="text-stone-600 hover:underline" data-testid="signed-in-as">
              {t("signedInAs", { name: user.name, role: t(`roles.${user.role}`) })}
            </Link>
            <LocaleSwitcher />
            <form action={signOutAction}>
              <button type="submit" className="rounded-md border border-stone-300 px-3 py-1 hover:bg-stone-100">
                {t("signOut")}
              </button>
            </form>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}
