// The receipt PDF ("recibo"): proof that the academy received a payment. `renderReceiptPdf` is
// pure (data in, bytes out, the same bytes for the same data); `receiptPdfData` loads what it
// prints. Only a paid receipt has one (also after a refund, which it then shows): a pending or
// cancelled receipt proves no payment, so the loader returns undefined and the routes answer 404.
//
// One A4 page in Spanish, or in English when the student's language is English; the copy is the
// `pdf` namespace of the message files. It uses the PDF standard fonts (Helvetica, WinAnsi
// encoding), which cover Spanish and the other Western European languages and the € sign with
// nothing to embed; a character outside that set (e.g. a name in Cyrillic) is printed without its
// accent when it has one, or as "?" (see `winAnsiText`).
import "server-only";
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from "pdf-lib";
import type { DbOrTx } from "@/db/client";
import { getReceiptForPdf } from "@/db/queries/receipt-pdf";
import type { Academy } from "@/lib/settings/schemas";
import { formattingLocale, isLocale, defaultLocale, type Locale } from "@/lib/i18n/config";
import { serverTranslator } from "@/lib/i18n/translator";
import type { PaymentMethod } from "@/lib/messaging/templates";
import { formatMoney } from "@/lib/money";
import { getAcademyOrProvisional } from "@/lib/settings/read";

export type ReceiptPdfAcademy = Pick<Academy, "name" | "legalName" | "taxId" | "address" | "postcode" | "city" | "email" | "phone" | "website" | "timeZone">;

/** The receipt statuses that prove a payment and so have a PDF. */
export const receiptPdfStatuses = ["paid", "partially_refunded", "refunded"] as const;
export type ReceiptPdfStatus = (typeof receiptPdfStatuses)[number];

export function hasReceiptPdf(status: string): status is ReceiptPdfStatus {
  return (receiptPdfStatuses as readonly string[]).includes(status);
}

export type DocumentKind = "dni" | "nie" | "passport" | "other";

export type ReceiptPdfData = {
  locale: Locale;
  academy: ReceiptPdfAcademy;
  receipt: {
    number: string;
    concept: string;
    /** YYYY-MM for a monthly fee; null otherwise. */
    period: string | null;
    /** What was owed and paid, in minor units. */
    amount: number;
    /** What a discount took off before `amount` (minor units); 0 when none. */
    discountAmount: number;
    currency: string;
    status: ReceiptPdfStatus;
    issuedAt: Date;
    paidAt: Date;
    method: PaymentMethod | null;
    refundedAmount: number;
  };
  payer: { name: string; email: string; document: string | null };
  student: { name: string; document: { kind: DocumentKind; number: string } | null };
};

/**
 * recibo-2026-000123.pdf, or receipt-2026-000123.pdf in English. Characters that are unsafe in a
 * file name (or in the Content-Disposition header that carries it) become "-".
 */
export function receiptPdfFilename(number: string, locale: Locale = defaultLocale): string {
  return translators[locale]("filename", { number }).replace(/[^A-Za-z0-9._-]+/g, "-");
}

/** What the PDF of a receipt prints, or undefined when the receipt does not exist or proves no payment. */
export async function receiptPdfData(db: DbOrTx, receiptId: string): Promise<ReceiptPdfData | undefined> {
  const row = await getReceiptForPdf(db, receiptId);
  if (!row || !hasReceiptPdf(row.status) || !row.paidAt) return undefined;
  const academy = await getAcademyOrProvisional(db);
  return {
    locale: isLocale(row.studentLocale) ? row.studentLocale : defaultLocale,
    academy,
    receipt: {
      number: row.number,
      concept: row.concept,
      period: row.period,
      amount: row.amount,
      discountAmount: row.discountAmount,
      currency: row.currency,
      status: row.status,
      issuedAt: row.issuedAt,
      paidAt: row.paidAt,
      method: row.paidMethod,
      refundedAmount: row.refundedAmount,
    },
    payer: { name: row.payerName, email: row.payerEmail, document: row.payerDocument },
    student: {
      name: `${row.studentFirstName} ${row.studentLastName}`.trim(),
      document: row.studentDocumentType && row.studentDocumentNumber ? { kind: row.studentDocumentType, number: row.studentDocumentNumber } : null,
    },
  };
}

/** The PDF of a receipt, or undefined (see receiptPdfData). */
export async function loadReceiptPdf(db: DbOrTx, receiptId: string): Promise<{ filename: string; bytes: Uint8Array } | undefined> {
  const data = await receiptPdfData(db, receiptId);
  if (!data) return undefined;
  return { filename: receiptPdfFilename(data.receipt.number, data.locale), bytes: await renderReceiptPdf(data) };
}

// ---------------------------------------------------------------------------------------------
// Copy: the `pdf` namespace of the message files (lib/i18n/messages), in ICU syntax.

const translators = { es: serverTranslator("es", "pdf"), en: serverTranslator("en", "pdf") };

// ---------------------------------------------------------------------------------------------
// Formatting.

function money(amount: number, currency: string, locale: Locale): string {
  return formatMoney(amount, currency, formattingLocale[locale]);
}

/** An instant as a date in the academy's time zone: "27 de noviembre de 2026". */
function longDate(at: Date, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(formattingLocale[locale], { dateStyle: "long", timeZone }).format(at);
}

/** "27 de noviembre de 2026, 14:05" in the academy's time zone. */
function longDateTime(at: Date, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(formattingLocale[locale], { dateStyle: "long", timeStyle: "short", timeZone }).format(at);
}

/** "2026-11" → "Noviembre de 2026" / "November 2026". */
export function formatPeriod(period: string, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})$/.exec(period);
  if (!match) return period;
  const text = new Intl.DateTimeFormat(formattingLocale[locale], { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 15)),
  );
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Text the standard fonts can print: spaces Intl uses that WinAnsi lacks (narrow no-break space
 * in times and amounts) become a no-break space; a letter the encoding lacks loses its accent
 * when that helps (ł stays ?, ő → o), anything else becomes "?". Control characters become spaces.
 */
export function winAnsiText(text: string, supported: ReadonlySet<number>): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (supported.has(code)) out += ch;
    else if (code === 0x202f || code === 0x2009 || code === 0x2007) out += "\u00a0";
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029) out += " ";
    else {
      const base = ch.normalize("NFD").replace(/\p{M}/gu, "");
      out += base !== ch && [...base].every((c) => supported.has(c.codePointAt(0)!)) ? base : "?";
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Drawing.

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 56;
const colors = {
  // The app's palette (app/globals.css and Tailwind's stone and emerald): one brand on screen and paper.
  ink: rgb(0.11, 0.098, 0.09), // stone-900 #1c1917
  text: rgb(0.161, 0.145, 0.141), // stone-800 #292524
  muted: rgb(0.471, 0.443, 0.424), // stone-500 #78716c
  rule: rgb(0.906, 0.898, 0.894), // stone-200 #e7e5e4
  panel: rgb(0.98, 0.98, 0.976), // stone-50 #fafaf9
  accent: rgb(0.573, 0.251, 0.055), // brand-700 #92400e
  accentSoft: rgb(1, 0.973, 0.922), // brand-50 #fff8eb
  ok: rgb(0.016, 0.471, 0.341), // emerald-700 #047857
  okSoft: rgb(0.925, 0.992, 0.961), // emerald-50 #ecfdf5
  warn: rgb(0.706, 0.325, 0.035), // #b45309
  warnSoft: rgb(1, 0.984, 0.922), // #fffbeb
};

type Fonts = { regular: PDFFont; bold: PDFFont; charset: ReadonlySet<number> };

class Canvas {
  constructor(
    readonly page: PDFPage,
    readonly fonts: Fonts,
  ) {}

  clean(text: string): string {
    return winAnsiText(text, this.fonts.charset);
  }

  width(text: string, size: number, bold = false): number {
    return (bold ? this.fonts.bold : this.fonts.regular).widthOfTextAtSize(this.clean(text), size);
  }

  text(text: string, x: number, y: number, o: { size: number; bold?: boolean; color?: RGB; align?: "left" | "right" } = { size: 10 }) {
    const value = this.clean(text);
    const font = o.bold ? this.fonts.bold : this.fonts.regular;
    const left = o.align === "right" ? x - font.widthOfTextAtSize(value, o.size) : x;
    this.page.drawText(value, { x: left, y, size: o.size, font, color: o.color ?? colors.text });
  }

  /** Breaks `text` into lines no wider than `maxWidth` (a word longer than a line is cut). */
  wrap(text: string, size: number, maxWidth: number, bold = false): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of this.clean(text)
      .split(/[ \t]+/)
      .filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (this.width(candidate, size, bold) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = "";
      let rest = word;
      while (this.width(rest, size, bold) > maxWidth) {
        let cut = rest.length - 1;
        while (cut > 1 && this.width(rest.slice(0, cut), size, bold) > maxWidth) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    if (line) lines.push(line);
    return lines.length ? lines : [""];
  }

  /** Draws wrapped lines from `y` down; returns the y below the last line. */
  paragraph(text: string, x: number, y: number, maxWidth: number, o: { size: number; bold?: boolean; color?: RGB; leading?: number }): number {
    const leading = o.leading ?? o.size * 1.4;
    for (const line of this.wrap(text, o.size, maxWidth, o.bold)) {
      this.text(line, x, y, o);
      y -= leading;
    }
    return y;
  }

  rect(x: number, y: number, width: number, height: number, color: RGB, border?: RGB) {
    this.page.drawRectangle({ x, y, width, height, color, borderColor: border, borderWidth: border ? 0.75 : 0 });
  }

  line(x1: number, y: number, x2: number, color: RGB = colors.rule, thickness = 0.75) {
    this.page.drawLine({ start: { x: x1, y }, end: { x: x2, y }, thickness, color });
  }
}

/** Renders the receipt as a one-page A4 PDF. */
export async function renderReceiptPdf(data: ReceiptPdfData): Promise<Uint8Array> {
  const { locale, academy, receipt, payer, student } = data;
  const t = translators[locale];
  const fmt = (amount: number) => money(amount, receipt.currency, locale);

  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const charset = new Set(regular.getCharacterSet());
  const page = doc.addPage([A4.width, A4.height]);
  const c = new Canvas(page, { regular, bold, charset });

  // Fixed metadata (no "now"): the same receipt always gives the same bytes.
  doc.setTitle(c.clean(t("documentTitle", { number: receipt.number, academy: academy.name })));
  doc.setAuthor(c.clean(academy.legalName || academy.name));
  doc.setSubject(c.clean(receipt.concept));
  doc.setLanguage(formattingLocale[locale]);
  doc.setCreator(c.clean(academy.name));
  doc.setProducer("academy-pay");
  doc.setCreationDate(receipt.paidAt);
  doc.setModificationDate(receipt.paidAt);

  const left = MARGIN;
  const right = A4.width - MARGIN;
  const contentWidth = right - left;

  // Top band.
  c.rect(0, A4.height - 8, A4.width, 8, colors.accent);

  // Header: the academy on the left, the document's title and number on the right.
  let y = A4.height - 64;
  const headerRightWidth = 190;
  const academyWidth = contentWidth - headerRightWidth - 16;
  let ay = c.paragraph(academy.name, left, y, academyWidth, { size: 17, bold: true, color: colors.ink, leading: 21 });
  ay -= 2;
  const identity = [
    academy.legalName !== academy.name ? academy.legalName : "",
    academy.taxId ? t("taxId", { taxId: academy.taxId }) : "",
    academy.address,
    [academy.postcode, academy.city].filter((v) => v.trim()).join(" "),
    [academy.email, academy.phone].filter((v) => v.trim()).join(" · "),
    academy.website,
  ].filter((line) => line.trim() !== "");
  for (const line of identity) ay = c.paragraph(line, left, ay, academyWidth, { size: 9, color: colors.muted, leading: 12.5 });

  c.text(t("title"), right, y - 4, { size: 24, bold: true, color: colors.accent, align: "right" });
  c.text(t("number", { number: receipt.number }), right, y - 26, { size: 12, bold: true, color: colors.ink, align: "right" });
  c.text(t("issuedAt", { date: longDate(receipt.issuedAt, locale, academy.timeZone) }), right, y - 42, { size: 9, color: colors.muted, align: "right" });

  // Status badge under the number.
  const statusText = t(`status.${receipt.status}`);
  const badgeTone = receipt.status === "paid" ? { fg: colors.ok, bg: colors.okSoft } : { fg: colors.warn, bg: colors.warnSoft };
  const badgeWidth = c.width(statusText, 10, true) + 20;
  c.rect(right - badgeWidth, y - 70, badgeWidth, 20, badgeTone.bg, badgeTone.fg);
  c.text(statusText, right - 10, y - 63.5, { size: 10, bold: true, color: badgeTone.fg, align: "right" });

  y = Math.min(ay, y - 80) - 14;
  c.line(left, y, right, colors.accent, 1.25);
  y -= 26;

  // Payer and student, side by side.
  const gap = 16;
  const boxWidth = (contentWidth - gap) / 2;
  const partyLines = (name: string, extra: string[]) => {
    const lines: { text: string; bold: boolean }[] = c.wrap(name, 11, boxWidth - 24, true).map((text) => ({ text, bold: true }));
    for (const e of extra) lines.push(...c.wrap(e, 9.5, boxWidth - 24).map((text) => ({ text, bold: false })));
    return lines;
  };
  const payerLines = partyLines(payer.name, [payer.document ? t("payerDocument", { number: payer.document }) : "", payer.email].filter(Boolean));
  const studentLines = partyLines(student.name, student.document ? [t(`document.${student.document.kind}`, { number: student.document.number })] : []);
  const boxHeight = 30 + Math.max(payerLines.length, studentLines.length) * 14 + 8;
  const drawParty = (x: number, label: string, lines: { text: string; bold: boolean }[]) => {
    c.rect(x, y - boxHeight, boxWidth, boxHeight, colors.panel, colors.rule);
    c.text(label.toUpperCase(), x + 12, y - 18, { size: 8, bold: true, color: colors.muted });
    let ly = y - 34;
    for (const line of lines) {
      c.text(line.text, x + 12, ly, { size: line.bold ? 11 : 9.5, bold: line.bold, color: line.bold ? colors.ink : colors.text });
      ly -= 14;
    }
  };
  drawParty(left, t("payer"), payerLines);
  drawParty(left + boxWidth + gap, t("student"), studentLines);
  y -= boxHeight + 30;

  // The detail table: concept, period, amount.
  const periodX = left + contentWidth * 0.58;
  const periodWidth = contentWidth * 0.22;
  const conceptWidth = periodX - left - 24;
  c.rect(left, y - 8, contentWidth, 24, colors.accentSoft);
  c.text(t("concept").toUpperCase(), left + 10, y, { size: 8, bold: true, color: colors.accent });
  c.text(t("period").toUpperCase(), periodX, y, { size: 8, bold: true, color: colors.accent });
  c.text(t("amount").toUpperCase(), right - 10, y, { size: 8, bold: true, color: colors.accent, align: "right" });
  y -= 30;

  const gross = receipt.amount + receipt.discountAmount;
  const conceptLines = c.wrap(receipt.concept, 10.5, conceptWidth);
  const periodText = receipt.period ? formatPeriod(receipt.period, locale) : t("noPeriod");
  const periodLines = c.wrap(periodText, 10.5, periodWidth);
  c.text(fmt(gross), right - 10, y, { size: 10.5, color: colors.ink, align: "right" });
  let cy = y;
  for (const line of conceptLines) {
    c.text(line, left + 10, cy, { size: 10.5, color: colors.ink });
    cy -= 15;
  }
  let py = y;
  for (const line of periodLines) {
    c.text(line, periodX, py, { size: 10.5, color: colors.ink });
    py -= 15;
  }
  y = Math.min(cy, py) - 6;
  c.line(left, y, right);
  y -= 18;

  // Totals, right-aligned under the amount column.
  const labelX = periodX;
  const totalRow = (label: string, value: string, o: { strong?: boolean; color?: RGB } = {}) => {
    c.text(label, labelX, y, { size: o.strong ? 11 : 10, bold: o.strong, color: o.color ?? colors.text });
    c.text(value, right - 10, y, { size: o.strong ? 13 : 10, bold: o.strong, color: o.color ?? colors.ink, align: "right" });
    y -= o.strong ? 24 : 18;
  };
  if (receipt.discountAmount > 0) {
    totalRow(t("discount"), fmt(-receipt.discountAmount));
    y -= 6;
  }
  c.rect(labelX - 10, y - 9, right - labelX + 10, 26, colors.accentSoft);
  totalRow(t("total"), fmt(receipt.amount), { strong: true, color: colors.ink });
  if (receipt.refundedAmount > 0) {
    totalRow(t("refunded"), fmt(-receipt.refundedAmount), { color: colors.warn });
    totalRow(t("net"), fmt(receipt.amount - receipt.refundedAmount));
  }
  y -= 14;

  // The payment itself.
  c.text(t("payment").toUpperCase(), left, y, { size: 8, bold: true, color: colors.muted });
  y -= 8;
  c.line(left, y, right);
  y -= 18;
  const facts: [string, string][] = [
    [t("method"), receipt.method ? t(`methods.${receipt.method}`) : t("noMethod")],
    [t("paidAt"), longDateTime(receipt.paidAt, locale, academy.timeZone)],
  ];
  for (const [label, value] of facts) {
    c.text(label, left, y, { size: 10, color: colors.muted });
    c.text(value, left + 130, y, { size: 10, bold: true, color: colors.ink });
    y -= 17;
  }
  y -= 16;

  // The statement of receipt, in words.
  const statement = t("statement", { academy: academy.legalName || academy.name, payer: payer.name, amount: fmt(receipt.amount), concept: receipt.concept });
  y = c.paragraph(statement, left, y, contentWidth, { size: 10.5, color: colors.text, leading: 15 });

  // Footer.
  const footerY = MARGIN - 8;
  c.line(left, footerY + 30, right);
  c.text(t("notInvoice"), left, footerY + 16, { size: 8, color: colors.muted });
  const footerLine = [
    academy.legalName,
    academy.taxId ? t("footerTaxId", { taxId: academy.taxId }) : "",
    [academy.address, [academy.postcode, academy.city].filter(Boolean).join(" ")].filter((v) => v.trim()).join(", "),
  ]
    .filter((v) => v.trim())
    .join(" · ");
  c.paragraph(footerLine, left, footerY + 4, contentWidth, { size: 8, color: colors.muted, leading: 10 });

  return doc.save();
}
