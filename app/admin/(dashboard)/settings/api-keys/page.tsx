// Claves de API: create a key for another system (shown once, stored as a hash), see each key's
// prefix, creation and last use, and revoke it (the API answers 401 from then on).
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { listApiKeys } from "@/db/queries/settings";
import { requireStaff } from "@/lib/auth/guard";
import { getAcademy } from "@/lib/settings/read";
import { createApiKeyAction, revokeApiKeyAction } from "../actions";
import { TextField } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("api-keys") };
}

export default async function ApiKeysSettingsPage() {
  await requireStaff("admin");
  const db = await getDb();
  const [keys, academy] = await Promise.all([listApiKeys(db), getAcademy(db)]);
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const t = await getTranslations("settings.apiKeys");
  const format = await getFormatter();
  const when = (at: Date | null) => (at ? format.dateTime(at, { dateStyle: "medium", timeStyle: "short", timeZone }) : t("never"));
  return (
    <>
      <Section title={t("title")} intro={t("intro")} testId="settings-api-keys">
        <SettingsForm action={createApiKeyAction} testId="api-key-form" submitLabel={t("create")}>
          <TextField name="name" label={t("fields.name")} hint={t("hints.name")} required />
        </SettingsForm>
      </Section>
      <Section title={t("listTitle")}>
        {keys.length === 0 ? (
          <p className="text-sm text-stone-600">{t("empty")}</p>
        ) : (
          <ul className="divide-y divide-stone-100" aria-label={t("listTitle")}>
            {keys.map((key) => (
              <li
                key={key.id}
                className="flex flex-wrap items-start justify-between gap-3 py-3"
                data-testid="api-key-row"
                data-prefix={key.prefix}
                data-revoked={key.revokedAt ? "1" : "0"}
              >
                <div className="min-w-0 space-y-0.5 text-sm">
                  <p className="font-semibold break-words">
                    {key.name} <code className="ml-1 rounded bg-stone-100 px-1 font-mono text-xs">{key.prefix}…</code>
                  </p>
                  <p className="text-stone-600">{t("createdAt", { at: when(key.createdAt), by: key.createdByName ?? t("system") })}</p>
                  <p className="text-stone-600">{t("lastUsedAt", { at: when(key.lastUsedAt) })}</p>
                  {key.revokedAt && <p className="font-semibold text-red-700">{t("revokedAt", { at: when(key.revokedAt) })}</p>}
                </div>
                {!key.revokedAt && (
                  <SettingsForm
                    action={revokeApiKeyAction}
                    testId={`revoke-${key.prefix}`}
                    submitLabel={t("revoke")}
                    danger
                    confirm={t("revokeConfirm", { name: key.name })}
                  >
                    <input type="hidden" name="id" value={key.id} />
                  </SettingsForm>
                )}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}
