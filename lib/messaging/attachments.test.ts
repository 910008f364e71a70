// The "payment received" email with its receipt PDF, on a real PostgreSQL and a real SMTP server:
// a payment queues exactly one such email (also when the provider delivers its webhook again), the
// PDF is made when the email is sent and attached once (also when the first try fails and the
// outbox retries), its text is the receipt's, and a reference that cannot be made into a PDF holds
// the email back instead of sending "attached" without the file.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { demoAcademy } from "@/lib/demo/seed";
import { settingKeys } from "@/lib/settings/schemas";
import { applyProviderEvent } from "@/lib/after-payment";
import type { ProviderEvent } from "@/lib/payments/types";
import { issueReceipt } from "@/lib/receipts/issue";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { pdfText } from "@/scripts/testing/pdf-text";
import { startTestSmtpServer, type TestSmtpServer } from "@/scripts/testing/smtp-server";
import { attachmentsForMessage } from "./attachments";
import { deliverDueMessages, enqueueMessage } from "./outbox";
import { createMailTransport, type MailTransport } from "./transport";

const MINUTE = 60_000;
let database: Database;
let studentId: string;
let smtp: TestSmtpServer;
let transport: MailTransport;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_receipt_mail");
  await database.db.insert(t.settings).values({ key: settingKeys.academy, value: demoAcademy });
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Lucía", lastName: "Fernández Ortega", email: "lucia@correo.test", documentType: "dni", documentNumber: "11111111H" })
    .returning({ id: t.students.id });
  studentId = student!.id;
});
afterAll(() => database?.close());

beforeEach(async () => {
  smtp = await startTestSmtpServer();
  transport = createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: undefined, APP_URL: "https://pagos.academiasol.es" }, { connectionTimeoutMs: 3_000 });
});
afterEach(async () => {
  transport.close();
  await smtp.close();
});

/** A pending receipt to an address of its own, with one attempt redirected to Stripe. */
async function pendingReceipt(amount: number) {
  const payerEmail = `familia.${randomUUID().slice(0, 8)}@correo.test`;
  return database.db.transaction(async (tx) => {
    const receipt = await issueReceipt(
      tx,
      {
        studentId,
        kind: "monthly",
        period: "2026-12",
        concept: "Mensualidad diciembre — Inglés B2",
        amount,
        currency: "EUR",
        dueDate: "2026-12-05",
        payer: { name: "Carmen Ortega Ruiz", email: payerEmail },
      },
      "api",
    );
    const ref = `cs_${randomUUID()}`;
    await tx.insert(t.paymentAttempts).values({
      receiptId: receipt.id,
      provider: "stripe",
      method: "stripe",
      mode: "sandbox",
      amount,
      currency: "EUR",
      status: "redirected",
      providerRef: ref,
    });
    return { ...receipt, payerEmail, ref };
  });
}

function paidEvent(ref: string, amount: number, eventId = `evt_${randomUUID()}`): ProviderEvent {
  const outcome = { type: "succeeded" as const, amount, currency: "EUR", paymentRef: `pi_${randomUUID()}` };
  return {
    provider: "stripe",
    eventId,
    eventType: "checkout.session.completed",
    ref: { by: "order", value: ref },
    outcome,
    payload: { outcome },
    rawBody: JSON.stringify(outcome),
  };
}

async function receivedMessages(receiptId: string) {
  return database.db.select().from(t.messages).where(eq(t.messages.receiptId, receiptId));
}

describe("the payment received email", () => {
  it("is queued once per paid receipt, with the PDF as a reference, also when the webhook comes again", async () => {
    const receipt = await pendingReceipt(8500);
    const event = paidEvent(receipt.ref, 8500);
    expect((await applyProviderEvent(database.db, event, "webhook")).result).toBe("applied");
    expect((await applyProviderEvent(database.db, event, "webhook")).result).toBe("duplicate");
    const rows = (await receivedMessages(receipt.id)).filter((m) => m.template === "payment_received");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.attachments).toEqual([{ kind: "receipt_pdf", receiptId: receipt.id }]);
    expect(rows[0]!.bodyText).toContain("Adjuntamos el recibo en PDF.");
  });

  it("arrives once with one PDF attached, also after a failed first try, and the PDF is the receipt's", async () => {
    // Earlier tests' messages go out first, so the one failure below is this receipt's email.
    await deliverDueMessages(database.db, { transport });
    const receipt = await pendingReceipt(12345);
    expect((await applyProviderEvent(database.db, paidEvent(receipt.ref, 12345), "webhook")).result).toBe("applied");

    smtp.failNext(1);
    const first = await deliverDueMessages(database.db, { transport });
    expect(first.retried).toBeGreaterThanOrEqual(1);
    expect(smtp.messages.filter((m) => m.to.includes(receipt.payerEmail))).toHaveLength(0);

    const later = new Date(Date.now() + 10 * MINUTE);
    await deliverDueMessages(database.db, { transport, now: later });
    await deliverDueMessages(database.db, { transport, now: new Date(later.getTime() + 10 * MINUTE) });

    const mails = smtp.messages.filter((m) => m.to.includes(receipt.payerEmail));
    expect(mails.map((m) => m.subject)).toEqual(["Pago recibido: Mensualidad diciembre — Inglés B2 · Academia Sol de Idiomas"]);
    const mail = mails[0]!;
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: `recibo-${receipt.number}.pdf`, contentType: "application/pdf" });
    const text = (await pdfText(new Uint8Array(mail.attachments[0]!.content))).text;
    expect(text).toContain(`Nº ${receipt.number}`);
    expect(text).toContain("Total pagado 123,45 €");
    expect(text).toContain("Carmen Ortega Ruiz");
    expect(text).toContain("Lucía Fernández Ortega");
    expect(text).toContain("DNI: 11111111H");
    expect(text).toContain("Forma de pago Tarjeta");
    const [row] = (await receivedMessages(receipt.id)).filter((m) => m.template === "payment_received");
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("is held back, not sent without its file, when the referenced receipt has no PDF", async () => {
    const receipt = await pendingReceipt(4000);
    const id = await database.db.transaction((tx) =>
      enqueueMessage(tx, {
        template: "payment_received",
        locale: "es",
        to: receipt.payerEmail,
        dedupeKey: `test-unpaid-pdf:${receipt.id}`,
        receiptId: receipt.id,
        data: { concept: "x", amount: 4000, currency: "EUR", method: "cash", paidAt: new Date(), receiptNumber: receipt.number, receiptAttached: true },
        attachments: [{ kind: "receipt_pdf", receiptId: receipt.id }],
      }),
    );
    await expect(attachmentsForMessage(database.db, id!)).rejects.toThrow(/has no PDF/);
    const report = await deliverDueMessages(database.db, { transport });
    expect(report.sent).toBe(0);
    expect(smtp.messages.filter((m) => m.to.includes(receipt.payerEmail))).toHaveLength(0);
    const [row] = await database.db.select().from(t.messages).where(eq(t.messages.id, id!));
    expect(row).toMatchObject({ status: "queued" });
    expect(row!.lastError).toMatch(/has no PDF/);
  });

  it("messages without references carry no attachments", async () => {
    const receipt = await pendingReceipt(4000);
    const id = await database.db.transaction((tx) =>
      enqueueMessage(tx, {
        template: "payment_link",
        locale: "es",
        to: receipt.payerEmail,
        dedupeKey: `test-link:${receipt.id}`,
        receiptId: receipt.id,
        data: { concept: "x", amount: 4000, currency: "EUR", dueDate: "2026-12-05", link: "https://pagos.academiasol.es/pay/abc" },
      }),
    );
    expect(await attachmentsForMessage(database.db, id!)).toBeUndefined();
  });
});
