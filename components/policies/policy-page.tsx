// The default privacy policy and enrollment conditions, filled in with the academy's identity,
// for an academy that has not linked its own (settings → Academia).
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getAcademyOrProvisional } from "@/lib/settings/read";

export async function PolicyPage({ policy }: { policy: "privacy" | "terms" }) {
  const academy = await getAcademyOrProvisional(await getDb());
  const t = await getTranslations("policies");
  const values = { legalName: academy.legalName, taxId: academy.taxId || "—", email: academy.email || "—" };
  return (
    <article className="mx-auto max-w-2xl space-y-4 rounded-xl border border-stone-200 bg-white p-5 shadow-sm">
      <h1 className="text-2xl font-bold">{t(`${policy}.title`)}</h1>
      <div className="space-y-3 text-stone-800">{t.rich(`${policy}.body`, { ...values, p: (chunks) => <p>{chunks}</p> })}</div>
      <p className="text-sm text-stone-600">{t("contact", { email: values.email })}</p>
      <Link href="/" className="inline-block text-sm text-brand-700 underline underline-offset-4">
        {t("back")}
      </Link>
    </article>
  );
}
