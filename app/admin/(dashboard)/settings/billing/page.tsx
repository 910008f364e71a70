// Facturación: the monthly issuing schedule (lib/settings/schemas.ts billingSettingsSchema).
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { getBillingSettings } from "@/lib/settings/read";
import { saveBillingAction } from "../actions";
import { CheckboxField, TextField } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("billing") };
}

export default async function BillingSettingsPage() {
  await requireStaff("admin");
  const billing = await getBillingSettings(await getDb());
  const t = await getTranslations("settings.billing");
  return (
    <Section title={t("title")} intro={t("intro")} testId="settings-billing">
      <SettingsForm action={saveBillingAction} testId="billing-form" submitLabel={t("save")}>
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField name="issueDay" inputMode="numeric" label={t("fields.issueDay")} hint={t("hints.issueDay")} defaultValue={String(billing.issueDay)} />
          <TextField
            name="dueAfterDays"
            inputMode="numeric"
            label={t("fields.dueAfterDays")}
            hint={t("hints.dueAfterDays")}
            defaultValue={String(billing.dueAfterDays)}
          />
        </div>
        <CheckboxField name="automatic" label={t("fields.automatic")} defaultChecked={billing.automatic} />
        <CheckboxField name="sendLinksOnIssue" label={t("fields.sendLinksOnIssue")} defaultChecked={billing.sendLinksOnIssue} />
      </SettingsForm>
    </Section>
  );
}
