// Monthly issuing from the dashboard: staff open the billing page (the current month by
// default), pick next month, see a preview that the database then bears out (the run issues
// exactly the previewed count and total), issue it, get the link to send the payment links,
// and a second issue says there was nothing new. Rows this spec relies on are its own: a
// student enrolled with a fixed discount; other counts are read from the database, never assumed.
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { signIn, staff } from "./support/auth";
import { money, rows } from "./support/db";
import { screenshots } from "./support/screens";

function madridPeriod(date: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Madrid", year: "numeric", month: "2-digit" }).format(date).slice(0, 7);
}

function followingPeriod(period: string): string {
  const [year, month] = period.split("-").map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, "0")}`;
}

function spanishMonth(period: string): string {
  return new Intl.DateTimeFormat("es-ES", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${period}-15T12:00:00Z`));
}

/** A confirmed enrollment of a new student with a fixed discount, in the first course (by name) that runs in `period`. */
async function enrolledWithDiscount(period: string, discount: number) {
  const [course] = await rows<{ id: string; monthly_fee: number }>(
    `select id, monthly_fee from courses
     where start_date <= ($1 || '-01')::date + interval '1 month' - interval '1 day' and end_date >= ($1 || '-01')::date and monthly_fee > $2
     order by name limit 1`,
    [period, discount],
  );
  expect(course, `a seeded course runs in ${period}`).toBeDefined();
  const tag = randomUUID().slice(0, 8);
  // "Aaa…" sorts first among the course's students, so the preview's first rows show this one.
  const [student] = await rows<{ id: string }>(`insert into students (first_name, last_name, email) values ('Berta', 'Aaa Facturación', $1) returning id`, [
    `berta.${tag}@correo.test`,
  ]);
  const [enrollment] = await rows<{ id: string }>(
    `insert into enrollments (student_id, course_id, status, discount_kind, discount_value, confirmed_at)
     values ($1, $2, 'confirmed', 'fixed', $3, now()) returning id`,
    [student!.id, course!.id, discount],
  );
  return { enrollmentId: enrollment!.id, fee: course!.monthly_fee };
}

async function monthlyReceipts(period: string) {
  const [row] = await rows<{ n: number; amount: number }>(
    `select count(*)::int as n, coalesce(sum(amount), 0)::int as amount from receipts where kind = 'monthly' and period = $1`,
    [period],
  );
  return row!;
}

test("anonymous visitors of the billing page are sent to sign in", async ({ page }) => {
  await page.goto("/admin/billing");
  await expect(page).toHaveURL(/\/admin\/sign-in/);
});

test("staff preview next month, issue it (the database matches the preview), and a second issue adds nothing", async ({ page }) => {
  const current = madridPeriod(new Date());
  const period = followingPeriod(current);
  const month = spanishMonth(period);
  const mine = await enrolledWithDiscount(period, 1000);

  await signIn(page, staff);
  await page.getByRole("link", { name: "Facturación" }).click();
  await expect(page).toHaveURL(/\/admin\/billing$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Emisión mensual de recibos");
  // The current month by default.
  await expect(page.getByTestId("preview")).toHaveAttribute("data-period", current);
  await expect(page.getByLabel("Mes")).toHaveValue(current);

  await page.getByLabel("Mes").fill(period);
  await page.getByRole("button", { name: "Ver" }).click();
  await expect(page).toHaveURL(new RegExp(`period=${period}`));
  await expect(page.getByRole("heading", { name: `Vista previa de ${month}` })).toBeVisible();
  const preview = page.getByTestId("preview");
  await expect(preview).toHaveAttribute("data-period", period);
  const count = Number(await page.getByTestId("preview-count").getAttribute("data-count"));
  const total = Number(await page.getByTestId("preview-total").getAttribute("data-amount"));
  expect(count).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId("preview-total")).toHaveText(money(total));
  // This spec's enrollment is among the first rows, its fixed discount taken off.
  const myRow = page.locator(`[data-testid=preview-row][data-enrollment-id="${mine.enrollmentId}"]`);
  await expect(myRow.getByTestId("preview-row-amount")).toHaveText(money(mine.fee - 1000));
  await expect(myRow).toContainText(`Mensualidad`);

  await screenshots(page, "admin-billing");

  const before = await monthlyReceipts(period);
  page.on("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: `Emitir recibos de ${month}` }).click();
  const result = page.getByTestId("issue-result");
  await expect(result).toContainText(count === 1 ? `Se ha emitido 1 recibo de ${month}.` : `Se han emitido ${count} recibos de ${month}.`);
  await expect(result.getByTestId("issue-result-total")).toHaveText(money(total));
  await expect(result.getByRole("link", { name: "Enviar los enlaces de pago" })).toHaveAttribute("href", `/admin/messages/bulk?period=${period}`);

  // The database bears the preview out: exactly that many receipts and that total were added.
  const after = await monthlyReceipts(period);
  expect(after.n - before.n).toBe(count);
  expect(after.amount - before.amount).toBe(total);
  const [receipt] = await rows<{ amount: number; discount_amount: number; concept: string; status: string }>(
    `select amount, discount_amount, concept, status from receipts where enrollment_id = $1 and period = $2`,
    [mine.enrollmentId, period],
  );
  expect(receipt).toMatchObject({ amount: mine.fee - 1000, discount_amount: 1000, status: "pending" });
  expect(receipt!.concept).toMatch(new RegExp(`^Mensualidad .+ — ${month}$`));
  const [run] = await rows<{ issued_count: number; issued_total: number; source: string; staff: string }>(
    `select b.issued_count, b.issued_total, b.source, u.email as staff from billing_runs b join staff_users u on u.id = b.created_by
     where b.period = $1 order by b.created_at desc limit 1`,
    [period],
  );
  expect(run).toEqual({ issued_count: count, issued_total: total, source: "staff", staff: staff.email });

  // The page now previews nothing left for the month and lists the run.
  await expect(page.getByTestId("preview-count")).toHaveAttribute("data-count", "0");
  await expect(page.locator(`[data-testid=run][data-period="${period}"][data-count="${count}"]`).first()).toBeVisible();
  await screenshots(page, "admin-billing-issued");

  await page.getByRole("button", { name: `Emitir recibos de ${month}` }).click();
  await expect(result).toContainText(`No había nada nuevo que emitir en ${month}`);
  await expect(result.locator("[data-issued]")).toHaveAttribute("data-issued", "0");
  expect(await monthlyReceipts(period)).toEqual(after);
  await expect(page.locator(`[data-testid=run][data-period="${period}"][data-count="0"]`).first()).toBeVisible();
});

test("the months already issued are listed from their receipts, however they were issued", async ({ page }) => {
  await signIn(page, staff);
  await page.goto("/admin/billing");
  const months = await rows<{ period: string; n: number }>(
    `select period, count(*)::int as n from receipts where kind = 'monthly' group by period order by period desc limit 12`,
  );
  expect(months.length).toBeGreaterThan(0);
  for (const month of months) {
    await expect(page.locator(`[data-testid=issued-month][data-period="${month.period}"]`)).toHaveAttribute("data-count", String(month.n));
  }
  await expect(page.getByText("Todavía no hay recibos mensuales de ningún mes.")).toHaveCount(0);
});
