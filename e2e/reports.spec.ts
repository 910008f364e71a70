// Reports and the receipts export: anonymous visitors are sent to sign in; staff download the
// CSV of a filter and its lines are the database's rows (count, numbers, amounts to the cent,
// formulas neutralised); the reports page's figures match the database; screenshots on a
// desktop and a phone, where nothing scrolls sideways.
import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { createReceipt } from "./support/api";
import { signIn, staff } from "./support/auth";
import { money, rows } from "./support/db";
import { appUrl } from "./support/ports";

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };
const timeZone = "Europe/Madrid";

async function expectNoSidewaysScroll(page: Page) {
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

/** The CSV as Spanish Excel gets it: BOM, ";" separated, CRLF lines; quoted cells kept whole. */
function parseCsv(text: string): string[][] {
  const lines: string[][] = [];
  let cell = "";
  let line: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ";") {
      line.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      line.push(cell);
      lines.push(line);
      cell = "";
      line = [];
      i++;
    } else cell += c;
  }
  expect(cell, "the file ends with CRLF").toBe("");
  return lines;
}

async function download(page: Page, click: () => Promise<void>) {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  expect(file.suggestedFilename()).toMatch(/^recibos-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = readFileSync((await file.path())!);
  expect([...bytes.subarray(0, 3)], "UTF-8 BOM for Excel").toEqual([0xef, 0xbb, 0xbf]);
  return parseCsv(bytes.subarray(3).toString("utf8"));
}

const cents = (text: string) => {
  const match = /^(\d+),(\d{2})$/.exec(text);
  expect(match, `an amount with a decimal comma: ${text}`).not.toBeNull();
  return Number(match![1]) * 100 + Number(match![2]);
};

test("anonymous visitors of the export and the reports are sent to sign in", async ({ page }) => {
  const answer = await fetch(`${appUrl}/admin/receipts/export?status=paid`, { redirect: "manual" });
  expect([302, 303, 307]).toContain(answer.status);
  expect(answer.headers.get("location")).toMatch(/\/admin\/sign-in/);
  expect(answer.headers.get("content-type") ?? "").not.toMatch(/csv/);
  await page.goto("/admin/reports");
  await expect(page).toHaveURL(/\/admin\/sign-in/);
});

test("staff download the CSV of a filter and it holds the database's rows", async ({ page }) => {
  // A receipt whose concept a spreadsheet would run as a formula.
  const tricky = await createReceipt({ amount: 123_456, concept: '=HYPERLINK("http://x.test";"pulsa") (e2e)' });
  await signIn(page, staff);
  await page.goto("/admin/receipts");
  await page.getByLabel("Estado", { exact: true }).selectOption("pending");
  await page.getByRole("button", { name: "Filtrar" }).click();
  await expect(page).toHaveURL(/status=pending/);
  const link = page.getByRole("link", { name: "Exportar CSV" });
  await expect(link).toHaveAttribute("href", "/admin/receipts/export?status=pending");

  const lines = await download(page, () => link.click());
  const [header, ...data] = lines;
  expect(header).toEqual([
    "Número",
    "Fecha emisión",
    "Vencimiento",
    "Alumno",
    "Documento",
    "Pagador",
    "Concepto",
    "Periodo",
    "Importe",
    "Descuento",
    "Moneda",
    "Estado",
    "Método",
    "Fecha pago",
    "Reembolsado",
    "Referencia proveedor",
  ]);
  const expected = await rows<{ number: string; amount: number; currency: string }>(
    `select number, amount, currency from receipts where status = 'pending' order by issued_at desc, id desc`,
  );
  expect(expected.length).toBeGreaterThan(0);
  expect(data.map((cells) => cells[0])).toEqual(expected.map((r) => r.number));
  expect(data.every((cells) => cells.length === 16 && cells[11] === "Pendiente")).toBe(true);
  expect(data.reduce((sum, cells) => sum + cents(cells[8]!), 0)).toBe(expected.reduce((sum, r) => sum + Number(r.amount), 0));

  const mine = data.find((cells) => cells[0] === tricky.number);
  expect(mine?.[6]).toBe(`'=HYPERLINK("http://x.test";"pulsa") (e2e)`);
  expect(mine?.[8]).toBe("1234,56");
  expect(mine?.[2]).toBe("05/12/2026");
});

test("an export by number carries the search and holds exactly that receipt", async ({ page }) => {
  const receipt = await createReceipt({ amount: 5_005, concept: "Material (e2e export)" });
  await signIn(page, staff);
  await page.goto(`/admin/receipts?q=${receipt.number}`);
  await expect(page.getByTestId("totals-count")).toHaveAttribute("data-count", "1");
  const [, ...data] = await download(page, () => page.getByRole("link", { name: "Exportar CSV" }).click());
  expect(data).toHaveLength(1);
  expect(data[0]!.slice(0, 1).concat(data[0]!.slice(6, 12))).toEqual([receipt.number, "Material (e2e export)", "", "50,05", "0,00", "EUR", "Pendiente"]);
});

test("the reports page shows the database's figures, on a desktop and on a phone", async ({ page }) => {
  // Something certainly collected this month: a receipt paid in cash at the desk.
  const receipt = await createReceipt({ amount: 7_777, concept: "Clase suelta (e2e informes)" });
  await signIn(page, staff);
  await page.goto(`/admin/receipts/${receipt.id}`);
  await page.getByLabel("Cómo se ha pagado").selectOption("cash");
  await page.getByRole("button", { name: "Registrar pago" }).click();
  await expect(page.getByTestId("action-outcome")).toHaveText("Pago registrado.");

  await page.getByRole("link", { name: "Informes" }).click();
  await expect(page).toHaveURL(/\/admin\/reports$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Informes");
  for (const name of ["Cobrado por mes y medio de pago", "Pendiente y vencido hoy", "Embudo de matrículas"]) {
    await expect(page.getByRole("heading", { level: 2, name })).toBeVisible();
    await expect(page.getByRole("img", { name })).toBeVisible();
  }

  // Collected per month: every row of the table against the database.
  const collected = await rows<{ month: string; method: string; amount: string }>(
    `select to_char(paid_at at time zone $1, 'YYYY-MM') as month, paid_method::text as method, sum(amount)::text as amount
     from receipts where currency = 'EUR' and paid_at is not null
       and paid_at >= (date_trunc('month', now() at time zone $1) - interval '11 months') at time zone $1
     group by 1, 2`,
    [timeZone],
  );
  const monthRows = page.getByTestId("collected-table").locator("tbody tr");
  await expect(monthRows).toHaveCount(12);
  const months = await monthRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-month") ?? ""));
  const thisMonth = months.at(-1)!;
  const cashThisMonth = collected.filter((r) => r.month === thisMonth && r.method === "cash").reduce((s, r) => s + Number(r.amount), 0);
  expect(cashThisMonth).toBeGreaterThanOrEqual(7_777);
  await page.getByText("Ver los datos en una tabla").first().click();
  for (const month of months) {
    const total = collected.filter((r) => r.month === month).reduce((s, r) => s + Number(r.amount), 0);
    await expect(page.locator(`[data-testid="collected-table"] tr[data-month="${month}"] [data-testid="month-total"]`)).toHaveText(money(total));
  }
  await expect(page.locator(`[data-month="${thisMonth}"] [data-method="cash"]`)).toHaveText(money(cashThisMonth));

  // Pending and overdue now.
  const [open] = await rows<{ pending_count: number; pending_amount: string; overdue_count: number; overdue_amount: string }>(
    `select count(*)::int as pending_count, coalesce(sum(amount), 0)::text as pending_amount,
            (count(*) filter (where due_date < (now() at time zone $1)::date))::int as overdue_count,
            coalesce(sum(amount) filter (where due_date < (now() at time zone $1)::date), 0)::text as overdue_amount
     from receipts where status = 'pending' and currency = 'EUR'`,
    [timeZone],
  );
  const openTable = page.getByTestId("open-table");
  await expect(openTable.locator('[data-figure="pending"] [data-testid="count"]')).toHaveText(String(open!.pending_count));
  await expect(openTable.locator('[data-figure="pending"] [data-testid="amount"]')).toHaveText(money(Number(open!.pending_amount)));
  await expect(openTable.locator('[data-figure="overdue"] [data-testid="count"]')).toHaveText(String(open!.overdue_count));
  await expect(openTable.locator('[data-figure="overdue"] [data-testid="amount"]')).toHaveText(money(Number(open!.overdue_amount)));
  await expect(page.getByRole("img", { name: "Pendiente y vencido hoy" })).toContainText(money(Number(open!.pending_amount)));

  // The funnel of the default range, then of a range chosen in the form.
  const funnelFigures = async (from: string, to: string) => {
    const [row] = await rows<{ started: number; paid: number; cancelled: number }>(
      `select count(*)::int as started,
              (count(*) filter (where exists (select 1 from receipts r where r.enrollment_id = e.id and r.kind = 'enrollment' and r.paid_at is not null)))::int as paid,
              (count(*) filter (where e.status = 'cancelled'))::int as cancelled
       from enrollments e
       where e.created_at >= ($1::date::timestamp at time zone $3) and e.created_at < (($2::date + 1)::timestamp at time zone $3)`,
      [from, to, timeZone],
    );
    return row!;
  };
  const checkFunnel = async () => {
    const from = await page.getByLabel("Desde").inputValue();
    const to = await page.getByLabel("Hasta").inputValue();
    const figures = await funnelFigures(from, to);
    for (const stage of ["started", "paid", "cancelled"] as const) {
      await expect(page.locator(`[data-testid="funnel-table"] [data-stage="${stage}"] [data-testid="count"]`)).toHaveText(String(figures[stage]));
    }
    return figures;
  };
  const all = await checkFunnel();
  expect(all.started, "the seed and the other specs enrolled someone this year").toBeGreaterThan(0);
  const [newest] = await rows<{ day: string }>(`select to_char(max(created_at) at time zone $1, 'YYYY-MM-DD') as day from enrollments`, [timeZone]);
  await page.getByLabel("Desde").fill(newest!.day);
  await page.getByLabel("Hasta").fill(newest!.day);
  await page.getByRole("button", { name: "Ver periodo" }).click();
  await expect(page).toHaveURL(new RegExp(`from=${newest!.day}&to=${newest!.day}`));
  const oneDay = await checkFunnel();
  expect(oneDay.started).toBeGreaterThan(0);

  await page.goto("/admin/reports");
  await page.setViewportSize(desktop);
  await page.screenshot({ path: "test-results/screens/admin-reports-desktop-es.png", fullPage: true });
  await page.setViewportSize(phone);
  await expectNoSidewaysScroll(page);
  for (const summary of await page.getByText("Ver los datos en una tabla").all()) await summary.click();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: "test-results/screens/admin-reports-phone-es.png", fullPage: true });
});
