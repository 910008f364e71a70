// Métodos de pago: which online methods each flow offers (enrollment wizard, receipt pay pages),
// among those whose provider is configured, and which provider takes cards when two can.
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { onlineMethods } from "@/lib/payments/types";
import { requireStaff } from "@/lib/auth/guard";
import { availableMethods } from "@/lib/payments/config";
import { currentPaymentsConfig } from "@/lib/payments/providers";
import { getMethodSettings } from "@/lib/settings/read";
import { saveMethodsAction } from "../actions";
import { CheckboxField, GroupError } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("methods") };
}

export default async function MethodsSettingsPage() {
  await requireStaff("admin");
  const db = await getDb();
  const available = availableMethods(currentPaymentsConfig());
  const { enrollment, receipts, cardProvider } = await getMethodSettings(db);
  const bothTakeCards = available.includes("redsys") && available.includes("stripe");
  const t = await getTranslations("settings.methods");
  const flows = [
    { flow: "enrollment", enabled: enrollment },
    { flow: "receipts", enabled: receipts },
  ] as const;
  return (
    <Section title={t("title")} intro={t("intro")} testId="settings-methods">
      <SettingsForm action={saveMethodsAction} testId="methods-form" submitLabel={t("save")}>
        <div className="grid gap-4 sm:grid-cols-2">
          {flows.map(({ flow, enabled }) => (
            <fieldset key={flow} className="space-y-2 rounded-lg border border-stone-200 p-3">
              <legend className="px-1 text-sm font-semibold">{t(`flows.${flow}`)}</legend>
              {onlineMethods.map((method) => (
                <CheckboxField
                  key={method}
                  id={`m-${flow}-${method}`}
                  name={flow}
                  value={method}
                  label={available.includes(method) ? t(`methods.${method}`) : t("notConfigured", { method: t(`methods.${method}`) })}
                  defaultChecked={enabled.includes(method)}
                  disabled={!available.includes(method)}
                />
              ))}
              <GroupError name={flow} />
            </fieldset>
          ))}
        </div>
        {bothTakeCards ? (
          <fieldset className="mt-4 space-y-2 rounded-lg border border-stone-200 p-3" data-testid="card-provider">
            <legend className="px-1 text-sm font-semibold">{t("cardProvider.legend")}</legend>
            <p className="text-sm text-stone-600">{t("cardProvider.help")}</p>
            {(["redsys", "stripe"] as const).map((provider) => (
              <label key={provider} className="flex items-center gap-2 text-sm">
                <input type="radio" name="cardProvider" value={provider} defaultChecked={cardProvider === provider} className="size-4 accent-brand-600" />
                {t(`cardProvider.${provider}`)}
              </label>
            ))}
          </fieldset>
        ) : (
          <input type="hidden" name="cardProvider" value={cardProvider} />
        )}
      </SettingsForm>
    </Section>
  );
}
