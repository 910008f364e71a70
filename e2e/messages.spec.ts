// The dashboard's mail pages: a month's payment links sent in bulk from the page (preview count,
// confirmation, a live progress bar that reaches 100 %), one email per payer at a real SMTP
// server with a /pay link that opens the receipt, the emails in the message list and on their
// own page, screenshots on desktop and phone without sideways scroll.
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { startTestSmtpServer, type TestSmtpServer } from "../scripts/testing/smtp-server";
import { signIn, staff } from "./support/auth";
import { rows } from "./support/db";
import { appUrl, ports } from "./support/ports";
import { expectNoSidewaysScroll, screenshots } from "./support/screens";

let smtp: TestSmtpServer;
test.beforeAll(async () => {
  smtp = await startTestSmtpServer({ port: ports.smtp });
});
test.afterAll(async () => {
  await smtp?.close();
});

/** Payers with a pending monthly receipt for a month no other spec uses, plus one already paid. */
async function monthWithPayers(count: number) {
  const run = randomUUID().slice(0, 8);
  // A month far in the future, different on every run (the database is shared by all specs).
  const period = `2${String(100 + Math.floor(Math.random() * 800)).padStart(3, "0")}-${String(1 + Math.floor(Math.random() * 12)).padStart(2, "0")}`;
  const base = 900_000 + Math.floor(Math.random() * 90_000);
  const payers: { email: string; receiptId: string; concept: string }[] = [];
  for (let i = 0; i <= count; i++) {
    const email = `bulk-${run}-${i}@familia.test`;
    const [student] = await rows<{ id: string }>(`insert into students (first_name, last_name, email) values ($1, $2, $3) returning id`, [
      `Alumno ${i}`,
      `Envío ${run}`,
      email,
    ]);
    const paid = i === count;
    const concept = `Mensualidad ${period} (e2e ${run})`;
    const [receipt] = await rows<{ id: string }>(
      `insert into receipts (number, series_year, series_number, kind, student_id, period, concept, amount, currency, due_date, status, paid_at, payer_name, payer_email)
       values ($1, 2099, $2, 'monthly', $3, $4, $5, $6, 'EUR', $7, $8, $9, $10, $11) returning id`,
      [
        `E2E-${run}-${i}`,
        base + i,
        student!.id,
        period,
        concept,
        8950 + i,
        `${period}-10`,
        paid ? "paid" : "pending",
        paid ? new Date() : null,
        `Familia ${i}`,
        email,
      ],
    );
    if (!paid) payers.push({ email, receiptId: receipt!.id, concept });
  }
  return { run, period, payers, paidEmail: `bulk-${run}-${count}@familia.test` };
}

test("anonymous visitors of the mail pages and the progress route are sent to sign in", async ({ page }) => {
  for (const path of ["/admin/messages", "/admin/messages/bulk", `/admin/messages/bulk/${randomUUID()}/progress`]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/admin\/sign-in/);
  }
});

test("a month's links sent in bulk: progress to 100 %, one email per payer with a working link, the emails listed", async ({ page }) => {
  // Many pages and a real send on a shared two-core machine: more than the default 30 s.
  test.setTimeout(120_000);
  const { run, period, payers, paidEmail } = await monthWithPayers(3);
  await signIn(page, staff);

  // The billing page links here with the month prefilled.
  await page.goto(`/admin/messages/bulk?period=${period}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Enviar los enlaces de pago de un mes");
  await expect(page.getByTestId("bulk-preview")).toHaveAttribute("data-count", "3");
  await expect(page.getByLabel("Mes")).toHaveValue(period);

  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: /^Enviar 3 enlaces de / }).click();
  await expect(page.getByText("Envío iniciado: 3 correos.")).toBeVisible();
  // No second button to press while it runs.
  await expect(page.getByTestId("bulk-start-form")).toHaveCount(0);
  // The bar under the form (once finished, the page refreshes and may list the send again below).
  const bar = page.getByTestId("bulk-progress").first().getByRole("progressbar");
  await expect(bar).toHaveAttribute("aria-valuemax", "3");

  const [send] = await rows<{ id: string; total: number; created_by: string | null }>(
    `select id, total, created_by from bulk_sends where period = $1 order by created_at desc limit 1`,
    [period],
  );
  expect(send).toMatchObject({ total: 3 });
  expect(send!.created_by).not.toBeNull();

  // The app's worker was nudged; the cron door runs the same job, so the run does not depend on timing.
  const response = await fetch(`${appUrl}/api/cron/send-bulk`, { method: "POST", headers: { authorization: "Bearer e2e-cron-secret-0123456789" } });
  expect(response.status, await response.clone().text()).toBe(200);

  await expect(bar).toHaveAttribute("aria-valuenow", "3", { timeout: 15_000 });
  await expect(page.getByTestId("bulk-progress-text").first()).toHaveText("3 de 3 (100 %)");
  await expect(page.getByTestId("bulk-count-sent").first()).toHaveText("Enviados: 3");
  await expect(page.getByText("Envío terminado.").first()).toBeVisible();
  // Finished while watched: the past sends below catch up without a reload.
  await expect(page.locator(`[data-testid="bulk-send-row"][data-bulk-send-id="${send!.id}"]`)).toContainText("3/3");
  // The page with the finished progress bar.
  await screenshots(page, "admin-bulk-send");

  // One email per payer at the SMTP server, none to the payer who had paid, each with a working link.
  for (const payer of payers) await smtp.waitFor((m) => m.to.includes(payer.email), 10_000);
  const mine = smtp.messages.filter((m) => m.to.some((to) => to.includes(`bulk-${run}-`)));
  expect(mine.map((m) => m.to[0]).sort()).toEqual(payers.map((p) => p.email).sort());
  expect(mine.some((m) => m.to.includes(paidEmail))).toBe(false);
  for (const mail of mine) {
    expect(mail.subject).toMatch(/^Tu recibo: Mensualidad /);
    const link = /https?:\/\/[^\s]+\/pay\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    expect(link, mail.text).toBeTruthy();
    const payer = payers.find((p) => mail.to.includes(p.email))!;
    const pay = await page.context().newPage();
    await pay.goto(new URL(new URL(link!).pathname, appUrl).toString());
    await expect(pay.getByTestId("concept")).toHaveText(payer.concept);
    await pay.close();
  }

  // Progress counted from the messages: every one of them sent.
  const statuses = await rows<{ status: string; n: number }>(`select status, count(*)::int as n from messages where bulk_send_id = $1 group by status`, [
    send!.id,
  ]);
  expect(statuses).toEqual([{ status: "sent", n: 3 }]);
  // The progress route itself: staff get the counts, an unknown send is a 404.
  const progress = await page.request.get(`/admin/messages/bulk/${send!.id}/progress`);
  expect(progress.status()).toBe(200);
  expect(await progress.json()).toMatchObject({ total: 3, sent: 3, queued: 0, failed: 0, invalid: 0 });
  expect((await page.request.get(`/admin/messages/bulk/${randomUUID()}/progress`)).status()).toBe(404);

  // The past sends list it with its counts.
  await page.reload();
  await expect(page.locator(`[data-testid="bulk-send-row"][data-bulk-send-id="${send!.id}"]`)).toContainText("3/3");
  await expectNoSidewaysScroll(page);

  // The message list: searched by address, the three emails; one opened.
  await page.goto(`/admin/messages?q=bulk-${run}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Correos");
  await expect(page.getByTestId("message-row")).toHaveCount(3);
  expect((await page.getByTestId("message-row").evaluateAll((els) => els.map((el) => el.getAttribute("data-to")))).sort()).toEqual(
    payers.map((p) => p.email).sort(),
  );
  await page.goto(`/admin/messages?bulk=${send!.id}&status=sent`);
  await expect(page.getByTestId("message-row")).toHaveCount(3);
  await page.goto(`/admin/messages?q=bulk-${run}&status=failed`);
  await expect(page.getByText("No hay correos con estos filtros.")).toBeVisible();
  await page.goto(`/admin/messages?q=bulk-${run}`);
  await screenshots(page, "admin-messages");

  await page.getByTestId("message-row").first().getByRole("link").click();
  await expect(page.getByTestId("message-subject")).toHaveText(/^Tu recibo: Mensualidad /);
  await expect(page.getByTestId("message-status")).toContainText("Enviado");
  await expect(page.getByTestId("message-attempts")).toContainText("1");
  await expect(page.getByTestId("message-body")).toContainText("/pay/");
  await expectNoSidewaysScroll(page);
  await screenshots(page, "admin-message");
});
