// Correo: the SMTP server in use (from SMTP_URL, never its password) and the sender, and a
// test message sent now to any address, with the server's answer when it fails.
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { env } from "@/lib/env";
import { createMailTransport } from "@/lib/messaging/transport";
import { getAcademy } from "@/lib/settings/read";
import { sendTestEmailAction } from "../actions";
import { TextField } from "../fields";
import { Section } from "../section";
import { SettingsForm } from "../settings-form";

export async function generateMetadata() {
  const t = await getTranslations("settings.sections");
  return { title: t("email") };
}

/** What SMTP_URL says, without its password. */
function describeSmtp(url: string | undefined): { host: string; port: string; user: string; secure: boolean } | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const secure = parsed.protocol === "smtps:";
    return { host: parsed.hostname, port: parsed.port || (secure ? "465" : "587"), user: decodeURIComponent(parsed.username), secure };
  } catch {
    return undefined;
  }
}

export default async function EmailSettingsPage() {
  await requireStaff("admin");
  const academy = await getAcademy(await getDb());
  const t = await getTranslations("settings.email");
  const smtp = describeSmtp(env().SMTP_URL);
  const transport = createMailTransport(env(), { academyName: academy?.name });
  const from = typeof transport.from === "string" ? transport.from : `${transport.from.name} <${transport.from.address}>`;
  transport.close();
  const none = t("none");
  return (
    <Section title={t("title")} intro={t("intro")} testId="settings-email">
      {smtp ? (
        <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[10rem_minmax(0,1fr)]" data-testid="smtp-in-use">
          <dt className="text-stone-500">{t("host")}</dt>
          <dd className="break-all font-mono">{smtp.host}</dd>
          <dt className="text-stone-500">{t("port")}</dt>
          <dd className="font-mono">{smtp.port}</dd>
          <dt className="text-stone-500">{t("user")}</dt>
          <dd className="break-all font-mono">{smtp.user || none}</dd>
          <dt className="text-stone-500">{t("security")}</dt>
          <dd>{smtp.secure ? t("tls") : t("starttls")}</dd>
          <dt className="text-stone-500">{t("from")}</dt>
          <dd className="break-all">{from}</dd>
        </dl>
      ) : (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">{t("notConfigured")}</p>
      )}
      <p className="text-sm text-stone-600">{t("envHint")}</p>
      <SettingsForm action={sendTestEmailAction} testId="email-test-form" submitLabel={t("send")}>
        <TextField name="to" type="email" autoComplete="email" label={t("to")} hint={t("toHint")} required />
      </SettingsForm>
    </Section>
  );
}
