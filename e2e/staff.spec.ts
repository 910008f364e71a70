import { expect, test } from "@playwright/test";
import { admin, signIn, staff } from "./support/auth";
import { money, rows } from "./support/db";

test("anonymous visitors of the dashboard are sent to sign in", async ({ page }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin\/sign-in/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Acceso del personal");
});

test("a wrong password shows a clear error and keeps the e-mail", async ({ page }) => {
  await page.goto("/admin/sign-in");
  await page.getByLabel("Correo electrónico").fill(admin.email);
  await page.getByLabel("Contraseña").fill("not-the-password");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "El correo o la contraseña no son correctos." })).toBeVisible();
  await expect(page.getByLabel("Correo electrónico")).toHaveValue(admin.email);
  await expect(page).toHaveURL(/\/admin\/sign-in/);
  // An unknown account gets the very same message.
  await page.getByLabel("Correo electrónico").fill("nadie@academiasol.es");
  await page.getByLabel("Contraseña").fill("whatever");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page.getByLabel("Contraseña")).toHaveValue(""); // the form was answered and reset
  await expect(page.getByLabel("Correo electrónico")).toHaveValue("nadie@academiasol.es");
  await expect(page.getByRole("alert").filter({ hasText: "El correo o la contraseña no son correctos." })).toBeVisible();
});

test("a malformed e-mail is refused before any password check", async ({ page }) => {
  await page.goto("/admin/sign-in");
  await page.getByLabel("Correo electrónico").fill("no-es-un-correo");
  await page.getByLabel("Contraseña").fill("x");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Escribe un correo válido y tu contraseña." })).toBeVisible();
});

type ReceiptRow = { status: string; amount: number; due_date: string; paid_at: Date | null };

test("the admin home shows figures that match the database", async ({ page }) => {
  await signIn(page, admin);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Lucía Ferrer · Administración");

  const receipts = await rows<ReceiptRow>(`select status, amount, to_char(due_date, 'YYYY-MM-DD') as due_date, paid_at from receipts`);
  const [bounds] = await rows<{ month_start: Date; today: string }>(`
    select date_trunc('month', now() at time zone 'Europe/Madrid') at time zone 'Europe/Madrid' as month_start,
           to_char((now() at time zone 'Europe/Madrid')::date, 'YYYY-MM-DD') as today`);
  const [refunded] = await rows<{ sum: string }>(
    `select coalesce(sum(amount), 0)::text as sum from refunds where status = 'succeeded' and completed_at >= $1`,
    [bounds!.month_start],
  );
  const sum = (list: ReceiptRow[]) => list.reduce((total, r) => total + r.amount, 0);
  const pending = receipts.filter((r) => r.status === "pending");
  const overdue = pending.filter((r) => r.due_date < bounds!.today);
  const paidThisMonth = receipts.filter((r) => r.paid_at && r.paid_at >= bounds!.month_start);
  expect(paidThisMonth.length).toBeGreaterThan(0);
  expect(overdue.length).toBeGreaterThan(0);

  await expect(page.getByTestId("figure-collected").getByTestId("value")).toHaveText(money(sum(paidThisMonth)));
  await expect(page.getByTestId("figure-collected")).toContainText(`${paidThisMonth.length} pagos`);
  await expect(page.getByTestId("figure-pending").getByTestId("value")).toHaveText(money(sum(pending)));
  await expect(page.getByTestId("figure-overdue").getByTestId("value")).toHaveText(money(sum(overdue)));
  await expect(page.getByTestId("figure-refunded").getByTestId("value")).toHaveText(money(Number(refunded!.sum)));

  for (const status of ["pending", "paid", "cancelled", "refunded", "partially_refunded"]) {
    const subset = receipts.filter((r) => r.status === status);
    expect(subset.length, `the seed has ${status} receipts`).toBeGreaterThan(0);
    const row = page.locator(`tr[data-status="${status}"]`);
    await expect(row.getByTestId("count")).toHaveText(String(subset.length));
    await expect(row.getByTestId("amount")).toHaveText(money(sum(subset)));
  }
  await page.screenshot({ path: "test-results/screens/admin-home-desktop-es.png", fullPage: true });
});

test("staff sign in, see their role and sign out", async ({ page }) => {
  await signIn(page, staff);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Pablo Ortega · Personal");
  await page.getByRole("button", { name: "Salir" }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in/);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin\/sign-in/);
});
