// "Needs attention": what the payment path could not settle by itself, grouped by kind, each with
// its evidence (amounts asked and paid, provider references, the receipt) and the action that
// resolves it; resolved items in a second tab with who resolved them and how.
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { z } from "zod";
import { ReceiptStatusBadge } from "@/components/admin/receipt-status-badge";
import { getDb } from "@/db/client";
import { countOpenAttention, listAttentionItems, type AttentionRow } from "@/db/queries/dashboard-attention";
import { attentionKind } from "@/db/schema";
import { requireStaff } from "@/lib/auth/guard";
import { defaultLocale, formattingLocale, isLocale } from "@/lib/i18n/config";
import { formatMoney } from "@/lib/money";
import { getAcademy } from "@/lib/settings/read";
import { decodeCursor, encodeCursor, firstValue, hrefWith } from "../enrollments/cursor";
import { EnrollmentStatusBadge } from "../enrollments/enrollment-status-badge";
import { OutcomeAnnouncer } from "../enrollments/outcome-announcer";
import { PeopleActionForm } from "../enrollments/people-action-form";
import { confirmFromAttentionAction, refundExtraPaymentAction, resolveAttentionAction, retrySideEffectAction } from "./actions";

const PAGE_SIZE = 50;
const cursorSchema = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

export async function generateMetadata() {
  const t = await getTranslations("attention");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AttentionPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireStaff();
  const raw = await searchParams;
  const tab = firstValue(raw.tab) === "resolved" ? "resolved" : "open";
  const after = decodeCursor(raw.after, cursorSchema);
  const db = await getDb();
  const [page, openCounts, academy] = await Promise.all([
    listAttentionItems(db, { state: tab, after: after ? { at: after[0], id: after[1] } : undefined, limit: PAGE_SIZE }),
    countOpenAttention(db),
    getAcademy(db),
  ]);
  const timeZone = academy?.timeZone ?? "Europe/Madrid";
  const t = await getTranslations("attention");
  const tReceipt = await getTranslations("receiptStatus");
  const tEnrollment = await getTranslations("enrollments.status");
  const format = await getFormatter();
  const locale = await getLocale();
  const numberLocale = formattingLocale[isLocale(locale) ? locale : defaultLocale];
  const money = (amount: number, currency: string) => formatMoney(amount, currency, numberLocale);
  const when = (at: Date) => format.dateTime(at, { dateStyle: "medium", timeStyle: "short", timeZone });
  const isAdmin = user.role === "admin";
  const openTotal = openCounts.reduce((sum, c) => sum + c.count, 0);
  const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm";

  /** The evidence as label/value pairs: amounts as money, references as code. */
  function evidence(row: AttentionRow): [string, string][] {
    const e = row.evidence;
    const out: [string, string][] = [];
    const isMoney = (v: unknown): v is { amount: number; currency: string } =>
      typeof v === "object" &&
      v !== null &&
      typeof (v as { amount?: unknown }).amount === "number" &&
      typeof (v as { currency?: unknown }).currency === "string";
    if (isMoney(e.asked)) out.push([t("evidence.asked"), money(e.asked.amount, e.asked.currency)]);
    if (isMoney(e.paid)) out.push([t("evidence.paid"), money(e.paid.amount, e.paid.currency)]);
    if (typeof e.amount === "number" && Number.isSafeInteger(e.amount))
      out.push([t("evidence.amount"), money(e.amount, typeof e.currency === "string" ? e.currency : (row.receiptCurrency ?? "EUR"))]);
    if (typeof e.provider === "string") out.push([t("evidence.provider"), e.provider]);
    if (typeof e.paymentRef === "string") out.push([t("evidence.paymentRef"), e.paymentRef]);
    if (typeof e.refundRef === "string") out.push([t("evidence.refundRef"), e.refundRef]);
    if (typeof e.eventId === "string") out.push([t("evidence.eventId"), e.eventId]);
    if (typeof e.reason === "string") out.push([t("evidence.reason"), e.reason]);
    if (typeof e.error === "string") out.push([t("evidence.error"), e.error]);
    // Two versions of one person (a document with other contact details): both, side by side.
    const person = (p: unknown) => {
      const v = (p ?? {}) as Record<string, unknown>;
      return [v.name, v.email, v.phone, v.birthDate, v.city].filter((x): x is string => typeof x === "string" && x !== "").join(" · ");
    };
    if (typeof e.document === "string") out.push([t("evidence.document"), e.document]);
    if (Array.isArray(e.existing)) for (const p of e.existing) out.push([t("evidence.existing"), person(p)]);
    if (e.submitted && typeof e.submitted === "object") out.push([t("evidence.submitted"), person(e.submitted)]);
    if (row.attemptId && row.attemptAmount !== null && row.attemptCurrency) {
      out.push([
        t("evidence.attempt"),
        `${row.attemptMethod ?? ""} · ${money(row.attemptAmount, row.attemptCurrency)}${row.attemptRef ? ` · ${row.attemptRef}` : ""}`,
      ]);
    }
    if (row.refundStatus) out.push([t("evidence.refund"), t(`refundStatus.${row.refundStatus}`)]);
    return out;
  }

  function resolveForm(row: AttentionRow, resolution: "resolved" | "acknowledged") {
    const noteRequired = resolution === "resolved";
    return (
      <PeopleActionForm
        action={resolveAttentionAction}
        submitLabel={t(`actions.${resolution}.submit`)}
        doneLabel={t(`actions.${resolution}.done`)}
        variant="secondary"
        testId={`${resolution}-${row.id}`}
      >
        <input type="hidden" name="itemId" value={row.id} />
        <input type="hidden" name="resolution" value={resolution} />
        <div className="space-y-1">
          <label htmlFor={`${resolution}-note-${row.id}`} className="block text-sm font-medium">
            {t(noteRequired ? "actions.resolved.note" : "actions.acknowledged.note")}
          </label>
          <input
            id={`${resolution}-note-${row.id}`}
            name="note"
            required={noteRequired}
            minLength={noteRequired ? 3 : undefined}
            maxLength={500}
            className={inputClass}
          />
        </div>
      </PeopleActionForm>
    );
  }

  function actionsFor(row: AttentionRow): React.ReactNode[] {
    const forms: React.ReactNode[] = [];
    const paidOnline = row.attemptProvider !== null && row.attemptProvider !== "manual" && row.attemptStatus === "succeeded";
    if (
      (row.kind === "double_payment" || row.kind === "payment_on_cancelled") &&
      paidOnline &&
      row.refundStatus !== "succeeded" &&
      row.refundStatus !== "pending"
    ) {
      forms.push(
        isAdmin ? (
          <div key="refund" className="min-w-0 space-y-1">
            <p className="text-sm text-stone-700">{t("actions.refund.help", { amount: money(row.attemptAmount ?? 0, row.attemptCurrency ?? "EUR") })}</p>
            <PeopleActionForm
              action={refundExtraPaymentAction}
              submitLabel={t("actions.refund.submit")}
              doneLabel={t("actions.refund.done")}
              confirmText={t("actions.refund.confirm", { amount: money(row.attemptAmount ?? 0, row.attemptCurrency ?? "EUR") })}
              variant="danger"
              testId={`refund-${row.id}`}
            >
              <input type="hidden" name="itemId" value={row.id} />
            </PeopleActionForm>
          </div>
        ) : (
          <p key="refund" className="text-sm text-stone-600" data-testid={`refund-admin-only-${row.id}`}>
            {t("actions.refund.adminOnly")}
          </p>
        ),
      );
    }
    if (row.kind === "side_effect_failed" && row.enrollmentId) {
      forms.push(
        <PeopleActionForm
          key="retry"
          action={retrySideEffectAction}
          submitLabel={t("actions.retry.submit")}
          doneLabel={t("actions.retry.done")}
          testId={`retry-${row.id}`}
        >
          <input type="hidden" name="itemId" value={row.id} />
        </PeopleActionForm>,
      );
    }
    if (row.kind === "paid_not_confirmed" && row.enrollmentId && row.enrollmentStatus !== "confirmed") {
      forms.push(
        <PeopleActionForm
          key="confirm"
          action={confirmFromAttentionAction}
          submitLabel={t("actions.confirm.submit")}
          doneLabel={t("actions.confirm.done")}
          testId={`confirm-${row.id}`}
        >
          <input type="hidden" name="itemId" value={row.id} />
        </PeopleActionForm>,
      );
    }
    if (row.kind === "refund_at_provider") forms.push(<div key="ack">{resolveForm(row, "acknowledged")}</div>);
    forms.push(<div key="resolve">{resolveForm(row, "resolved")}</div>);
    return forms;
  }

  function card(row: AttentionRow) {
    return (
      <li
        key={row.id}
        className="min-w-0 rounded-xl border border-stone-200 bg-white p-4 text-sm shadow-sm"
        data-testid="attention-item"
        data-item-id={row.id}
        data-kind={row.kind}
      >
        <div className="flex flex-wrap items-center justify-between gap-2">
          {row.receiptId ? (
            <Link href={`/admin/receipts/${row.receiptId}`} className="font-semibold text-brand-700 underline-offset-4 hover:underline">
              {t("receipt", { number: row.receiptNumber ?? "" })}
            </Link>
          ) : (
            <span className="font-semibold">{t(`kinds.${row.kind}`)}</span>
          )}
          <span className="text-stone-600">{when(row.createdAt)}</span>
        </div>
        <p className="mt-1 flex flex-wrap items-center gap-2">
          {row.studentId && (
            <Link href={`/admin/students/${row.studentId}`} className="underline-offset-4 hover:underline">
              {row.studentName}
            </Link>
          )}
          {row.receiptStatus && row.receiptAmount !== null && row.receiptCurrency && (
            <>
              <span className="tabular-nums">{money(row.receiptAmount, row.receiptCurrency)}</span>
              <ReceiptStatusBadge status={row.receiptStatus} label={tReceipt(row.receiptStatus)} />
            </>
          )}
          {row.enrollmentStatus && <EnrollmentStatusBadge status={row.enrollmentStatus} label={tEnrollment(row.enrollmentStatus)} />}
        </p>
        <p className="mt-2 text-stone-700">{t(`explain.${row.kind}`)}</p>
        {evidence(row).length > 0 && (
          <dl className="mt-2 grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]" data-testid="evidence">
            {evidence(row).map(([label, value]) => (
              <div key={label} className="contents">
                <dt className="text-stone-500">{label}</dt>
                <dd className="break-all font-mono text-xs sm:text-sm">{value}</dd>
              </div>
            ))}
          </dl>
        )}
        {tab === "open" ? (
          <div className="mt-3 grid gap-4 border-t border-stone-100 pt-3 md:grid-cols-2">{actionsFor(row)}</div>
        ) : (
          <p className="mt-3 border-t border-stone-100 pt-3 text-stone-700" data-testid="resolution">
            {t("resolvedBy", { date: row.resolvedAt ? when(row.resolvedAt) : "", name: row.resolvedByName ?? t("system") })}
            {row.resolution && <span className="block break-words">{t("resolution", { text: row.resolution })}</span>}
          </p>
        )}
      </li>
    );
  }

  const groups = attentionKind.enumValues.map((kind) => ({ kind, rows: page.rows.filter((r) => r.kind === kind) })).filter((g) => g.rows.length > 0);
  const tabClass = (active: boolean) =>
    `rounded-t-md border-b-2 px-3 py-2 text-sm ${active ? "border-brand-600 font-semibold text-brand-700" : "border-transparent text-stone-700 hover:underline"}`;

  return (
    <OutcomeAnnouncer>
      <div className="space-y-6">
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <nav aria-label={t("tabs.label")} className="flex flex-wrap gap-2 border-b border-stone-200">
          <Link href="/admin/attention" aria-current={tab === "open" ? "page" : undefined} className={tabClass(tab === "open")} data-testid="tab-open">
            {t("tabs.open", { count: openTotal })}
          </Link>
          <Link
            href="/admin/attention?tab=resolved"
            aria-current={tab === "resolved" ? "page" : undefined}
            className={tabClass(tab === "resolved")}
            data-testid="tab-resolved"
          >
            {t("tabs.resolved")}
          </Link>
        </nav>

        {tab === "open" && openCounts.length > 0 && (
          <ul className="flex flex-wrap gap-2 text-sm" aria-label={t("summary")}>
            {openCounts.map((c) => (
              <li key={c.kind}>
                <a
                  href={`#kind-${c.kind}`}
                  className="inline-block rounded-full bg-amber-50 px-3 py-1 text-amber-900 ring-1 ring-amber-200 hover:underline"
                  data-testid="kind-count"
                  data-kind={c.kind}
                  data-count={c.count}
                >
                  {t(`kinds.${c.kind}`)}: {c.count}
                </a>
              </li>
            ))}
          </ul>
        )}

        {page.rows.length === 0 ? (
          <p className="text-stone-600" data-testid="attention-empty">
            {t(tab === "open" ? "emptyOpen" : "emptyResolved")}
          </p>
        ) : tab === "open" ? (
          groups.map((group) => (
            <section
              key={group.kind}
              id={`kind-${group.kind}`}
              aria-labelledby={`kind-heading-${group.kind}`}
              className="space-y-3"
              data-testid="attention-group"
              data-kind={group.kind}
            >
              <h2 id={`kind-heading-${group.kind}`} className="text-lg font-semibold">
                {t(`kinds.${group.kind}`)}
              </h2>
              <ul className="space-y-3">{group.rows.map(card)}</ul>
            </section>
          ))
        ) : (
          <ul className="space-y-3">{page.rows.map(card)}</ul>
        )}

        {(after || page.next) && (
          <nav aria-label={t("pagination")} className="flex flex-wrap justify-between gap-3 text-sm">
            {after ? (
              <Link href={hrefWith("/admin/attention", { tab: tab === "resolved" ? "resolved" : undefined })} className="underline-offset-4 hover:underline">
                {t("first")}
              </Link>
            ) : (
              <span />
            )}
            {page.next && (
              <Link
                href={hrefWith("/admin/attention", { tab: tab === "resolved" ? "resolved" : undefined, after: encodeCursor([page.next.at, page.next.id]) })}
                rel="next"
                className="font-semibold text-brand-700 underline-offset-4 hover:underline"
              >
                {t("next")}
              </Link>
            )}
          </nav>
        )}
      </div>
    </OutcomeAnnouncer>
  );
}
