// The receipt PDF read back with pdf.js (the parser browsers use): every field the issue names is
// in the document's text, in Spanish and in English, with exact amounts, the € sign and accents;
// and, on a real PostgreSQL, only receipts that prove a payment have one.
import { writeFileSync, mkdirSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { demoAcademy } from "@/lib/demo/seed";
import { settingKeys } from "@/lib/settings/schemas";
import { issueReceipt } from "@/lib/receipts/issue";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { pdfText } from "@/scripts/testing/pdf-text";
import { formatPeriod, receiptPdfData, receiptPdfFilename, renderReceiptPdf, winAnsiText, type ReceiptPdfData } from "./pdf";

const paidAt = new Date("2026-11-27T13:05:00Z"); // 14:05 in Madrid

function sample(overrides: Partial<ReceiptPdfData["receipt"]> = {}, locale: "es" | "en" = "es"): ReceiptPdfData {
  return {
    locale,
    academy: demoAcademy,
    receipt: {
      number: "2026-000123",
      concept: "Mensualidad noviembre — Inglés B1 (martes y jueves)",
      period: "2026-11",
      amount: 8500,
      discountAmount: 0,
      currency: "EUR",
      status: "paid",
      issuedAt: new Date("2026-11-01T08:00:00Z"),
      paidAt,
      method: "bizum",
      refundedAmount: 0,
      ...overrides,
    },
    payer: { name: "María José Núñez Peña", email: "mjose.nunez@correo.test", document: "12345678Z" },
    student: { name: "Íñigo Núñez Peña", document: { kind: "nie", number: "X1234567L" } },
  };
}

async function textOf(data: ReceiptPdfData) {
  return pdfText(await renderReceiptPdf(data));
}

describe("renderReceiptPdf", () => {
  it("prints every field of a paid receipt in Spanish, with the € sign and accents", async () => {
    const bytes = await renderReceiptPdf(sample());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const pdf = await pdfText(bytes);
    expect(pdf.pages).toBe(1);
    const text = pdf.text;
    // Number, the document's kind and its state.
    expect(text).toContain("RECIBO");
    expect(text).toContain("Nº 2026-000123");
    expect(text).toContain("PAGADO");
    // The academy: name, legal name, tax id, address.
    expect(text).toContain("Academia Sol de Idiomas");
    expect(text).toContain("Academia Sol de Idiomas S.L.");
    expect(text).toContain("NIF: B46123450");
    expect(text).toContain("Calle de Colón 12, 2º");
    expect(text).toContain("46004 Valencia");
    // Payer and student.
    expect(text).toContain("María José Núñez Peña");
    expect(text).toContain("Documento: 12345678Z");
    expect(text).toContain("mjose.nunez@correo.test");
    expect(text).toContain("Íñigo Núñez Peña");
    expect(text).toContain("NIE: X1234567L");
    // Concept, period, amount, method, dates.
    expect(text).toContain("Mensualidad noviembre — Inglés B1 (martes y jueves)");
    expect(text).toContain("Noviembre de 2026");
    expect(text).toContain("Total pagado 85,00 €");
    expect(text).toContain("Forma de pago Bizum");
    expect(text).toContain("Fecha de pago 27 de noviembre de 2026 a las 14:05");
    expect(text).toContain("Fecha de emisión: 1 de noviembre de 2026");
    expect(text).toContain(
      "Academia Sol de Idiomas S.L. declara haber recibido de María José Núñez Peña la cantidad de 85,00 € en concepto de Mensualidad noviembre — Inglés B1 (martes y jueves).",
    );
    expect(pdf.info.Title).toBe("Recibo 2026-000123 · Academia Sol de Idiomas");
    // The € must be the euro sign in the text layer, not a look-alike or a missing glyph.
    expect([...text].filter((ch) => ch === "€").length).toBeGreaterThanOrEqual(3);
  });

  it("is in English when the student's language is English", async () => {
    const text = (await textOf(sample({ method: "redsys" }, "en"))).text;
    expect(text).toContain("RECEIPT");
    expect(text).toContain("No. 2026-000123");
    expect(text).toContain("PAID");
    expect(text).toContain("Tax ID (NIF): B46123450");
    expect(text).toContain("November 2026");
    expect(text).toContain("Total paid €85.00");
    expect(text).toContain("Payment method Card");
    expect(text).toContain("Payment date 27 November 2026 at 14:05");
    expect(text).not.toContain("Forma de pago");
  });

  it("keeps amounts exact from minor units: grouping, a discount, a partial refund", async () => {
    const text = (await textOf(sample({ amount: 123456, discountAmount: 1999, refundedAmount: 456, status: "partially_refunded", method: "transfer" }))).text;
    expect(text).toContain("1.254,55 €"); // what the concept cost before the discount: 123456 + 1999
    expect(text).toContain("Descuento -19,99 €");
    expect(text).toContain("Total pagado 1.234,56 €");
    expect(text).toContain("Devuelto -4,56 €");
    expect(text).toContain("Importe neto cobrado 1.230,00 €");
    expect(text).toContain("DEVUELTO EN PARTE");
    expect(text).toContain("Transferencia bancaria");
  });

  it("shows a refunded receipt as refunded and a receipt without a period with a dash", async () => {
    const text = (await textOf(sample({ status: "refunded", refundedAmount: 8500, period: null, concept: "Matrícula — Francés A1" }))).text;
    expect(text).toContain("DEVUELTO");
    expect(text).toContain("Importe neto cobrado 0,00 €");
    expect(text).toContain("Matrícula — Francés A1 —");
  });

  it("wraps a long concept instead of running off the page, and prints names outside WinAnsi readably", async () => {
    const concept = "Curso intensivo de preparación del examen oficial DELE C1 con tutorías individuales semanales ".repeat(3).trim();
    const data = sample({ concept });
    data.payer.name = "Antonín Dvořák Łukasz";
    data.student.name = "王小明";
    const text = (await textOf(data)).text;
    expect(text).toContain("Antonín Dvorák ?ukasz"); // ř loses its caron; Ł has no base letter in WinAnsi
    expect(text).toContain("???");
    for (const word of ["intensivo", "tutorías", "semanales"]) expect(text).toContain(word);
  });

  it("gives the same bytes for the same receipt", async () => {
    const a = await renderReceiptPdf(sample());
    const b = await renderReceiptPdf(sample());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // Kept for a look: test-results/receipt-pdf-unit.pdf.
    mkdirSync("test-results", { recursive: true });
    writeFileSync("test-results/receipt-pdf-unit.pdf", a);
  });
});

describe("helpers", () => {
  it("winAnsiText keeps what the fonts can print and replaces the rest", () => {
    const latin = new Set([..." abcdefghijklmnopqrstuvwxyzáéíóúñ€\u00a0"].map((c) => c.codePointAt(0)!));
    // No digits in this set: "5" has no base letter to fall back to. The narrow no-break space Intl puts in amounts becomes a no-break space.
    expect(winAnsiText("ñandú 5\u202f€", latin)).toBe("ñandú ?\u00a0€");
    expect(winAnsiText("a\nb", latin)).toBe("a b");
    expect(winAnsiText("ř", latin)).toBe("r");
    expect(winAnsiText("王", latin)).toBe("?");
  });

  it("formatPeriod and the file name", () => {
    expect(formatPeriod("2027-01", "es")).toBe("Enero de 2027");
    expect(formatPeriod("2027-01", "en")).toBe("January 2027");
    expect(receiptPdfFilename("2026-000123")).toBe("recibo-2026-000123.pdf");
    expect(receiptPdfFilename("A/B 7")).toBe("recibo-A-B-7.pdf");
  });

  it("names the file in the student's language", () => {
    expect(receiptPdfFilename("2026-000123", "es")).toBe("recibo-2026-000123.pdf");
    expect(receiptPdfFilename("A/B 7", "en")).toBe("receipt-A-B-7.pdf");
  });
});

describe("receiptPdfData (PostgreSQL)", () => {
  let database: Database;
  let studentId: string;

  beforeAll(async () => {
    database = await openTestDatabase("academy_test_receipt_pdf");
    await database.db.insert(t.settings).values({ key: settingKeys.academy, value: demoAcademy });
    const [student] = await database.db
      .insert(t.students)
      .values({ firstName: "Olivia", lastName: "Brown", email: "olivia@correo.test", locale: "en", documentType: "passport", documentNumber: "P1234567" })
      .returning({ id: t.students.id });
    studentId = student!.id;
  });
  afterAll(() => database?.close());

  async function receipt(amount: number) {
    return database.db.transaction((tx) =>
      issueReceipt(
        tx,
        {
          studentId,
          kind: "monthly",
          period: "2026-11",
          concept: "November fee — English C1",
          amount,
          currency: "EUR",
          dueDate: "2026-11-10",
          payer: { name: "Olivia Brown", email: "olivia@correo.test", document: "Y7654321G" },
        },
        "api",
      ),
    );
  }

  it("has nothing for a pending or cancelled receipt: it proves no payment", async () => {
    const pending = await receipt(6500);
    expect(await receiptPdfData(database.db, pending.id)).toBeUndefined();
    await database.db.update(t.receipts).set({ status: "cancelled", cancelledAt: new Date(), cancelReason: "test" }).where(eq(t.receipts.id, pending.id));
    expect(await receiptPdfData(database.db, pending.id)).toBeUndefined();
    expect(await receiptPdfData(database.db, "00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("loads a paid receipt with its academy, payer and student, in the student's language", async () => {
    const paid = await receipt(6500);
    await database.db.update(t.receipts).set({ status: "paid", paidAt, paidMethod: "paypal" }).where(eq(t.receipts.id, paid.id));
    const data = await receiptPdfData(database.db, paid.id);
    expect(data).toMatchObject({
      locale: "en",
      academy: { name: demoAcademy.name, taxId: demoAcademy.taxId },
      receipt: { number: paid.number, amount: 6500, period: "2026-11", status: "paid", method: "paypal" },
      payer: { name: "Olivia Brown", document: "Y7654321G" },
      student: { name: "Olivia Brown", document: { kind: "passport", number: "P1234567" } },
    });
    const text = (await pdfText(await renderReceiptPdf(data!))).text;
    expect(text).toContain(`No. ${paid.number}`);
    expect(text).toContain("Passport: P1234567");
    expect(text).toContain("Total paid €65.00");
  });
});
