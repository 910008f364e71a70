import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { LocaleSwitcher } from "@/components/locale-switcher/locale-switcher";
import { SignInForm } from "./sign-in-form";

export async function generateMetadata() {
  const t = await getTranslations("signIn");
  return { title: t("title") };
}

export default async function SignInPage() {
  const t = await getTranslations("signIn");
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm space-y-6 rounded-xl border border-stone-200 bg-white p-6 shadow-sm">
        <div className="flex items-center justify-between gap-2">
          <h1 className="text-xl font-semibold">{t("title")}</h1>
          <LocaleSwitcher />
        </div>
        <p className="text-sm text-stone-600">{t("intro")}</p>
        <SignInForm />
        <Link href="/" className="block text-center text-sm text-stone-600 underline-offset-4 hover:underline">
          {t("backHome")}
        </Link>
      </div>
    </main>
  );
}
