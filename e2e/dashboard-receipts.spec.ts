// The staff dashboard's receipts: the list against the database (filters, totals, search), the
// receipt page's timeline, a cash payment recorded by staff, a partial refund through the
// Stripe sandbox by an admin, and the refund endpoint refusing staff even when called by hand.
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { api, createReceipt, receiptState } from "./support/api";
import { admin, signIn, staff } from "./support/auth";
import { money, rows } from "./support/db";
import { appUrl } from "./support/ports";
import { screenshots } from "./support/screens";

/** A receipt paid by card at the Stripe sandbox, as a payer would (see api.spec.ts). */
async function receiptPaidOnline(amount: number) {
  const receipt = await createReceipt({ amount, concept: "Curso intensivo (e2e)" });
  const started = await api(`/receipts/${receipt.id}/checkout`, { body: { method: "stripe" } });
  expect(started.status).toBe(201);
  const action = started.body.action as { url: string };
  const paid = await fetch(action.url, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
  const back = paid.headers.get("location");
  if (back) await fetch(back);
  await expect.poll(async () => (await receiptState(receipt.id)).status, { timeout: 10_000 }).toBe("paid");
  return receipt;
}

test("anonymous visitors of the receipts pages are sent to sign in", async ({ page }) => {
  const [any] = await rows<{ id: string }>(`select id from receipts limit 1`);
  for (const path of ["/admin/receipts", `/admin/receipts/${any!.id}`]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/admin\/sign-in/);
  }
});

test("the list shows the seeded receipts, newest first, with totals that match the database", async ({ page }) => {
  await signIn(page, staff);
  await page.getByRole("link", { name: "Recibos" }).click();
  await expect(page).toHaveURL(/\/admin\/receipts$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Recibos");

  const [all] = await rows<{ n: number }>(`select count(*)::int as n from receipts`);
  expect(all!.n).toBeGreaterThan(0);
  await expect(page.getByTestId("totals-count")).toHaveAttribute("data-count", String(all!.n));
  const newest = await rows<{ id: string }>(`select id from receipts order by issued_at desc, id desc limit 25`);
  await expect(page.getByTestId("receipt-row")).toHaveCount(newest.length);
  expect(await page.getByTestId("receipt-row").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-receipt-id")))).toEqual(newest.map((r) => r.id));
  await screenshots(page, "admin-receipts");

  for (const status of ["paid", "pending"] as const) {
    await page.getByLabel("Estado", { exact: true }).selectOption(status);
    await page.getByRole("button", { name: "Filtrar" }).click();
    await expect(page).toHaveURL(new RegExp(`status=${status}`));
    const [expected] = await rows<{ n: number; amount: number }>(
      `select count(*)::int as n, coalesce(sum(amount), 0)::int as amount from receipts where status = $1`,
      [status],
    );
    expect(expected!.n, `the seed has ${status} receipts`).toBeGreaterThan(0);
    await expect(page.getByTestId("totals-count")).toHaveAttribute("data-count", String(expected!.n));
    await expect(page.getByTestId("totals-amount")).toHaveText(money(expected!.amount));
    const badges = page.getByTestId("receipt-row").getByTestId("status-badge");
    await expect(badges).toHaveCount(Math.min(expected!.n, 25));
    expect(new Set(await badges.evaluateAll((els) => els.map((el) => el.getAttribute("data-status"))))).toEqual(new Set([status]));
  }

  // Keyset pages: following "next" until the end visits every pending receipt exactly once, in
  // the list's order. Background jobs of the running app (and earlier specs' sends) may change a
  // few receipts meanwhile, so the walk is compared with the receipts pending both before and
  // after it: all of those, no receipt twice, nothing that was never pending.
  const pendingNow = async () =>
    (await rows<{ id: string }>(`select id from receipts where status = 'pending' order by issued_at desc, id desc`)).map((r) => r.id);
  const before = await pendingNow();
  const seen: string[] = [];
  for (;;) {
    seen.push(...(await page.getByTestId("receipt-row").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-receipt-id") ?? ""))));
    const next = page.getByRole("link", { name: "Página siguiente" });
    if ((await next.count()) === 0) break;
    // More rows than were ever pending would mean the pages go round in circles.
    expect(seen.length).toBeLessThanOrEqual(before.length + 100);
    // Wait for this very page's URL: "after=" alone is already in the previous page's, and
    // reading rows before the navigation lands would read the old page again.
    const href = (await next.getAttribute("href"))!;
    await next.click();
    await expect(page).toHaveURL(new URL(href, appUrl).toString());
    await page.waitForLoadState("domcontentloaded");
  }
  const after = await pendingNow();
  const stable = before.filter((id) => after.includes(id));
  expect(stable.length).toBeGreaterThan(25);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.filter((id) => stable.includes(id))).toEqual(stable);
  expect(seen.filter((id) => !before.includes(id) && !after.includes(id))).toEqual([]);
  const order = await rows<{ id: string }>(`select id from receipts where id = any($1) order by issued_at desc, id desc`, [seen]);
  expect(seen).toEqual(order.map((r) => r.id));
});

test("search finds a receipt by its number and by its student's name", async ({ page }) => {
  const [target] = await rows<{ id: string; number: string; name: string }>(
    `select r.id, r.number, s.first_name || ' ' || s.last_name as name from receipts r join students s on s.id = r.student_id order by r.issued_at limit 1`,
  );
  await signIn(page, staff);
  await page.goto("/admin/receipts");
  await page.getByLabel("Buscar", { exact: true }).fill(target!.number);
  await page.getByLabel("Buscar", { exact: true }).press("Enter");
  await expect(page).toHaveURL(new RegExp(`q=${target!.number}`));
  await expect(page.getByTestId("receipt-row")).toHaveCount(1);
  await expect(page.getByTestId("receipt-row")).toHaveAttribute("data-receipt-id", target!.id);
  await expect(page.getByTestId("totals-count")).toHaveAttribute("data-count", "1");

  await page.getByLabel("Buscar", { exact: true }).fill(target!.name.toLowerCase());
  await page.getByRole("button", { name: "Filtrar" }).click();
  await expect(page.getByTestId("receipt-row").filter({ has: page.locator(`[href="/admin/receipts/${target!.id}"]`) })).toHaveCount(1);
});

test("staff record a cash payment on a pending receipt and the timeline shows it", async ({ page }) => {
  const receipt = await createReceipt({ amount: 4500, concept: "Libro de texto (e2e)" });
  await signIn(page, staff);
  await page.goto(`/admin/receipts/${receipt.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Recibo ${receipt.number}`);
  await expect(page.locator("#receipt-heading + [data-testid=status-badge]")).toHaveAttribute("data-status", "pending");
  // Cancelling is for admins: staff do not get the form.
  await expect(page.getByTestId("cancel-form")).toHaveCount(0);
  await screenshots(page, "admin-receipt-pending");

  await page.getByLabel("Cómo se ha pagado").selectOption("cash");
  await page.getByLabel("Nota (opcional)").fill("Pagado en secretaría");
  await page.getByRole("button", { name: "Registrar pago" }).click();
  // The form goes away with the pending status; the outcome is still announced.
  await expect(page.getByTestId("action-outcome")).toHaveText("Pago registrado.");

  await expect(page.locator("#receipt-heading + [data-testid=status-badge]")).toHaveAttribute("data-status", "paid");
  await expect(page.getByTestId("receipt-method")).toHaveText("Efectivo");
  const paid = page.getByTestId("timeline").locator('li[data-action="receipt.paid"]');
  await expect(paid).toContainText("Recibo pagado");
  await expect(paid).toContainText("personal");
  await expect(paid).toContainText("por Pablo Ortega");
  await expect(paid).toContainText("Nota: Pagado en secretaría");
  await expect(page.getByTestId("timeline").locator('li[data-action="receipt.issued"]')).toContainText("Recibo emitido");
  await expect(page.getByTestId("timeline").locator('li[data-kind="message"][data-action="payment_received"]')).toHaveCount(1);
  await expect(page.getByTestId("attempts").locator("tbody tr")).toHaveCount(1);
  await expect(page.getByTestId("attempts").locator('tbody tr[data-method="cash"][data-status="succeeded"]')).toHaveCount(1);
  // A receipt paid by hand is not refunded from here, and no longer takes a second payment.
  await expect(page.getByTestId("manual-form")).toHaveCount(0);
  await expect(page.getByTestId("refund-form")).toHaveCount(0);

  const audit = await rows<{ action: string; source: string; staff: string | null }>(
    `select e.action, e.source, u.email as staff from audit_events e left join staff_users u on u.id = e.staff_user_id
     where e.receipt_id = $1 and e.source = 'staff' order by e.id`,
    [receipt.id],
  );
  expect(audit.filter((a) => a.staff === staff.email).map((a) => a.action)).toEqual(["attempt.succeeded", "receipt.paid"]);
  expect(await receiptState(receipt.id)).toMatchObject({ status: "paid", attempts: [{ method: "cash", status: "succeeded" }] });
});

test("an admin refunds part of an online payment; staff neither see nor can call the refund", async ({ page, browser }) => {
  const receipt = await receiptPaidOnline(10000);
  await signIn(page, admin);
  await page.goto(`/admin/receipts/${receipt.id}`);
  await expect(page.getByTestId("receipt-method")).toHaveText("Tarjeta (Stripe)");
  const form = page.getByTestId("refund-form");
  await expect(form.getByLabel("Importe a devolver")).toHaveValue("100,00");

  page.on("dialog", (dialog) => void dialog.accept());
  // Errors are announced next to the form, in Spanish, and nothing is refunded.
  await form.getByLabel("Importe a devolver").fill("12,345");
  await form.getByRole("button", { name: "Devolver" }).click();
  await expect(form.getByRole("alert")).toContainText("Escribe un importe mayor que cero, con dos decimales como mucho.");
  await form.getByLabel("Importe a devolver").fill("100,01");
  await form.getByRole("button", { name: "Devolver" }).click();
  await expect(form.getByRole("alert")).toHaveText("No se puede devolver ese importe de este recibo.");
  expect((await rows<{ n: number }>(`select count(*)::int as n from refunds where receipt_id = $1`, [receipt.id]))[0]!.n).toBe(0);

  // Each rendering carries a fresh idempotency key; this one is in the request recorded below.
  const key = await form.locator('input[name="idempotencyKey"]').inputValue();
  await form.getByLabel("Importe a devolver").fill("25,00");
  await form.getByLabel("Motivo (opcional)").fill("Clase no impartida");
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined),
    form.getByRole("button", { name: "Devolver" }).click(),
  ]);
  await expect(page.getByTestId("action-outcome")).toHaveText("Devolución hecha.");
  await expect(page.locator("#receipt-heading + [data-testid=status-badge]")).toHaveAttribute("data-status", "partially_refunded");
  await expect(page.getByTestId("receipt-refunded")).toHaveText(money(2500));
  await expect(page.getByTestId("refunds").locator('tbody tr[data-status="succeeded"]')).toContainText(money(2500));
  await expect(page.getByTestId("timeline").locator('li[data-action="refund.requested"]')).toContainText("por Lucía Ferrer");
  await expect(page.getByTestId("timeline").locator('li[data-action="receipt.partially_refunded"]')).toContainText("Recibo devuelto en parte");
  await expect(form.getByLabel("Importe a devolver")).toHaveValue("75,00");
  expect(await receiptState(receipt.id)).toMatchObject({ status: "partially_refunded", refundedAmount: 2500 });
  await screenshots(page, "admin-receipt-refunded");

  // The same call, replayed by hand with a fresh idempotency key: the recorded request is a
  // working refund call, so the staff refusal below is the role check and nothing else.
  const replay = async (as: Page) => {
    const recorded = request.postDataBuffer()!.toString("latin1");
    expect(recorded).toContain(key);
    const body = recorded.replace(key, randomUUID());
    return as.request.post(request.url(), {
      headers: {
        "next-action": request.headers()["next-action"]!,
        "content-type": request.headers()["content-type"]!,
        accept: "text/x-component",
        origin: appUrl,
      },
      data: Buffer.from(body, "latin1"),
    });
  };

  const staffContext = await browser.newContext();
  try {
    const staffPage = await staffContext.newPage();
    await signIn(staffPage, staff);
    await staffPage.goto(`/admin/receipts/${receipt.id}`);
    await expect(staffPage.getByRole("heading", { level: 1 })).toHaveText(`Recibo ${receipt.number}`);
    await expect(staffPage.getByTestId("refund-form")).toHaveCount(0);
    await expect(staffPage.getByRole("button", { name: "Devolver" })).toHaveCount(0);

    const forged = await replay(staffPage);
    expect(await forged.text()).toContain('"error":"forbidden"');
    const refunds = await rows<{ n: number }>(`select count(*)::int as n from refunds where receipt_id = $1`, [receipt.id]);
    expect(refunds[0]!.n).toBe(1);
    expect(await receiptState(receipt.id)).toMatchObject({ status: "partially_refunded", refundedAmount: 2500 });
  } finally {
    await staffContext.close();
  }

  const control = await replay(page);
  expect(control.ok()).toBe(true);
  await expect.poll(async () => (await receiptState(receipt.id)).refundedAmount).toBe(5000);
});
