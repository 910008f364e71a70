// Recordatorios: reminders around the due date and the overdue policy (reminderSettingsSchema).
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { getReminderSettings } from "@/lib/settings/read";
import { saveRemindersAction } from "../actions";
import { CheckboxField, TextField } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("reminders") };
}

export default async function RemindersSettingsPage() {
  await requireStaff("admin");
  const reminders = await getReminderSettings(await getDb());
  const t = await getTranslations("settings.reminders");
  return (
    <Section title={t("title")} intro={t("intro")} testId="settings-reminders">
      <SettingsForm action={saveRemindersAction} testId="reminders-form" submitLabel={t("save")}>
        <CheckboxField name="enabled" label={t("fields.enabled")} defaultChecked={reminders.enabled} />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField name="offsetsDays" label={t("fields.offsetsDays")} hint={t("hints.offsetsDays")} defaultValue={reminders.offsetsDays.join(", ")} />
          <TextField
            name="overdueAfterDays"
            inputMode="numeric"
            label={t("fields.overdueAfterDays")}
            hint={t("hints.overdueAfterDays")}
            defaultValue={String(reminders.overdueAfterDays)}
          />
        </div>
        <CheckboxField name="notifyStaff" label={t("fields.notifyStaff")} defaultChecked={reminders.notifyStaff} />
        <CheckboxField name="suspendCampus" label={t("fields.suspendCampus")} defaultChecked={reminders.suspendCampus} />
      </SettingsForm>
    </Section>
  );
}
