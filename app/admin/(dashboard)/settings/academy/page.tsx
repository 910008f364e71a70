// Academia: the identity shown to payers (public pages, receipts, e-mails), tax id included.
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { getAcademy } from "@/lib/settings/read";
import { saveAcademyAction } from "../actions";
import { TextField } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("academy") };
}

export default async function AcademySettingsPage() {
  await requireStaff("admin");
  const academy = await getAcademy(await getDb());
  const t = await getTranslations("settings.academy");
  const text = (
    name: "name" | "legalName" | "taxId" | "address" | "postcode" | "city" | "email" | "phone" | "website" | "privacyPolicyUrl" | "termsUrl" | "timeZone",
  ) => ({
    name,
    label: t(`fields.${name}`),
    defaultValue: academy?.[name] ?? (name === "timeZone" ? "Europe/Madrid" : ""),
  });
  return (
    <Section title={t("title")} intro={academy ? t("intro") : t("notSet")} testId="settings-academy">
      <SettingsForm action={saveAcademyAction} testId="academy-form" submitLabel={t("save")}>
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField {...text("name")} required hint={t("hints.name")} autoComplete="organization" />
          <TextField {...text("legalName")} required />
          <TextField {...text("taxId")} required hint={t("hints.taxId")} />
          <TextField {...text("email")} required type="email" autoComplete="email" />
          <TextField {...text("phone")} type="tel" autoComplete="tel" />
          <TextField {...text("website")} type="url" placeholder="https://" />
          <div className="sm:col-span-2">
            <TextField {...text("address")} autoComplete="street-address" />
          </div>
          <TextField {...text("postcode")} autoComplete="postal-code" />
          <TextField {...text("city")} autoComplete="address-level2" />
          <TextField {...text("timeZone")} required hint={t("hints.timeZone")} />
          <TextField {...text("privacyPolicyUrl")} type="url" placeholder="https://" hint={t("hints.privacyPolicyUrl")} />
          <TextField {...text("termsUrl")} type="url" placeholder="https://" hint={t("hints.termsUrl")} />
        </div>
        <p className="text-sm text-stone-600">{t("currency", { currency: academy?.currency ?? "EUR" })}</p>
      </SettingsForm>
    </Section>
  );
}
