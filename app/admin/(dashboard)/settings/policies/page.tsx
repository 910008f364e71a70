// Políticas: what a failed enrollment payment does, and how long a seat is held while a
// payment is under way, per method (read at submit by lib/enrollment/submit.ts).
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getPolicies } from "@/lib/settings/write";
import { requireStaff } from "@/lib/auth/guard";
import { savePoliciesAction } from "../actions";
import { SelectField, TextField } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("policies") };
}

export default async function PoliciesSettingsPage() {
  await requireStaff("admin");
  const policies = await getPolicies(await getDb());
  const t = await getTranslations("settings.policies");
  const holds = [
    ["holdRedsys", "redsys"],
    ["holdBizum", "bizum"],
    ["holdStripe", "stripe"],
    ["holdPaypal", "paypal"],
  ] as const;
  return (
    <Section title={t("title")} intro={t("intro")} testId="settings-policies">
      <SettingsForm action={savePoliciesAction} testId="policies-form" submitLabel={t("save")}>
        <SelectField
          name="onPaymentFailure"
          label={t("fields.onPaymentFailure")}
          defaultValue={policies.onPaymentFailure}
          options={[
            { value: "keep_hold", label: t("onPaymentFailure.keep_hold") },
            { value: "cancel", label: t("onPaymentFailure.cancel") },
          ]}
        />
        <fieldset className="space-y-3">
          <legend className="text-sm font-semibold">{t("holdLegend")}</legend>
          <p className="text-sm text-stone-600">{t("holdHint")}</p>
          <div className="grid gap-4 sm:grid-cols-2">
            {holds.map(([name, method]) => (
              <TextField key={name} name={name} inputMode="numeric" label={t(`methods.${method}`)} defaultValue={String(policies.holdMinutes[method])} />
            ))}
          </div>
        </fieldset>
      </SettingsForm>
    </Section>
  );
}
