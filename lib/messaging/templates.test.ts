// The email templates in both languages: amounts and dates formatted per locale, the link, the
// academy's identity in every message, and escaping of everything interpolated into HTML.
import { describe, expect, it } from "vitest";
import { demoAcademy } from "@/lib/demo/seed";
import type { Locale } from "@/lib/i18n/config";
import { messages } from "@/lib/i18n/translator";
import { escapeHtml, renderTemplate, templateNames, type EmailMessages, type TemplateData, type TemplateName } from "./templates";

/** Intl puts a no-break space between amount and symbol; compare with plain spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

const link = "https://pagos.academiasol.es/pay/tok_abc123?lang=es&x=1";

const samples: { [K in TemplateName]: TemplateData[K] } = {
  payment_link: {
    recipientName: "Marta García",
    concept: "Mensualidad marzo 2027 — Inglés B1",
    amount: 123456,
    currency: "EUR",
    dueDate: "2027-03-05",
    link,
  },
  payment_received: {
    recipientName: "Marta García",
    concept: "Mensualidad marzo 2027 — Inglés B1",
    amount: 123456,
    currency: "EUR",
    method: "bizum",
    paidAt: new Date("2027-03-02T09:15:00Z"),
    receiptNumber: "2027-000042",
    receiptLink: "https://pagos.academiasol.es/receipts/2027-000042.pdf",
    receiptAttached: true,
  },
  payment_failed: {
    recipientName: "Marta García",
    concept: "Mensualidad marzo 2027 — Inglés B1",
    amount: 123456,
    currency: "EUR",
    retryLink: link,
    reason: "Tarjeta denegada por el emisor",
  },
  reminder: {
    recipientName: "Marta García",
    concept: "Mensualidad marzo 2027 — Inglés B1",
    amount: 123456,
    currency: "EUR",
    dueDate: "2027-03-05",
    stage: "upcoming",
    link,
  },
  enrollment_confirmed: {
    recipientName: "Marta García",
    studentName: "Leo García",
    course: "Inglés A2 para jóvenes (10–13 años)",
    startDate: "2027-09-14",
    schedule: "Martes y jueves, 17:30–19:00",
  },
  late_payment_refunded: {
    recipientName: "Marta García",
    concept: "Matrícula y primera mensualidad — Inglés B1",
    amount: 10500,
    currency: "EUR",
  },
  overdue_digest: {
    receipts: [
      { number: "2027-000012", payerName: "Marta García", concept: "Mensualidad marzo 2027", amount: 123456, currency: "EUR", dueDate: "2027-03-05" },
      { number: "2027-000013", payerName: "Luis Pérez", concept: "Mensualidad marzo 2027", amount: 8950, currency: "EUR", dueDate: "2027-03-05" },
    ],
    dashboardLink: "https://pagos.academiasol.es/admin/receipts?status=pending",
  },
  hold_expired: {
    recipientName: "Marta García",
    studentName: "Leo García",
    course: "Inglés A2 para jóvenes (10–13 años)",
    enrollLink: "https://pagos.academiasol.es/inscripcion/ING-A2-K",
  },
};

const templates = templateNames;
const locales: Locale[] = ["es", "en"];

function render<T extends TemplateName>(template: T, locale: Locale, data: TemplateData[T] = samples[template]) {
  const mail = renderTemplate(template, locale, data, demoAcademy);
  return { ...mail, text: plain(mail.text), html: plain(mail.html), subject: plain(mail.subject) };
}

describe("every template, in both languages", () => {
  for (const template of templates) {
    for (const locale of locales) {
      it(`${template} (${locale}) carries the academy's identity in text and HTML`, () => {
        const mail = render(template, locale);
        expect(mail.subject).toContain(demoAcademy.name);
        for (const body of [mail.text, mail.html]) {
          const { name, legalName, taxId, address, postcode, city, email, phone, website } = demoAcademy;
          for (const part of [name, legalName, taxId, address, postcode, city, email, phone, website]) {
            expect(body).toContain(part);
          }
        }
        expect(mail.html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${locale}">`));
        expect(mail.text.endsWith("\n")).toBe(true);
      });
    }
  }
});

describe("payment_link", () => {
  it("in Spanish: the amount as 1.234,56 €, the due date in words, and the link in text and button", () => {
    const mail = render("payment_link", "es");
    expect(mail.subject).toBe("Tu recibo: Mensualidad marzo 2027 — Inglés B1 · Academia Sol de Idiomas");
    expect(mail.text).toContain("Hola, Marta García:");
    expect(mail.text).toContain("Importe: 1.234,56 €");
    expect(mail.text).toContain("Vencimiento: 5 de marzo de 2027");
    expect(mail.text).toContain(`Pagar 1.234,56 €: ${link}`);
    expect(mail.html).toContain("1.234,56 €");
    // The & in the query string is escaped inside the attribute, and decodes back to the link.
    expect(mail.html).toContain(`href="${escapeHtml(link)}"`);
    expect(mail.text).toContain("NIF: B46123450");
  });

  it("in English: the amount as €1,234.56 and the date as 5 March 2027", () => {
    const mail = render("payment_link", "en");
    expect(mail.subject).toBe("Your receipt: Mensualidad marzo 2027 — Inglés B1 · Academia Sol de Idiomas");
    expect(mail.text).toContain("Dear Marta García,");
    expect(mail.text).toContain("Amount: €1,234.56");
    expect(mail.text).toContain("Due date: 5 March 2027");
    expect(mail.text).toContain(`Pay €1,234.56: ${link}`);
    expect(mail.text).toContain("Tax ID: B46123450");
    expect(mail.html).not.toContain("Importe");
  });

  it("escapes every interpolated value in the HTML, and keeps the text as typed", () => {
    const evil = '<script>alert("x")</script>';
    const mail = renderTemplate(
      "payment_link",
      "es",
      { ...samples.payment_link, recipientName: evil, concept: `Curso <b>"A&B"</b>` },
      { ...demoAcademy, name: "Academia <img src=x onerror=alert(1)>" },
    );
    expect(mail.html).not.toContain("<script");
    expect(mail.html).not.toContain("<img");
    expect(mail.html).not.toContain("<b>");
    expect(mail.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(mail.html).toContain("Curso &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;");
    expect(mail.html).toContain("Academia &lt;img src=x onerror=alert(1)&gt;");
    expect(mail.text).toContain(`Hola, ${evil}:`);
  });

  it("refuses a link that is not http(s)", () => {
    expect(() => render("payment_link", "es", { ...samples.payment_link, link: "javascript:alert(1)" })).toThrow(/http/);
    expect(() => render("payment_link", "es", { ...samples.payment_link, link: "not a url" })).toThrow(/URL/);
  });

  it("keeps the subject on one line whatever the concept holds", () => {
    const mail = render("payment_link", "en", { ...samples.payment_link, concept: "March\r\nBcc: victim@example.com" });
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});

describe("the other templates", () => {
  it("payment_received shows the method, the receipt number and the payment time in the academy's time zone", () => {
    const es = render("payment_received", "es");
    expect(es.subject).toContain("Pago recibido: Mensualidad marzo 2027");
    expect(es.text).toContain("Número de recibo: 2027-000042");
    expect(es.text).toContain("Forma de pago: Bizum");
    // 09:15 UTC is 10:15 in Madrid in March.
    expect(es.text).toContain("Fecha de pago: 2 de marzo de 2027 a las 10:15");
    expect(es.text).toContain("Adjuntamos el recibo en PDF.");
    expect(es.text).toContain("1.234,56 €");
    const en = render("payment_received", "en", { ...samples.payment_received, method: "redsys", receiptAttached: false });
    expect(en.text).toContain("Payment method: Card");
    expect(en.text).toContain("Paid on: 2 March 2027 at 10:15");
    expect(en.text).not.toContain("attached");
  });

  it("payment_failed offers the retry link and the reason", () => {
    const mail = render("payment_failed", "en");
    expect(mail.text).toContain(`Try again: ${link}`);
    expect(mail.text).toContain("Reason: Tarjeta denegada por el emisor");
    expect(mail.html).toContain(`href="${escapeHtml(link)}"`);
  });

  it("reminder words the upcoming, due-today and overdue cases differently", () => {
    const subjects = (["upcoming", "due_today", "overdue"] as const).map((stage) => render("reminder", "es", { ...samples.reminder, stage }).subject);
    expect(subjects[0]).toContain("vence el 5 de marzo de 2027");
    expect(subjects[1]).toContain("vence hoy");
    expect(subjects[2]).toContain("venció el 5 de marzo de 2027");
    const overdue = render("reminder", "en", { ...samples.reminder, stage: "overdue" });
    expect(overdue.text).toContain("was due on 5 March 2027 and is still pending");
    expect(overdue.text).toContain(`Pay now: ${link}`);
  });

  it("enrollment_confirmed names the student, the course, the start date and the schedule", () => {
    const mail = render("enrollment_confirmed", "es");
    expect(mail.subject).toContain("Matrícula confirmada: Inglés A2 para jóvenes");
    expect(mail.text).toContain("Alumno/a: Leo García");
    expect(mail.text).toContain("Fecha de inicio: 14 de septiembre de 2027");
    expect(mail.text).toContain("Horario: Martes y jueves, 17:30–19:00");
    expect(render("enrollment_confirmed", "en").text).toContain("Start date: 14 September 2027");
  });

  it("formats amounts in the currency given", () => {
    const mail = render("payment_link", "en", { ...samples.payment_link, amount: 5000, currency: "GBP" });
    expect(mail.text).toContain("Amount: £50.00");
  });
});

describe("the copy dictionaries (the message files' email namespace)", () => {
  it("have the same keys in both languages", () => {
    const keys = (copy: EmailMessages) =>
      Object.entries(copy)
        .flatMap(([k, v]) => (typeof v === "object" ? Object.keys(v).map((inner) => `${k}.${inner}`) : [k]))
        .sort();
    expect(keys(messages.en.email)).toEqual(keys(messages.es.email));
  });

  it("fail the type check when a key is missing (checked by tsc)", () => {
    const { payment_link: _dropped, ...incomplete } = messages.en.email;
    // @ts-expect-error an English dictionary without payment_link is not the email copy
    const broken: EmailMessages = incomplete;
    expect(broken).not.toHaveProperty("payment_link");
  });
});

describe("values are text, never ICU", () => {
  it("prints braces, apostrophes and # typed by a payer as they are", () => {
    const concept = "Curso {amount} '{x}' # {count, plural, other {#}}";
    const mail = render("payment_link", "es", { ...samples.payment_link, concept });
    expect(mail.subject).toBe(`Tu recibo: ${concept} · Academia Sol de Idiomas`);
    expect(mail.text).toContain(`Concepto: ${concept}`);
    expect(mail.html).toContain(escapeHtml(concept));
  });
});

describe("overdue_digest", () => {
  it("lists each overdue receipt with its number, payer, amount and due date, in both languages", () => {
    const es = render("overdue_digest", "es");
    expect(es.subject).toBe("2 recibos han vencido sin pagar · Academia Sol de Idiomas");
    expect(es.text).toContain("2027-000012 · Marta García: Mensualidad marzo 2027 · 1.234,56 € · vencía el 5 de marzo de 2027");
    expect(es.text).toContain("2027-000013 · Luis Pérez");
    const en = render("overdue_digest", "en");
    expect(en.subject).toBe("2 receipts are now overdue · Academia Sol de Idiomas");
    expect(en.text).toContain("€1,234.56 · was due on 5 March 2027");
    expect(en.text).toContain("See the receipts: https://pagos.academiasol.es/admin/receipts?status=pending");
  });
});
