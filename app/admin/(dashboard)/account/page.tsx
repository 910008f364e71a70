// The signed-in user's own account: who they are and a password change.
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { findStaffAccount } from "@/db/queries/users";
import { requireStaff } from "@/lib/auth/guard";
import { PasswordForm } from "./password-form";

export async function generateMetadata() {
  const t = await getTranslations("account");
  return { title: t("title") };
}

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ changed?: string }> }) {
  const user = await requireStaff(undefined, { passwordChange: "pending_allowed" });
  const account = await findStaffAccount(await getDb(), user.id);
  const { changed } = await searchParams;
  const t = await getTranslations("account");
  const tAdmin = await getTranslations("admin");
  const format = await getFormatter();
  const details = [
    { label: t("name"), value: user.name },
    { label: t("email"), value: user.email },
    { label: t("role"), value: tAdmin(`roles.${user.role}`) },
    { label: t("lastSignIn"), value: account?.lastSignInAt ? format.dateTime(account.lastSignInAt, { dateStyle: "medium", timeStyle: "short" }) : t("never") },
  ];
  return (
    <div className="mx-auto max-w-xl space-y-6">
      <h1 className="text-2xl font-bold">{t("heading")}</h1>
      {account?.mustChangePassword && (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="password-change-required">
          {t("password.required")}
        </p>
      )}
      {changed && (
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900" data-testid="password-changed">
          {t("password.changed")}
        </p>
      )}
      <dl className="grid gap-x-4 gap-y-2 rounded-xl border border-stone-200 bg-white p-4 shadow-sm sm:grid-cols-[auto_1fr]">
        {details.map((item) => (
          <div key={item.label} className="contents">
            <dt className="text-sm font-medium text-stone-600">{item.label}</dt>
            <dd className="break-words text-sm">{item.value}</dd>
          </div>
        ))}
      </dl>
      <section className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
        <PasswordForm />
      </section>
    </div>
  );
}
