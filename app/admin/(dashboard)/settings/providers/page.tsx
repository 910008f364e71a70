// Proveedores: per provider, the mode and credentials in use (saved here, or from the
// environment), a form to save new ones (secrets are write-only: only "•••• last 4" comes
// back), a connection test, and the webhook URLs to paste into each provider's dashboard.
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { maskedStored, readStoredProviders } from "@/lib/settings/write";
import { providerModes } from "@/lib/settings/forms";
import { requireStaff } from "@/lib/auth/guard";
import { env } from "@/lib/env";
import { paymentsConfig } from "@/lib/payments/config";
import { currentPaymentsConfig } from "@/lib/payments/providers";
import type { Provider } from "@/lib/payments/types";
import { removeProviderAction, saveProviderAction, testProviderAction } from "../actions";
import { CopyField } from "../copy-field";
import { SelectField, TextField } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("providers") };
}

const providers: Provider[] = ["redsys", "stripe", "paypal"];
/** Each provider's fields in form order; secrets last. */
const fieldsOf: Record<Provider, { plain: string[]; base: string[]; secrets: string[] }> = {
  stripe: { plain: [], base: ["apiBase"], secrets: ["secretKey", "webhookSecret"] },
  paypal: { plain: ["clientId", "webhookId"], base: ["apiBase", "sdkBase"], secrets: ["clientSecret"] },
  redsys: { plain: ["merchantCode", "terminal"], base: ["baseUrl"], secrets: ["secretKey"] },
};

export default async function ProvidersSettingsPage() {
  await requireStaff("admin");
  const db = await getDb();
  const { stored } = await readStoredProviders(db);
  const fromEnv = paymentsConfig(env());
  const inUse = currentPaymentsConfig();
  const appUrl = env().APP_URL;
  const t = await getTranslations("settings.providers");

  return (
    <>
      <Section title={t("webhooksTitle")} intro={t("webhooksIntro")} testId="settings-webhooks">
        <div className="space-y-3">
          {providers.map((provider) => (
            <CopyField key={provider} id={`webhook-${provider}`} label={t(`names.${provider}`)} value={`${appUrl}/api/webhooks/${provider}`} />
          ))}
        </div>
      </Section>
      {providers.map((provider) => {
        const saved = maskedStored(provider, stored);
        const envConfig = fromEnv[provider] as Record<string, unknown> | undefined;
        const source = saved ? "stored" : envConfig ? "env" : "none";
        const values: Record<string, string> =
          saved?.fields ??
          Object.fromEntries(
            Object.entries(envConfig ?? {}).filter((e): e is [string, string] => typeof e[1] === "string" && !fieldsOf[provider].secrets.includes(e[0])),
          );
        const mode = inUse[provider]?.mode;
        return (
          <Section key={provider} title={t(`names.${provider}`)} testId={`provider-${provider}`}>
            <p role="status" className="text-sm" data-testid={`provider-${provider}-status`} data-source={source} data-mode={mode ?? ""}>
              {mode ? t("inUse", { mode: t(`modes.${mode}`), source: t(`sources.${source}`) }) : t("notInUse")}
            </p>
            <SettingsForm
              action={saveProviderAction}
              testId={`provider-${provider}-form`}
              submitLabel={t("save")}
              secondary={{ action: testProviderAction, label: t("test"), testId: `provider-${provider}-test` }}
            >
              <input type="hidden" name="provider" value={provider} />
              <div className="grid gap-4 sm:grid-cols-2">
                <SelectField
                  id={`${provider}-mode`}
                  name="mode"
                  label={t("fields.mode")}
                  hint={t("modeHint")}
                  defaultValue={values.mode ?? (saved ? undefined : (inUse[provider]?.mode ?? "test"))}
                  options={providerModes.map((m) => ({ value: m, label: t(`modes.${m}`) }))}
                />
                {fieldsOf[provider].base.map((name) => (
                  <TextField
                    key={name}
                    id={`${provider}-${name}`}
                    name={name}
                    type="url"
                    label={t(`fields.${name}`)}
                    hint={t("baseHint")}
                    defaultValue={values[name] ?? ""}
                  />
                ))}
                {fieldsOf[provider].plain.map((name) => (
                  <TextField key={name} id={`${provider}-${name}`} name={name} label={t(`fields.${name}`)} defaultValue={values[name] ?? ""} />
                ))}
                {fieldsOf[provider].secrets.map((name) => (
                  <TextField
                    key={name}
                    id={`${provider}-${name}`}
                    name={name}
                    type="password"
                    autoComplete="new-password"
                    label={t(`fields.${name}`)}
                    placeholder={saved?.masked[name]}
                    hint={saved?.masked[name] ? t("secretSaved", { masked: saved.masked[name] }) : source === "env" ? t("secretFromEnv") : undefined}
                  />
                ))}
              </div>
            </SettingsForm>
            {saved && (
              <SettingsForm action={removeProviderAction} testId={`provider-${provider}-remove`} submitLabel={t("remove")} danger confirm={t("removeConfirm")}>
                <input type="hidden" name="provider" value={provider} />
                <p className="text-sm text-stone-600">{t("removeHint")}</p>
              </SettingsForm>
            )}
          </Section>
        );
      })}
    </>
  );
}
