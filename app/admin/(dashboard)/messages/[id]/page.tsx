// One email: its subject and text as stored (what was, or will be, sent), its delivery status,
// attempts, last error and delivery note (e.g. "stored only" without SMTP).
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getMessageDetail } from "@/db/queries/messages-dashboard";
import { requireStaff } from "@/lib/auth/guard";
import { getAcademy } from "@/lib/settings/read";
import { MessageStatusBadge } from "../status-badge";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function generateMetadata() {
  const t = await getTranslations("mail");
  return { title: t("detail.title") };
}

export default async function MessagePage({ params }: { params: Promise<{ id: string }> }) {
  await requireStaff();
  const { id } = await params;
  if (!uuidPattern.test(id)) notFound();
  const db = await getDb();
  const message = await getMessageDetail(db, id);
  if (!message) notFound();
  const timeZone = (await getAcademy(db))?.timeZone ?? "Europe/Madrid";
  const t = await getTranslations("mail");
  const format = await getFormatter();
  const when = (at: Date) => format.dateTime(at, { dateStyle: "medium", timeStyle: "medium", timeZone });
  const templateLabel = t.has(`templates.${message.template}`) ? t(`templates.${message.template}` as "templates.payment_link") : message.template;

  const facts: [string, React.ReactNode, string][] = [
    [
      t("detail.to"),
      <span key="to" className="break-all">
        {message.toAddress}
      </span>,
      "to",
    ],
    [t("detail.template"), `${templateLabel} (${message.locale})`, "template"],
    [t("detail.status"), <MessageStatusBadge key="status" status={message.status} label={t(`status.${message.status}`)} />, "status"],
    [t("detail.attempts"), String(message.attempts), "attempts"],
    [t("detail.createdAt"), when(message.createdAt), "created"],
  ];
  if (message.sentAt) facts.push([t("detail.sentAt"), when(message.sentAt), "sent"]);
  if (message.status === "queued" || message.status === "sending") facts.push([t("detail.nextAttemptAt"), when(message.nextAttemptAt), "next"]);
  if (message.lastError)
    facts.push([
      t("detail.lastError"),
      <span key="err" className="break-words">
        {message.lastError}
      </span>,
      "error",
    ]);
  if (message.deliveryNote)
    facts.push([
      t("detail.deliveryNote"),
      <span key="note" className="break-words">
        {message.deliveryNote}
      </span>,
      "note",
    ]);
  if (message.smtpMessageId)
    facts.push([
      t("detail.smtpMessageId"),
      <span key="mid" className="break-all font-mono text-xs">
        {message.smtpMessageId}
      </span>,
      "message-id",
    ]);
  if (message.receiptId) {
    facts.push([
      t("detail.receipt"),
      <Link key="receipt" href={`/admin/receipts/${message.receiptId}`} className="text-brand-700 underline underline-offset-4">
        {message.receiptNumber ?? message.receiptId}
      </Link>,
      "receipt",
    ]);
  }

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/admin/messages" className="text-brand-700 underline-offset-4 hover:underline">
          ← {t("detail.back")}
        </Link>
      </p>
      <h1 className="break-words text-2xl font-bold" data-testid="message-subject">
        {message.subject}
      </h1>
      <dl className="grid gap-x-6 gap-y-2 rounded-xl border border-stone-200 bg-white p-4 text-sm sm:grid-cols-[auto_1fr]">
        {facts.map(([label, value, key]) => (
          <div key={key} className="contents" data-testid={`message-${key}`}>
            <dt className="font-medium text-stone-600">{label}</dt>
            <dd className="min-w-0">{value}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="message-body-heading" className="space-y-2">
        <h2 id="message-body-heading" className="text-lg font-semibold">
          {t("detail.body")}
        </h2>
        {/* The plain-text part: the HTML part says the same, and showing stored HTML would need sandboxing. */}
        <pre
          className="whitespace-pre-wrap break-words rounded-xl border border-stone-200 bg-white p-4 font-sans text-sm leading-relaxed"
          data-testid="message-body"
        >
          {message.bodyText}
        </pre>
      </section>
    </div>
  );
}
