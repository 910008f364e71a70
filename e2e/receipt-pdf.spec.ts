// The receipt PDF and the "payment received" email, end to end: staff e-mail a payment link
// from the dashboard, the link arrives at a real SMTP server, Chromium follows it and pays at the
// Stripe sandbox, and after two delivery runs exactly one "payment received" email has reached the
// payer with the receipt PDF attached (read back with pdf.js). The payer downloads the same PDF
// from the return page and from the link, staff download it from the dashboard, and the doors
// open only for what they should. The PDF's first page is drawn in Chromium and attached.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { expect, test, type Download, type Page } from "@playwright/test";
import { pdfText } from "../scripts/testing/pdf-text";
import { startTestSmtpServer, type TestSmtpServer } from "../scripts/testing/smtp-server";
import { createReceipt } from "./support/api";
import { signIn, staff } from "./support/auth";
import { cardsServedBy, money, rows } from "./support/db";
import { runJob } from "./support/jobs";
import { renderPdfPage } from "./support/pdf-render";
import { appUrl, ports } from "./support/ports";
import { screenshots } from "./support/screens";

let smtp: TestSmtpServer;

// This spec pays by card through Stripe; Redsys serves cards again afterwards.
test.afterEach(() => cardsServedBy("redsys"));

test.beforeAll(async () => {
  smtp = await startTestSmtpServer({ port: ports.smtp });
});
test.afterAll(async () => {
  await smtp?.close();
});

async function downloadedPdf(page: Page, click: () => Promise<void>): Promise<{ download: Download; bytes: Uint8Array }> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const file = await download.path();
  return { download, bytes: new Uint8Array(readFileSync(file)) };
}

test("a payment link by email, paid in Chromium, brings exactly one receipt email with the PDF", async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const payerEmail = `recibo.pdf.${stamp}@correo.test`;
  const concept = `Mensualidad diciembre — Inglés B1 (${stamp})`;
  const receipt = await createReceipt({ amount: 8500, concept, email: payerEmail });

  // Staff send the payment link from the receipt's page; the outbox mails it.
  await signIn(page, staff);
  await page.goto(`/admin/receipts/${receipt.id}`);
  await expect(page.getByTestId("receipt-pdf")).toHaveCount(0); // pending: nothing to download yet
  await page.getByTestId("resend-form").getByRole("button").click();
  await expect(page.getByText("Enlace nuevo enviado por correo.")).toBeVisible();
  await runJob("deliver-messages");
  const linkMail = await smtp.waitFor((m) => m.to.includes(payerEmail) && m.subject.startsWith("Tu recibo:"), 10_000);
  const link = /https?:\/\/\S+\/pay\/[A-Za-z0-9_-]{20,100}/.exec(linkMail.text)?.[0];
  expect(link, linkMail.text).toBeDefined();
  expect(link!.startsWith(`${appUrl}/pay/`)).toBe(true);

  // A pending receipt has no PDF behind its link.
  expect((await fetch(`${link}/receipt`)).status).toBe(404);

  // The payer follows the link and pays at the Stripe sandbox.
  const payer = await browser.newPage({ locale: "es-ES" });
  await payer.goto(link!);
  await expect(payer.getByTestId("concept")).toHaveText(concept);
  await cardsServedBy("stripe");
  await payer.reload();
  await payer.getByRole("radio", { name: /^Tarjeta/ }).check();
  await payer.getByRole("button", { name: `Pagar ${money(8500)}` }).click();
  await payer.click("#pay");
  await expect(payer.getByRole("heading", { name: "¡Pago recibido!" })).toBeVisible({ timeout: 15_000 });

  // Download from the return page.
  const fromReturn = await downloadedPdf(payer, () => payer.getByRole("link", { name: "Descargar recibo (PDF)" }).click());
  expect(fromReturn.download.suggestedFilename()).toBe(`recibo-${receipt.number}.pdf`);
  expect((await pdfText(fromReturn.bytes)).text).toContain(`Nº ${receipt.number}`);

  // Two delivery runs: exactly one "payment received" email, with the PDF.
  await runJob("deliver-messages");
  await runJob("deliver-messages");
  const received = await smtp.waitFor((m) => m.to.includes(payerEmail) && m.subject.startsWith("Pago recibido:"), 10_000);
  await runJob("deliver-messages");
  const paidMails = smtp.messages.filter((m) => m.to.includes(payerEmail) && m.subject.startsWith("Pago recibido:"));
  expect(paidMails).toHaveLength(1);
  const dbMessages = await rows<{ status: string; attachments: unknown }>(
    `select status, attachments from messages where receipt_id = $1 and template = 'payment_received'`,
    [receipt.id],
  );
  expect(dbMessages).toEqual([{ status: "sent", attachments: [{ kind: "receipt_pdf", receiptId: receipt.id }] }]);
  expect(received.subject).toBe(`Pago recibido: ${concept} · Academia Sol de Idiomas`);
  expect(received.text).toContain("Adjuntamos el recibo en PDF.");
  const pdfs = received.attachments.filter((a) => a.contentType === "application/pdf");
  expect(received.attachments).toHaveLength(1);
  expect(pdfs[0]!.filename).toBe(`recibo-${receipt.number}.pdf`);
  const mailed = await pdfText(new Uint8Array(pdfs[0]!.content));
  for (const expected of [
    `Nº ${receipt.number}`,
    "PAGADO",
    "Academia Sol de Idiomas S.L.",
    "NIF: B46123450",
    concept,
    "Total pagado 85,00 €",
    "Forma de pago Tarjeta",
  ]) {
    expect(mailed.text).toContain(expected);
  }

  // The payer's link now shows the receipt paid, with the same PDF to download.
  await payer.goto(link!);
  await expect(payer.getByRole("heading", { name: "Recibo pagado" })).toBeVisible();
  await screenshots(payer, "receipt-pdf-pay-page");
  const fromLink = await downloadedPdf(payer, () => payer.getByRole("link", { name: "Descargar recibo (PDF)" }).click());
  expect(fromLink.download.suggestedFilename()).toBe(`recibo-${receipt.number}.pdf`);
  const linkText = await pdfText(fromLink.bytes);
  expect(linkText.text).toBe(mailed.text);

  // Staff download it from the dashboard.
  await page.goto(`/admin/receipts/${receipt.id}`);
  await screenshots(page, "receipt-pdf-admin");
  const fromDashboard = await downloadedPdf(page, () => page.getByRole("link", { name: "Descargar recibo (PDF)" }).click());
  expect(fromDashboard.download.suggestedFilename()).toBe(`recibo-${receipt.number}.pdf`);
  expect((await pdfText(fromDashboard.bytes)).text).toBe(mailed.text);

  // The doors: no session, no staff PDF; an unknown token or another receipt's token opens nothing.
  const anonymous = await fetch(`${appUrl}/admin/receipts/${receipt.id}/pdf`, { redirect: "manual" });
  expect(anonymous.status).toBeGreaterThanOrEqual(300);
  expect(anonymous.status).toBeLessThan(400);
  expect(anonymous.headers.get("location") ?? "").toContain("/admin/sign-in");
  expect(anonymous.headers.get("content-type") ?? "").not.toContain("application/pdf");
  expect((await fetch(`${appUrl}/pay/${"x".repeat(43)}/receipt`)).status).toBe(404);
  const other = await createReceipt({ amount: 1200, email: `otro.${stamp}@correo.test` });
  const otherResponse = await fetch(`${other.paymentUrl}/receipt`);
  expect(otherResponse.status).toBe(404); // pending: its own link does not open this (or any) PDF

  // The PDF's first page, drawn by pdf.js in Chromium, for a human to look at.
  const viewer = await browser.newPage();
  const png = await renderPdfPage(viewer, pdfs[0]!.content);
  await viewer.close();
  mkdirSync("test-results/screens", { recursive: true });
  writeFileSync("test-results/screens/receipt-pdf-page1.png", png);
  await testInfo.attach("receipt-pdf-page1", { body: png, contentType: "image/png" });
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  await payer.close();
});
