// The emails the academy sends, in Spanish and English: what each one says (its copy lives in the
// message files, namespace `email`) and their rendering to a subject, a plain-text body and a
// simple inline-styled HTML body. Every message carries the academy's identity (name, legal name,
// tax id, address, contact). Every interpolated value is HTML-escaped, and links must be http(s),
// so data typed by a payer cannot inject markup or a javascript: link.
import type { PaymentMethod } from "@/db/queries/messages";
import type { Academy } from "@/lib/settings/schemas";
import { formattingLocale, type Locale } from "@/lib/i18n/config";
import { serverTranslator, type Messages } from "@/lib/i18n/translator";
import { formatMoney } from "@/lib/money";

export type { PaymentMethod };

export type AcademyIdentity = Pick<Academy, "name" | "legalName" | "taxId" | "address" | "postcode" | "city" | "email" | "phone" | "website" | "timeZone">;

export type ReminderStage = "upcoming" | "due_today" | "overdue";

/** A calendar date as PostgreSQL's `date` gives it: YYYY-MM-DD. */
type IsoDate = string;

type Amount = { amount: number; currency: string };

export type TemplateData = {
  payment_link: Amount & {
    recipientName?: string;
    concept: string;
    dueDate: IsoDate;
    link: string;
    /** When the link stops working; shown so the payer is not surprised. */
    linkExpiresAt?: Date;
  };
  payment_received: Amount & {
    recipientName?: string;
    concept: string;
    method: PaymentMethod;
    paidAt: Date;
    receiptNumber: string;
    /** Where the receipt PDF can be downloaded. */
    receiptLink?: string;
    /** Say that the receipt PDF is attached (the deliverer attaches it, see `attachmentsFor`). */
    receiptAttached?: boolean;
  };
  payment_failed: Amount & {
    recipientName?: string;
    concept: string;
    retryLink: string;
    /** The provider's reason in plain words, when there is one worth showing. */
    reason?: string;
  };
  reminder: Amount & {
    recipientName?: string;
    concept: string;
    dueDate: IsoDate;
    stage: ReminderStage;
    link: string;
  };
  enrollment_confirmed: {
    recipientName?: string;
    studentName: string;
    course: string;
    startDate: IsoDate;
    schedule: string;
  };
  /** A payment that came after its enrollment was cancelled, with no seat left, was returned. */
  late_payment_refunded: Amount & {
    recipientName?: string;
    concept: string;
  };
  /** To staff: receipts that became overdue in one run of the reminders job. */
  overdue_digest: {
    recipientName?: string;
    receipts: (Amount & { number: string; payerName: string; concept: string; dueDate: IsoDate })[];
    /** The dashboard's receipts list. */
    dashboardLink: string;
  };
  /** The seat held for a payment was released because the payment did not arrive in time. */
  hold_expired: {
    recipientName?: string;
    studentName: string;
    course: string;
    /** Where to enroll again (the course's wizard). */
    enrollLink: string;
  };
};

export type TemplateName = keyof TemplateData;
export const templateNames = [
  "payment_link",
  "payment_received",
  "payment_failed",
  "reminder",
  "enrollment_confirmed",
  "hold_expired",
  "late_payment_refunded",
  "overdue_digest",
] as const satisfies readonly TemplateName[];

export type MailAttachment = { filename: string; contentType: string; content: Buffer };

export type RenderedMail = {
  subject: string;
  text: string;
  html: string;
  /** Files to send along; the outbox does not store them (see `attachmentsFor` in outbox.ts). */
  attachments?: MailAttachment[];
};

// ---------------------------------------------------------------------------------------------
// Copy: the `email` namespace of the message files (lib/i18n/messages), in ICU syntax. Values are
// passed already formatted for the locale and come back as plain text: the HTML renderer escapes
// every block as a whole, so no message may contain markup.

const translators = { es: serverTranslator("es", "email"), en: serverTranslator("en", "email") };
type EmailTranslator = (typeof translators)[Locale];

/** The e-mail copy of one language, as the message files hold it. */
export type EmailMessages = Messages["email"];

// ---------------------------------------------------------------------------------------------
// What each template says, as plain text blocks; `render` turns them into text and HTML.

type Content = {
  subject: string;
  /** Paragraphs before the details table. */
  intro: string[];
  details: [label: string, value: string][];
  action?: { label: string; url: string };
  /** Paragraphs after the button. */
  outro: string[];
};

type Context = { t: EmailTranslator; locale: Locale; academy: AcademyIdentity };

const builders: { [K in TemplateName]: (data: TemplateData[K], ctx: Context) => Content } = {
  payment_link(d, { t, locale, academy }) {
    const amount = money(d, locale);
    const dueDate = formatDate(d.dueDate, locale);
    const details: Content["details"] = [
      [t("labels.concept"), d.concept],
      [t("labels.amount"), amount],
      [t("labels.dueDate"), dueDate],
    ];
    if (d.linkExpiresAt) details.push([t("labels.linkExpires"), formatDateTime(d.linkExpiresAt, locale, academy.timeZone)]);
    return {
      subject: t("payment_link.subject", { concept: d.concept }),
      intro: [t("payment_link.intro", { concept: d.concept, amount, dueDate })],
      details,
      action: { label: t("payment_link.action", { amount }), url: checkedLink(d.link) },
      outro: [t("payment_link.note")],
    };
  },
  payment_received(d, { t, locale, academy }) {
    const amount = money(d, locale);
    return {
      subject: t("payment_received.subject", { concept: d.concept }),
      intro: [t("payment_received.intro", { concept: d.concept, amount })],
      details: [
        [t("labels.receiptNumber"), d.receiptNumber],
        [t("labels.concept"), d.concept],
        [t("labels.amount"), amount],
        [t("labels.method"), t(`methods.${d.method}`)],
        [t("labels.paidAt"), formatDateTime(d.paidAt, locale, academy.timeZone)],
      ],
      action: d.receiptLink ? { label: t("payment_received.download"), url: checkedLink(d.receiptLink) } : undefined,
      outro: d.receiptAttached ? [t("payment_received.attached")] : [],
    };
  },
  payment_failed(d, { t, locale }) {
    const amount = money(d, locale);
    const details: Content["details"] = [
      [t("labels.concept"), d.concept],
      [t("labels.amount"), amount],
    ];
    if (d.reason) details.push([t("labels.reason"), d.reason]);
    return {
      subject: t("payment_failed.subject", { concept: d.concept }),
      intro: [t("payment_failed.intro", { concept: d.concept, amount }), t("payment_failed.next")],
      details,
      action: { label: t("payment_failed.action"), url: checkedLink(d.retryLink) },
      outro: [],
    };
  },
  reminder(d, { t, locale }) {
    const amount = money(d, locale);
    const dueDate = formatDate(d.dueDate, locale);
    return {
      subject: t(`reminder.subject.${d.stage}`, { concept: d.concept, dueDate }),
      intro: [t(`reminder.intro.${d.stage}`, { concept: d.concept, amount, dueDate })],
      details: [
        [t("labels.concept"), d.concept],
        [t("labels.amount"), amount],
        [t("labels.dueDate"), dueDate],
      ],
      action: { label: t("reminder.action"), url: checkedLink(d.link) },
      outro: [t("reminder.alreadyPaid")],
    };
  },
  enrollment_confirmed(d, { t, locale, academy }) {
    return {
      subject: t("enrollment_confirmed.subject", { course: d.course }),
      intro: [t("enrollment_confirmed.intro", { student: d.studentName, course: d.course })],
      details: [
        [t("labels.student"), d.studentName],
        [t("labels.course"), d.course],
        [t("labels.startDate"), formatDate(d.startDate, locale)],
        [t("labels.schedule"), d.schedule],
      ],
      outro: [t("enrollment_confirmed.outro", { email: academy.email })],
    };
  },
  late_payment_refunded(d, { t, locale, academy }) {
    const amount = money(d, locale);
    return {
      subject: t("late_payment_refunded.subject", { concept: d.concept }),
      intro: [t("late_payment_refunded.intro", { concept: d.concept, amount })],
      details: [
        [t("labels.concept"), d.concept],
        [t("labels.amount"), amount],
      ],
      outro: [t("late_payment_refunded.outro", { email: academy.email })],
    };
  },
  overdue_digest(d, { t, locale }) {
    const count = d.receipts.length;
    return {
      subject: t("overdue_digest.subject", { count }),
      intro: [t("overdue_digest.intro", { count })],
      details: d.receipts.map((r) => [
        t("overdue_digest.receipt", { number: r.number, payer: r.payerName }),
        t("overdue_digest.row", { concept: r.concept, amount: money(r, locale), dueDate: formatDate(r.dueDate, locale) }),
      ]),
      action: { label: t("overdue_digest.action"), url: checkedLink(d.dashboardLink) },
      outro: [],
    };
  },
  hold_expired(d, { t, academy }) {
    return {
      subject: t("hold_expired.subject", { course: d.course }),
      intro: [t("hold_expired.intro", { student: d.studentName, course: d.course })],
      details: [
        [t("labels.student"), d.studentName],
        [t("labels.course"), d.course],
      ],
      action: { label: t("hold_expired.action"), url: checkedLink(d.enrollLink) },
      outro: [t("hold_expired.outro", { email: academy.email })],
    };
  },
};

/** Renders one template in one language, with the academy's identity in header and footer. */
export function renderTemplate<T extends TemplateName>(template: T, locale: Locale, data: TemplateData[T], academy: AcademyIdentity): RenderedMail {
  const t = translators[locale];
  const build: (data: TemplateData[T], ctx: Context) => Content = builders[template];
  const content = build(data, { t, locale, academy });
  const name = data.recipientName?.trim();
  const greeting = name ? t("greeting.named", { name }) : t("greeting.anonymous");
  // A newline in a subject would be folded into the header by the mailer; keep it one line.
  const subject = oneLine(t("subject", { subject: content.subject, academy: academy.name }));
  return {
    subject,
    text: renderText(content, greeting, t, academy),
    html: renderHtml(content, subject, greeting, t, locale, academy),
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering.

function footerLines(t: EmailTranslator, academy: AcademyIdentity): string[] {
  const contact = [academy.email, academy.phone, academy.website].filter((v) => v.trim() !== "");
  const place = [academy.address, [academy.postcode, academy.city].filter(Boolean).join(" ")].filter((v) => v.trim() !== "");
  return [
    t("footer.legal", { legalName: academy.legalName, taxId: academy.taxId }),
    place.join(", "),
    contact.join(" · "),
    t("footer.why", { academy: academy.name }),
  ].filter((line) => line.trim() !== "");
}

function renderText(content: Content, greeting: string, t: EmailTranslator, academy: AcademyIdentity): string {
  const blocks: string[] = [greeting, ...content.intro];
  if (content.details.length) blocks.push(content.details.map(([label, value]) => t("detail", { label, value })).join("\n"));
  if (content.action) blocks.push(t("actionLink", { label: content.action.label, url: content.action.url }));
  blocks.push(...content.outro);
  blocks.push(`${t("signOff")}\n${academy.name}`);
  blocks.push(`--\n${footerLines(t, academy).join("\n")}`);
  return `${blocks.join("\n\n")}\n`;
}

const font = "font-family:Arial,Helvetica,sans-serif;";
const paragraph = `margin:0 0 16px;${font}font-size:16px;line-height:1.5;color:#1f2937;`;

function renderHtml(content: Content, subject: string, greeting: string, t: EmailTranslator, locale: Locale, academy: AcademyIdentity): string {
  const p = (text: string) => `<p style="${paragraph}">${escapeHtml(text)}</p>`;
  const rows = content.details
    .map(
      ([label, value]) =>
        `<tr><th scope="row" style="text-align:left;vertical-align:top;padding:6px 12px 6px 0;${font}font-size:15px;font-weight:normal;color:#4b5563;">${escapeHtml(label)}</th>` +
        `<td style="padding:6px 0;${font}font-size:15px;font-weight:bold;color:#111827;">${escapeHtml(value)}</td></tr>`,
    )
    .join("");
  const action = content.action
    ? `<p style="margin:24px 0 8px;"><a href="${escapeHtml(content.action.url)}" style="display:inline-block;background:#1d4ed8;color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:6px;${font}font-size:16px;font-weight:bold;">${escapeHtml(content.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;${font}font-size:13px;line-height:1.5;color:#4b5563;">${escapeHtml(t("buttonFallback"))}<br><a href="${escapeHtml(content.action.url)}" style="color:#1d4ed8;word-break:break-all;">${escapeHtml(content.action.url)}</a></p>`
    : "";
  const footer = footerLines(t, academy).map(escapeHtml).join("<br>");
  return [
    "<!doctype html>",
    `<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f4f4f5;">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;"><tr><td align="center" style="padding:24px 12px;">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;">`,
    `<tr><td style="padding:24px 28px 8px;${font}font-size:20px;font-weight:bold;color:#111827;">${escapeHtml(academy.name)}</td></tr>`,
    `<tr><td style="padding:8px 28px 8px;">`,
    p(greeting),
    ...content.intro.map(p),
    rows ? `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 16px;">${rows}</table>` : "",
    action,
    ...content.outro.map(p),
    `<p style="${paragraph}">${escapeHtml(t("signOff"))}<br>${escapeHtml(academy.name)}</p>`,
    `</td></tr>`,
    `<tr><td style="padding:16px 28px 24px;border-top:1px solid #e5e7eb;${font}font-size:12px;line-height:1.6;color:#6b7280;">${footer}</td></tr>`,
    `</table></td></tr></table></body></html>`,
  ].join("\n");
}

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

/** Only http(s) links go into a button: a javascript: or data: URL in an email is an attack. */
function checkedLink(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Not a URL for an email link: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new TypeError(`Email links must be http(s), got ${parsed.protocol}`);
  return parsed.toString();
}

function money(amount: Amount, locale: Locale): string {
  return formatMoney(amount.amount, amount.currency, formattingLocale[locale]);
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = dateFormatters.get(key);
  if (!f) {
    f = make();
    dateFormatters.set(key, f);
  }
  return f;
}

/** "2027-03-05" → "5 de marzo de 2027" / "5 March 2027". A calendar date has no time zone to shift it. */
export function formatDate(isoDate: IsoDate, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw new TypeError(`Expected a YYYY-MM-DD date, got ${JSON.stringify(isoDate)}`);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  const f = formatter(`d|${locale}`, () => new Intl.DateTimeFormat(formattingLocale[locale], { dateStyle: "long", timeZone: "UTC" }));
  return f.format(date);
}

/** An instant shown in the academy's time zone: "5 de marzo de 2027 a las 10:15". */
export function formatDateTime(at: Date, locale: Locale, timeZone: string): string {
  const f = formatter(`dt|${locale}|${timeZone}`, () => new Intl.DateTimeFormat(formattingLocale[locale], { dateStyle: "long", timeStyle: "short", timeZone }));
  return f.format(at);
}
