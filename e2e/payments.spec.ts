// Paying a receipt from its link in Chromium, with every method, against the provider sandbox:
// the receipt shows paid within seconds and its webhook is on the record; a declined payment
// leaves it payable and another method pays it.
import { expect, test, type Page } from "@playwright/test";
import { createReceipt, receiptState } from "./support/api";
import { cardsServedBy, money } from "./support/db";

/** Payers choose a way to pay, never a provider: one "Tarjeta", whoever serves it. */
async function choose(page: Page, method: "Tarjeta" | "Bizum" | "PayPal") {
  await page.getByRole("radio", { name: method }).check();
}

/** The Stripe cases: the academy has Stripe serve cards (Redsys does by default, restored after each). */
async function withStripeCards(run: () => Promise<void>) {
  await cardsServedBy("stripe");
  await run();
}
test.afterEach(() => cardsServedBy("redsys"));

async function expectPaid(page: Page, receiptId: string, amount: number) {
  await expect(page.getByRole("heading", { name: "¡Pago recibido!" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("amount")).toHaveText(money(amount));
  await expect.poll(async () => (await receiptState(receiptId)).status, { timeout: 10_000 }).toBe("paid");
  // The provider's own signal reached us and is on the record, whoever applied it first.
  await expect.poll(async () => (await receiptState(receiptId)).webhookEvents, { timeout: 10_000 }).toBeGreaterThan(0);
}

test("pays by card through Redsys", async ({ page }) => {
  const receipt = await createReceipt({ amount: 9500, concept: "Mensualidad diciembre — Inglés B1" });
  await page.goto(receipt.paymentUrl);
  await expect(page.getByTestId("concept")).toHaveText("Mensualidad diciembre — Inglés B1");
  await expect(page.getByTestId("sandbox-badge")).toBeVisible();
  await choose(page, "Tarjeta");
  await page.screenshot({ path: "test-results/screens/pay-link-desktop-es.png", fullPage: true });
  await page.getByRole("button", { name: `Pagar ${money(9500)}` }).click();
  await expect(page.locator("#pan")).toBeVisible();
  await page.fill("#pan", "4548810000000003");
  await page.fill("#expiry", "12/39");
  await page.fill("#cvv", "123");
  await page.click("#pay");
  await expectPaid(page, receipt.id, 9500);
  await page.screenshot({ path: "test-results/screens/pay-return-paid-es.png", fullPage: true });
  // The link now says so instead of offering to pay again.
  await page.goto(receipt.paymentUrl);
  await expect(page.getByRole("heading", { name: "Recibo pagado" })).toBeVisible();
});

test("pays with Bizum through Redsys", async ({ page }) => {
  const receipt = await createReceipt({ amount: 4000 });
  await page.goto(receipt.paymentUrl);
  await choose(page, "Bizum");
  await page.getByRole("button", { name: `Pagar ${money(4000)}` }).click();
  await page.fill("#bizum-phone", "+34700000000");
  await page.fill("#bizum-code", "123456");
  await page.click("#bizum-pay");
  await expectPaid(page, receipt.id, 4000);
});

test("pays through Stripe Checkout when the academy has Stripe serve cards", async ({ page }) => {
  await withStripeCards(async () => {
    const receipt = await createReceipt({ amount: 12350 });
    await page.goto(receipt.paymentUrl);
    await expect(page.getByRole("radio")).toHaveCount(3);
    await choose(page, "Tarjeta");
    await page.getByRole("button", { name: `Pagar ${money(12350)}` }).click();
    await page.click("#pay");
    await expectPaid(page, receipt.id, 12350);
    expect((await receiptState(receipt.id)).attempts).toEqual([{ method: "stripe", status: "succeeded" }]);
  });
});

test("pays through PayPal on PayPal's page", async ({ page }) => {
  const receipt = await createReceipt({ amount: 6500 });
  await page.goto(receipt.paymentUrl);
  await choose(page, "PayPal");
  await page.getByRole("button", { name: "O paga con PayPal en su web" }).click();
  await page.click("#approve");
  await expectPaid(page, receipt.id, 6500);
});

test("pays with the PayPal buttons without leaving the page", async ({ page }) => {
  const receipt = await createReceipt({ amount: 7000 });
  await page.goto(receipt.paymentUrl);
  await choose(page, "PayPal");
  const popupPromise = page.waitForEvent("popup");
  await page.getByRole("button", { name: "PayPal (sandbox)" }).click();
  const popup = await popupPromise;
  await popup.locator("#approve").click();
  await expectPaid(page, receipt.id, 7000);
});

test("a declined card leaves the receipt payable and Bizum then pays it", async ({ page }) => {
  const receipt = await createReceipt({ amount: 5500 });
  await page.goto(receipt.paymentUrl);
  await choose(page, "Tarjeta");
  await page.getByRole("button", { name: `Pagar ${money(5500)}` }).click();
  await page.fill("#pan", "4000000000000002");
  await page.fill("#expiry", "12/39");
  await page.fill("#cvv", "123");
  await page.click("#pay");
  await expect(page.getByRole("heading", { name: "El pago no se ha completado" })).toBeVisible({ timeout: 15_000 });
  expect((await receiptState(receipt.id)).status).toBe("pending");
  // The method just declined is chosen already: trying again is one click.
  await expect(page.getByRole("radio", { name: "Tarjeta" })).toBeChecked();
  await page.setViewportSize({ width: 375, height: 740 });
  await page.screenshot({ path: "test-results/screens/pay-return-failed-phone-es.png", fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });
  await choose(page, "Bizum");
  await page.getByRole("button", { name: `Pagar ${money(5500)}` }).click();
  await page.fill("#bizum-phone", "+34700000000");
  await page.fill("#bizum-code", "123456");
  await page.click("#bizum-pay");
  await expectPaid(page, receipt.id, 5500);
  const state = await receiptState(receipt.id);
  expect(state.attempts).toEqual([
    { method: "redsys", status: "failed" },
    { method: "bizum", status: "succeeded" },
  ]);
});

test("a Stripe payment declined, then cancelled, can be retried and paid with PayPal", async ({ page }) => {
  await withStripeCards(async () => {
    const receipt = await createReceipt({ amount: 8000 });
    await page.goto(receipt.paymentUrl);
    await choose(page, "Tarjeta");
    await page.getByRole("button", { name: `Pagar ${money(8000)}` }).click();
    await page.click("#decline");
    await expect(page.locator("#message")).toContainText("Tu tarjeta ha sido rechazada");
    await page.click("#cancel");
    await expect(page.getByRole("heading", { name: "El pago no se ha completado" })).toBeVisible({ timeout: 15_000 });
    await choose(page, "PayPal");
    await page.getByRole("button", { name: "O paga con PayPal en su web" }).click();
    await page.click("#approve");
    await expectPaid(page, receipt.id, 8000);
    const state = await receiptState(receipt.id);
    expect(state.attempts).toEqual([
      { method: "stripe", status: "expired" },
      { method: "paypal", status: "succeeded" },
    ]);
  });
});
