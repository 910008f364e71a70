// The dashboard as one story in Chromium: staff record a cash payment, an admin
// refunds part of a Stripe payment and cancels a receipt; each receipt's timeline, the receipts
// list's totals and the reports page's charts move by exactly those amounts.
import { expect, test, type Page } from "@playwright/test";
import { api, createReceipt, receiptState } from "./support/api";
import { admin, signIn, staff } from "./support/auth";
import { money } from "./support/db";

/** Cents from an amount as the pages print it ("1.234,56 €"). */
function cents(text: string): number {
  const digits = text.replace(/[^\d,-]/g, "").replace(",", ".");
  return Math.round(Number(digits) * 100);
}

function thisMonth(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Madrid", year: "numeric", month: "2-digit" }).format(new Date()).slice(0, 7);
}

/** What the list's totals and the reports' charts say right now. */
async function figures(page: Page) {
  const totals = async (status: string) => {
    await page.goto(`/admin/receipts?status=${status}`);
    const count = Number(await page.getByTestId("totals-count").getAttribute("data-count"));
    const amount = (await page.getByTestId("totals-amount").count()) > 0 ? cents((await page.getByTestId("totals-amount").first().textContent()) ?? "0") : 0;
    return { count, amount };
  };
  const list = {
    pending: await totals("pending"),
    paid: await totals("paid"),
    partiallyRefunded: await totals("partially_refunded"),
    cancelled: await totals("cancelled"),
  };
  await page.goto("/admin/reports");
  const month = page.getByTestId("collected-table").locator(`tr[data-month="${thisMonth()}"]`);
  const collected = async (method: string) =>
    cents(
      (await month
        .locator(`td[data-method="${method}"]`)
        .textContent({ timeout: 5_000 })
        .catch(() => "0")) ?? "0",
    );
  const pendingRow = page.getByTestId("open-table").locator('tr[data-figure="pending"]');
  const charts = {
    cash: await collected("cash"),
    stripe: await collected("stripe"),
    monthTotal: cents((await month.getByTestId("month-total").textContent()) ?? "0"),
    pendingCount: Number(await pendingRow.getByTestId("count").textContent()),
    pendingAmount: cents((await pendingRow.getByTestId("amount").textContent()) ?? "0"),
  };
  return { list, charts };
}

async function paidOnline(amount: number) {
  const receipt = await createReceipt({ amount, concept: "Curso de verano (e2e historia)" });
  const started = await api(`/receipts/${receipt.id}/checkout`, { body: { method: "stripe" } });
  expect(started.status).toBe(201);
  const paid = await fetch((started.body.action as { url: string }).url, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
  const back = paid.headers.get("location");
  if (back) await fetch(back);
  await expect.poll(async () => (await receiptState(receipt.id)).status, { timeout: 10_000 }).toBe("paid");
  return receipt;
}

test("a cash payment, a partial Stripe refund and a cancellation show in the timelines, the totals and the charts", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const toPayInCash = await createReceipt({ amount: 4350, concept: "Material (e2e historia)" });
  const toCancel = await createReceipt({ amount: 2800, concept: "Excursión (e2e historia)" });
  const online = await paidOnline(9000);

  await signIn(page, admin);
  const before = await figures(page);

  // Staff, at the desk: a cash payment.
  const desk = await browser.newContext();
  try {
    const staffPage = await desk.newPage();
    await signIn(staffPage, staff);
    await staffPage.goto(`/admin/receipts/${toPayInCash.id}`);
    await staffPage.getByLabel("Cómo se ha pagado").selectOption("cash");
    await staffPage.getByRole("button", { name: "Registrar pago" }).click();
    await expect(staffPage.getByTestId("action-outcome")).toHaveText("Pago registrado.");
    await expect(staffPage.getByTestId("timeline").locator('li[data-action="receipt.paid"]')).toContainText("Recibo pagado");
  } finally {
    await desk.close();
  }

  // The admin: part of the Stripe payment back, and a receipt cancelled.
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`/admin/receipts/${online.id}`);
  const refund = page.getByTestId("refund-form");
  await refund.getByLabel("Importe a devolver").fill("30,00");
  await refund.getByRole("button", { name: "Devolver" }).click();
  await expect(page.getByTestId("action-outcome")).toHaveText("Devolución hecha.");
  await expect(page.getByTestId("timeline").locator('li[data-action="receipt.partially_refunded"]')).toContainText("Recibo devuelto en parte");
  await expect(page.getByTestId("receipt-refunded")).toHaveText(money(3000));

  await page.goto(`/admin/receipts/${toCancel.id}`);
  await page.getByLabel("Motivo de la anulación").fill("Excursión suspendida");
  await page.getByRole("button", { name: "Anular recibo" }).click();
  await expect(page.getByTestId("action-outcome")).toHaveText("Recibo anulado.");
  await expect(page.getByTestId("timeline").locator('li[data-action="receipt.cancelled"]')).toHaveCount(1);

  const after = await figures(page);
  // The list's totals, by status.
  expect(after.list.pending).toEqual({ count: before.list.pending.count - 2, amount: before.list.pending.amount - 4350 - 2800 });
  expect(after.list.paid).toEqual({ count: before.list.paid.count + 1 - 1, amount: before.list.paid.amount + 4350 - 9000 });
  expect(after.list.partiallyRefunded).toEqual({ count: before.list.partiallyRefunded.count + 1, amount: before.list.partiallyRefunded.amount + 9000 });
  expect(after.list.cancelled).toEqual({ count: before.list.cancelled.count + 1, amount: before.list.cancelled.amount + 2800 });
  // The charts: cash collected this month, pending money; collected is gross, so the refund
  // leaves Stripe's bar as it was.
  expect(after.charts.cash).toBe(before.charts.cash + 4350);
  expect(after.charts.stripe).toBe(before.charts.stripe);
  expect(after.charts.monthTotal).toBe(before.charts.monthTotal + 4350);
  expect(after.charts.pendingCount).toBe(before.charts.pendingCount - 2);
  expect(after.charts.pendingAmount).toBe(before.charts.pendingAmount - 4350 - 2800);

  expect(await receiptState(toPayInCash.id)).toMatchObject({ status: "paid" });
  expect(await receiptState(online.id)).toMatchObject({ status: "partially_refunded", refundedAmount: 3000 });
  expect(await receiptState(toCancel.id)).toMatchObject({ status: "cancelled" });
});
