// One receipt's page: what is owed and by whom, its story in time order (audit lines, provider
// deliveries, e-mails), its attempts and refunds, what needs attention, and the actions staff
// may take on it now. The actions shown depend on status and role; the actions themselves check
// both again on the server.
import { randomUUID } from "node:crypto";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { ActionForm } from "@/components/admin/action-form";
import { ReceiptActions } from "@/components/admin/receipt-actions";
import { ReceiptStatusBadge } from "@/components/admin/receipt-status-badge";
import { getDb } from "@/db/client";
import { getDashboardReceipt, type TimelineEntry } from "@/db/queries/dashboard-receipts";
import { requireStaff } from "@/lib/auth/guard";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney, toDecimalString } from "@/lib/money";
import { manualMethods } from "@/lib/payments/manual";
import { isPaidReceipt } from "@/lib/payments/receipt-machine";
import { isOnlineMethod } from "@/lib/payments/types";
import { hasReceiptPdf } from "@/lib/receipts/pdf";
import { getAcademy } from "@/lib/settings/read";
import { campusStatus } from "@/lib/campus/provision";
import { cancelReceiptAction, recordManualPaymentAction, refundAction, resendLinkAction, retryCampusAction } from "./actions";

type Params = Promise<{ id: string }>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const eventTypeKeys: Record<string, string> = {
  "checkout.session.completed": "completed",
  "checkout.session.async_payment_succeeded": "completed",
  "checkout.session.async_payment_failed": "denied",
  "checkout.session.expired": "expired",
  "charge.refunded": "refund",
  "refund.created": "refund",
  "refund.updated": "refundUpdated",
  "charge.refund.updated": "refundUpdated",
  "refund.succeeded": "refund",
  "PAYMENT.CAPTURE.COMPLETED": "completed",
  "PAYMENT.CAPTURE.PENDING": "pending",
  "PAYMENT.CAPTURE.DENIED": "denied",
  "PAYMENT.CAPTURE.REFUNDED": "refund",
  "CHECKOUT.ORDER.APPROVED": "approved",
};

export async function generateMetadata({ params }: { params: Params }) {
  const t = await getTranslations("admin.receipts");
  return { title: t("title") + " · " + (await params).id.slice(0, 8) };
}

export default async function ReceiptPage({ params }: { params: Params }) {
  const user = await requireStaff();
  const { id } = await params;
  if (!uuidPattern.test(id)) notFound();
  const db = await getDb();
  const [receipt, academy] = await Promise.all([getDashboardReceipt(db, id), getAcademy(db)]);
  if (!receipt) notFound();
  const timeZone = academy?.timeZone ?? "Europe/Madrid";

  const t = await getTranslations("admin.receipts");
  const tStatus = await getTranslations("receiptStatus");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const money = (amount: number, currency = receipt.currency) => formatMoney(amount, currency, numberLocale);
  const when = (at: Date) => format.dateTime(at, { dateStyle: "medium", timeStyle: "short", timeZone });
  const day = (isoDate: string) => format.dateTime(new Date(`${isoDate}T12:00:00Z`), { dateStyle: "long", timeZone: "UTC" });
  const methodLabel = (method: string) => (t.has(`methods.${method}`) ? t(`methods.${method}` as "methods.cash") : method);

  const isAdmin = user.role === "admin";
  const pending = receipt.status === "pending";
  const inFlight = receipt.refunds.filter((r) => r.status === "pending").reduce((sum, r) => sum + r.amount, 0);
  const refundable = isPaidReceipt(receipt.status) ? receipt.amount - receipt.refundedAmount - inFlight : 0;
  // Money taken by hand goes back by hand: only online payments can be refunded from here.
  const canRefund = isAdmin && refundable > 0 && receipt.paidMethod !== null && isOnlineMethod(receipt.paidMethod);
  const none = t("detail.none");

  /** A provider's event type in words (Redsys: notification.<type>.<code>); unknown ones raw. */
  function eventWords(type: string): string {
    const redsys = /^notification\.(\d+)\.(\d{1,4})$/.exec(type);
    let key: string | undefined;
    if (type.startsWith("lookup.")) key = "lookup";
    else if (redsys)
      key =
        redsys[1] === "3"
          ? Number(redsys[2]) === 900
            ? "refund"
            : "refundDenied"
          : Number(redsys[2]) <= 99
            ? "authorised"
            : Number(redsys[2]) === 9915
              ? "cancelled"
              : "denied";
    else key = eventTypeKeys[type];
    return key && t.has(`timeline.eventTypes.${key}`) ? t(`timeline.eventTypes.${key}` as "timeline.eventTypes.lookup") : type;
  }

  function timelineLabel(entry: TimelineEntry): string {
    if (entry.kind === "provider_event") {
      const provider = t.has(`providers.${entry.source}`) ? t(`providers.${entry.source}` as "providers.stripe") : entry.source;
      return t("timeline.providerEvent", { provider, type: eventWords(entry.action) });
    }
    if (entry.kind === "message") {
      const template = t.has(`timeline.templates.${entry.action}`) ? t(`timeline.templates.${entry.action}` as "timeline.templates.reminder") : entry.action;
      return t("timeline.message", { template, to: String(entry.detail.to ?? "") });
    }
    // Message keys cannot contain dots: receipt.paid → receipt_paid. Unknown actions show raw.
    const key = `timeline.actions.${entry.action.replace(/\./g, "_")}`;
    return t.has(key) ? t(key as "timeline.actions.receipt_paid") : entry.action;
  }

  function timelineNotes(entry: TimelineEntry): string[] {
    const d = entry.detail;
    const notes: string[] = [];
    if (entry.kind === "audit") {
      notes.push(t.has(`timeline.sources.${entry.source}`) ? t(`timeline.sources.${entry.source}` as "timeline.sources.staff") : entry.source);
      if (entry.staffName) notes.push(t("timeline.by", { name: entry.staffName }));
      if (typeof d.method === "string") notes.push(methodLabel(d.method));
      if (typeof d.amount === "number" && typeof d.currency === "string") notes.push(money(d.amount, d.currency));
      if (typeof d.reason === "string" && d.reason) notes.push(t("timeline.reason", { reason: d.reason }));
      if (typeof d.note === "string" && d.note) notes.push(t("timeline.note", { note: d.note }));
      if (typeof d.code === "string") notes.push(d.code);
      if (typeof d.failure === "string") notes.push(d.failure);
    } else if (entry.kind === "provider_event") {
      const outcome = String(d.outcome ?? "");
      notes.push(t.has(`timeline.eventOutcomes.${outcome}`) ? t(`timeline.eventOutcomes.${outcome}` as "timeline.eventOutcomes.applied") : outcome);
    } else {
      notes.push(t.has(`timeline.messageStatus.${entry.source}`) ? t(`timeline.messageStatus.${entry.source}` as "timeline.messageStatus.sent") : entry.source);
    }
    return notes;
  }

  const header: [string, React.ReactNode, string][] = [
    [t("detail.concept"), receipt.concept, "concept"],
    [t("detail.amount"), money(receipt.amount), "amount"],
    ...(receipt.refundedAmount > 0 ? [[t("detail.refunded"), money(receipt.refundedAmount), "refunded"] as [string, string, string]] : []),
    [t("detail.payer"), `${receipt.payerName} · ${receipt.payerEmail}${receipt.payerDocument ? ` · ${receipt.payerDocument}` : ""}`, "payer"],
    [t("detail.student"), `${receipt.studentFirstName} ${receipt.studentLastName}${receipt.studentDocument ? ` · ${receipt.studentDocument}` : ""}`, "student"],
    ...(receipt.period ? [[t("detail.period"), receipt.period, "period"] as [string, string, string]] : []),
    [t("detail.issuedAt"), when(receipt.issuedAt), "issued-at"],
    [t("detail.dueDate"), day(receipt.dueDate), "due-date"],
    [t("detail.paidAt"), receipt.paidAt ? when(receipt.paidAt) : none, "paid-at"],
    [t("detail.method"), receipt.paidMethod ? methodLabel(receipt.paidMethod) : none, "method"],
    ...(receipt.cancelReason ? [[t("detail.cancelReason"), receipt.cancelReason, "cancel-reason"] as [string, string, string]] : []),
  ];

  const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm";
  const card = "min-w-0 rounded-xl border border-stone-200 bg-white p-4 shadow-sm";
  const campus = receipt.enrollmentId ? await campusStatus(db, receipt.enrollmentId) : undefined;
  const campusFailed = Boolean(campus && (campus.accounts.some((a) => a.status === "failed") || campus.deliveries.some((d) => d.status === "failed")));
  const hasActions = pending || canRefund;

  return (
    <div className="space-y-6">
      <Link href="/admin/receipts" className="text-sm text-stone-700 underline-offset-4 hover:underline">
        ← {t("detail.back")}
      </Link>

      <section aria-labelledby="receipt-heading" className={card}>
        <div className="flex flex-wrap items-center gap-3">
          <h1 id="receipt-heading" className="text-2xl font-bold">
            {t("detail.title", { number: receipt.number })}
          </h1>
          <ReceiptStatusBadge status={receipt.status} label={tStatus(receipt.status)} />
          {hasReceiptPdf(receipt.status) && (
            <a
              href={`/admin/receipts/${receipt.id}/pdf`}
              download
              data-testid="receipt-pdf"
              className="rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-50 sm:ml-auto"
            >
              {(await getTranslations("receiptPdf"))("download")}
            </a>
          )}
        </div>
        <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {header.map(([label, value, testId]) => (
            <div key={testId} className="contents">
              <dt className="text-stone-500">{label}</dt>
              <dd className="break-words" data-testid={`receipt-${testId}`}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
      </section>

      {receipt.attention.length > 0 && (
        <section aria-labelledby="attention-heading" className="rounded-xl border border-amber-300 bg-amber-50 p-4" data-testid="attention">
          <h2 id="attention-heading" className="font-semibold text-amber-900">
            {t("attention.heading")}
          </h2>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-amber-900">
            {receipt.attention.map((item) => (
              <li key={item.id} data-kind={item.kind}>
                {t(`attention.kinds.${item.kind}`)} <span className="text-amber-800">({t("attention.since", { date: when(item.createdAt) })})</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="actions-heading" className={card} data-testid="actions">
        <h2 id="actions-heading" className="mb-2 text-lg font-semibold">
          {t("actions.heading")}
        </h2>
        {/* Only the actions this user may take now are handed to the browser. */}
        <ReceiptActions
          actions={{
            resend: pending ? resendLinkAction : undefined,
            manual: pending ? recordManualPaymentAction : undefined,
            cancel: pending && isAdmin ? cancelReceiptAction : undefined,
            refund: canRefund ? refundAction : undefined,
          }}
        >
          {!hasActions && <p className="text-sm text-stone-600">{t("actions.none")}</p>}
          <div className="mt-3 grid gap-6 md:grid-cols-2">
            {pending && (
              <div className="space-y-2">
                <h3 className="font-medium">{t("actions.resend.title")}</h3>
                <p className="text-sm text-stone-600">{t("actions.resend.help", { email: receipt.payerEmail })}</p>
                <ActionForm scope="resend" testId="resend-form">
                  <input type="hidden" name="receiptId" value={receipt.id} />
                </ActionForm>
              </div>
            )}
            {pending && (
              <div className="space-y-2">
                <h3 className="font-medium">{t("actions.manual.title")}</h3>
                <ActionForm scope="manual" testId="manual-form">
                  <input type="hidden" name="receiptId" value={receipt.id} />
                  <div className="space-y-1">
                    <label htmlFor="manual-method" className="block text-sm font-medium">
                      {t("actions.manual.method")}
                    </label>
                    <select id="manual-method" name="method" required defaultValue="cash" className={inputClass}>
                      {manualMethods.map((method) => (
                        <option key={method} value={method}>
                          {t(`methods.${method}`)}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div className="space-y-1">
                    <label htmlFor="manual-note" className="block text-sm font-medium">
                      {t("actions.manual.note")}
                    </label>
                    <input id="manual-note" name="note" maxLength={500} className={inputClass} />
                  </div>
                </ActionForm>
              </div>
            )}
            {pending && isAdmin && (
              <div className="space-y-2">
                <h3 className="font-medium">{t("actions.cancel.title")}</h3>
                <ActionForm scope="cancel" confirm testId="cancel-form">
                  <input type="hidden" name="receiptId" value={receipt.id} />
                  <div className="space-y-1">
                    <label htmlFor="cancel-reason" className="block text-sm font-medium">
                      {t("actions.cancel.reason")}
                    </label>
                    <input id="cancel-reason" name="reason" required maxLength={500} className={inputClass} />
                  </div>
                </ActionForm>
              </div>
            )}
            {canRefund && (
              <div className="space-y-2">
                <h3 className="font-medium">{t("actions.refund.title")}</h3>
                <ActionForm scope="refund" confirm testId="refund-form">
                  <input type="hidden" name="receiptId" value={receipt.id} />
                  {/* A fresh key per rendering: a double submit is one refund, a new page a new one. */}
                  <input type="hidden" name="idempotencyKey" value={randomUUID()} />
                  <div className="space-y-1">
                    <label htmlFor="refund-amount" className="block text-sm font-medium">
                      {t("actions.refund.amount")}
                    </label>
                    <input
                      id="refund-amount"
                      name="amount"
                      required
                      inputMode="decimal"
                      defaultValue={toDecimalString(refundable, receipt.currency).replace(".", locale === "es" ? "," : ".")}
                      aria-describedby="refund-amount-hint"
                      className={inputClass}
                    />
                    <p id="refund-amount-hint" className="text-xs text-stone-500">
                      {t("actions.refund.amountHint", { max: money(refundable) })}
                    </p>
                  </div>
                  <div className="space-y-1">
                    <label htmlFor="refund-reason" className="block text-sm font-medium">
                      {t("actions.refund.reason")}
                    </label>
                    <input id="refund-reason" name="reason" maxLength={500} className={inputClass} />
                  </div>
                </ActionForm>
              </div>
            )}
          </div>
        </ReceiptActions>
      </section>

      {campus && (
        <section aria-labelledby="campus-heading" className={card} data-testid="campus">
          <h2 id="campus-heading" className="text-lg font-semibold">
            {t("actions.campus.title")}
          </h2>
          <p className="mb-2 text-sm text-stone-600">{t("actions.campus.help")}</p>
          {campus.accounts.length === 0 && campus.deliveries.length === 0 ? (
            <p className="text-sm text-stone-600">{t("actions.campus.empty")}</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {campus.accounts.map((account) => (
                <li key={account.id} data-provider={account.provider} data-status={account.status}>
                  <span className="font-medium">{t(`actions.campus.providers.${account.provider}`)}</span>: {t(`actions.campus.status.${account.status}`)}
                  {account.lastError && <span className="block text-red-700">{t("actions.campus.lastError", { error: account.lastError })}</span>}
                </li>
              ))}
              {campus.deliveries.map((delivery) => (
                <li key={delivery.id} data-status={delivery.status}>
                  <span className="font-medium">{delivery.url}</span>:{" "}
                  {t(`actions.campus.status.${delivery.status === "delivered" ? "delivered" : delivery.status === "failed" ? "failed" : "pending"}`)}
                  {delivery.lastError && <span className="block text-red-700">{t("actions.campus.lastError", { error: delivery.lastError })}</span>}
                </li>
              ))}
            </ul>
          )}
          {campusFailed && (
            <div className="mt-3">
              <ReceiptActions actions={{ campus: retryCampusAction }}>
                <ActionForm scope="campus" testId="campus-form">
                  <input type="hidden" name="receiptId" value={receipt.id} />
                </ActionForm>
              </ReceiptActions>
            </div>
          )}
        </section>
      )}

      <section aria-labelledby="timeline-heading" className={card}>
        <h2 id="timeline-heading" className="text-lg font-semibold">
          {t("timeline.heading")}
        </h2>
        {receipt.timeline.length === 0 ? (
          <p className="mt-2 text-sm text-stone-600">{t("timeline.empty")}</p>
        ) : (
          <ol className="mt-3 space-y-3 border-l-2 border-stone-200 pl-4" data-testid="timeline">
            {receipt.timeline.map((entry, index) => (
              <li key={index} data-kind={entry.kind} data-action={entry.action} className="text-sm">
                <p className="font-medium">{timelineLabel(entry)}</p>
                <p className="break-words text-stone-600">
                  <time dateTime={entry.at.toISOString()}>{when(entry.at)}</time>
                  {timelineNotes(entry).map((note, i) => (
                    <span key={i}> · {note}</span>
                  ))}
                </p>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="attempts-heading" className="space-y-2">
        <h2 id="attempts-heading" className="text-lg font-semibold">
          {t("attempts.heading")}
        </h2>
        {receipt.attempts.length === 0 ? (
          <p className="text-sm text-stone-600">{t("attempts.empty")}</p>
        ) : (
          <div className="max-w-full overflow-x-auto rounded-xl border border-stone-200 bg-white" tabIndex={0} aria-labelledby="attempts-heading">
            <table className="w-full min-w-[40rem] text-sm" data-testid="attempts">
              <thead className="bg-stone-50 text-left text-stone-600">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("attempts.columns.createdAt")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("attempts.columns.method")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("attempts.columns.status")}
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    {t("attempts.columns.amount")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("attempts.columns.reference")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("attempts.columns.failure")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {receipt.attempts.map((a) => (
                  <tr key={a.id} className="border-t border-stone-100" data-status={a.status} data-method={a.method}>
                    <td className="whitespace-nowrap px-3 py-2">{when(a.createdAt)}</td>
                    <td className="px-3 py-2">
                      {methodLabel(a.method)}
                      {a.mode !== "live" && <span className="ml-1 text-xs uppercase text-violet-700">{a.mode}</span>}
                    </td>
                    <td className="px-3 py-2">{t(`attemptStatus.${a.status}`)}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{money(a.amount, a.currency)}</td>
                    <td className="break-all px-3 py-2 font-mono text-xs">{a.providerPaymentRef ?? a.providerRef ?? ""}</td>
                    <td className="px-3 py-2 text-xs">{a.failureCode ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="refunds-heading" className="space-y-2">
        <h2 id="refunds-heading" className="text-lg font-semibold">
          {t("refunds.heading")}
        </h2>
        {receipt.refunds.length === 0 ? (
          <p className="text-sm text-stone-600">{t("refunds.empty")}</p>
        ) : (
          <div className="max-w-full overflow-x-auto rounded-xl border border-stone-200 bg-white" tabIndex={0} aria-labelledby="refunds-heading">
            <table className="w-full min-w-[36rem] text-sm" data-testid="refunds">
              <thead className="bg-stone-50 text-left text-stone-600">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("refunds.columns.createdAt")}
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    {t("refunds.columns.amount")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("refunds.columns.status")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("refunds.columns.reason")}
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    {t("refunds.columns.by")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {receipt.refunds.map((r) => (
                  <tr key={r.id} className="border-t border-stone-100" data-status={r.status}>
                    <td className="whitespace-nowrap px-3 py-2">{when(r.createdAt)}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{money(r.amount, r.currency)}</td>
                    <td className="px-3 py-2">{t(`refundStatus.${r.status}`)}</td>
                    <td className="px-3 py-2">{r.reason ?? ""}</td>
                    <td className="px-3 py-2">{r.createdByName ?? t(`timeline.sources.${r.source}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
