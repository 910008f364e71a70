// Campus: the Moodle site and web-service token (encrypted with APP_ENCRYPTION_KEY, shown only
// as "•••• last 4"), and a connection test with core_webservice_get_site_info. Which course maps
// to which Moodle course is set on each course.
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { maskSecret } from "@/lib/settings/provider-credentials";
import { getStoredCampus } from "@/lib/settings/write";
import { requireStaff } from "@/lib/auth/guard";
import { env } from "@/lib/env";
import { saveCampusAction, testCampusAction } from "../actions";
import { TextField } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("campus") };
}

export default async function CampusSettingsPage() {
  await requireStaff("admin");
  const stored = await getStoredCampus(await getDb());
  const { MOODLE_URL, MOODLE_TOKEN } = env();
  const t = await getTranslations("settings.campus");
  const source = stored ? "stored" : MOODLE_URL ? "env" : "none";
  return (
    <Section title={t("title")} intro={t("intro")} testId="settings-campus">
      <p className="text-sm" data-testid="campus-status" data-source={source}>
        {t(`status.${source}`)}
      </p>
      <SettingsForm
        action={saveCampusAction}
        testId="campus-form"
        submitLabel={t("save")}
        secondary={{ action: testCampusAction, label: t("test"), testId: "campus-test" }}
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            name="moodleUrl"
            type="url"
            label={t("fields.moodleUrl")}
            hint={t("hints.moodleUrl")}
            defaultValue={stored?.moodleUrl ?? MOODLE_URL ?? ""}
            required
          />
          <TextField
            name="token"
            type="password"
            autoComplete="new-password"
            label={t("fields.token")}
            placeholder={stored ? maskSecret(stored.token) : undefined}
            hint={stored ? t("hints.tokenSaved", { masked: maskSecret(stored.token) }) : MOODLE_TOKEN ? t("hints.tokenFromEnv") : undefined}
          />
        </div>
      </SettingsForm>
      <p className="text-sm text-stone-600">{t("mappingHint")}</p>
    </Section>
  );
}
