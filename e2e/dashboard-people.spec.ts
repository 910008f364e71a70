// The dashboard's people pages against the database: staff create a course (fees typed in euros,
// stored in cents; field errors in Spanish), edit its capacity and fee, find a student, cancel an
// enrollment with a reason and see the seat freed, offer a free seat to the waiting list, and
// resolve an attention item; an admin returns a double payment through the Stripe sandbox while
// the same call replayed by a staff user is refused. Rows are made by the spec (the database is
// shared with the other specs), and every page is photographed on a desktop and a phone.
import { randomInt, randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { api, createReceipt, receiptState } from "./support/api";
import { admin, signIn, staff } from "./support/auth";
import { money, rows } from "./support/db";
import { appUrl } from "./support/ports";
import { screenshots } from "./support/screens";

const tag = randomUUID().slice(0, 6).toUpperCase();

/** A section link of the dashboard's header. */
function nav(page: Page, name: string) {
  return page.locator("header nav").getByRole("link", { name, exact: true });
}

/** A student with an enrollment in the course: a running hold with its pending receipt, or a place on the waiting list. */
async function enrollmentFixture(courseId: string, status: "pending_payment" | "waitlisted", who: { firstName: string; lastName: string }) {
  const document = `X${randomInt(1_000_000, 9_999_999)}${"TRWAGMYFPDXBNJZSQVHLCKE"[randomInt(0, 23)]}`;
  const [student] = await rows<{ id: string }>(
    `insert into students (first_name, last_name, email, document_type, document_number) values ($1, $2, $3, 'nie', $4) returning id`,
    [who.firstName, who.lastName, `${who.firstName.toLowerCase()}.${tag.toLowerCase()}.${randomInt(1e6)}@correo.test`, document],
  );
  const [enrollment] = await rows<{ id: string }>(
    `insert into enrollments (student_id, course_id, status, hold_expires_at, payment_method) values ($1, $2, $3, $4, 'bizum') returning id`,
    [student!.id, courseId, status, status === "pending_payment" ? new Date(Date.now() + 2 * 3600_000) : null],
  );
  let receiptId: string | undefined;
  if (status === "pending_payment") {
    const n = randomInt(1, 999_999);
    const [receipt] = await rows<{ id: string }>(
      `insert into receipts (number, series_year, series_number, kind, student_id, enrollment_id, concept, amount, due_date, payer_name, payer_email)
       values ($1, 2098, $2, 'enrollment', $3, $4, 'Matrícula (e2e)', 13025, '2026-12-05', $5, 'pagador@correo.test') returning id`,
      [`2098-${String(n).padStart(6, "0")}`, n, student!.id, enrollment!.id, `${who.firstName} ${who.lastName}`],
    );
    receiptId = receipt!.id;
  }
  return { studentId: student!.id, enrollmentId: enrollment!.id, receiptId, document };
}

test("anonymous visitors of the people pages are sent to sign in", async ({ page }) => {
  for (const path of ["/admin/attention", "/admin/students", "/admin/enrollments", "/admin/courses", "/admin/courses/new"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/admin\/sign-in/);
  }
});

test("staff create and edit a course, find a student, cancel an enrollment and offer the freed seat", async ({ page }) => {
  // One story across five pages with a dozen server round trips: more than the default 30 s on a busy 2-core machine.
  test.setTimeout(120_000);
  await signIn(page, staff);
  await nav(page, "Cursos").click();
  await expect(page).toHaveURL(/\/admin\/courses$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cursos");
  const [courseCount] = await rows<{ n: number }>(`select count(*)::int as n from courses`);
  await expect(page.getByTestId("course-row")).toHaveCount(courseCount!.n);
  await screenshots(page, "admin-courses");

  // A new course, first with a fee that is not an exact amount of cents: the field says so.
  await page.getByRole("link", { name: "Nuevo curso" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Nuevo curso");
  const code = `E2E-${tag}`;
  const form = page.getByTestId("course-form");
  await form.getByLabel("Nombre").fill(`Italiano A1 ${tag}`);
  await form.getByLabel("Código").fill(code.toLowerCase());
  await form.getByLabel("Horario").fill("Martes y jueves, 19:00–20:30");
  await form.getByLabel("Fecha de inicio").fill("2027-01-11");
  await form.getByLabel("Fecha de fin").fill("2027-06-18");
  await form.getByLabel("Plazas").fill("1");
  await form.getByLabel("Estado").selectOption("open");
  await form.getByLabel("Matrícula (€)").fill("40");
  await form.getByLabel("Mensualidad (€)").fill("85,505");
  await screenshots(page, "admin-course-new");
  await form.getByRole("button", { name: "Crear curso" }).click();
  await expect(page.getByTestId("error-monthlyFee")).toHaveText("Un importe en euros con hasta dos decimales, por ejemplo 85,50.");
  await expect(form.getByLabel("Mensualidad (€)")).toHaveAttribute("aria-invalid", "true");
  // What was typed stays.
  await expect(form.getByLabel("Nombre")).toHaveValue(`Italiano A1 ${tag}`);
  expect(await rows(`select 1 from courses where code = $1`, [code])).toHaveLength(0);

  await form.getByLabel("Mensualidad (€)").fill("85,50");
  await form.getByRole("button", { name: "Crear curso" }).click();
  await expect(page).toHaveURL(/\/admin\/courses\/[0-9a-f-]{36}\?created=1$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Italiano A1 ${tag}`);
  const [created] = await rows<{ id: string; capacity: number; enrollment_fee: number; monthly_fee: number; status: string }>(
    `select id, capacity, enrollment_fee, monthly_fee, status from courses where code = $1`,
    [code],
  );
  expect(created).toMatchObject({ capacity: 1, enrollment_fee: 4000, monthly_fee: 8550, status: "open" });
  const courseId = created!.id;
  const audit = await rows<{ email: string }>(
    `select u.email from audit_events e join staff_users u on u.id = e.staff_user_id where e.action = 'course.created' and e.data->>'courseId' = $1`,
    [courseId],
  );
  expect(audit.map((a) => a.email)).toEqual([staff.email]);

  // Edit: two seats, a new monthly fee typed the Spanish way.
  const edit = page.getByTestId("course-form");
  await expect(edit.getByLabel("Mensualidad (€)")).toHaveValue("85,50");
  await edit.getByLabel("Plazas").fill("2");
  await edit.getByLabel("Mensualidad (€)").fill("90,25");
  await edit.getByRole("button", { name: "Guardar cambios" }).click();
  await expect(page.getByTestId("course-form-outcome")).toHaveText("Cambios guardados.");
  await expect
    .poll(async () => (await rows<{ capacity: number; monthly_fee: number }>(`select capacity, monthly_fee from courses where id = $1`, [courseId]))[0])
    .toEqual({ capacity: 2, monthly_fee: 9025 });
  await expect(page.getByTestId("seats-capacity")).toHaveText("2");

  // Two students hold the two seats; a third waits.
  const ana = await enrollmentFixture(courseId, "pending_payment", { firstName: "Irene", lastName: `Salvat ${tag}` });
  await enrollmentFixture(courseId, "pending_payment", { firstName: "Bruno", lastName: `Cano ${tag}` });
  const waiting = await enrollmentFixture(courseId, "waitlisted", { firstName: "Olga", lastName: `Martí ${tag}` });
  await page.reload();
  await expect(page.getByTestId("seats-held")).toHaveText("2");
  await expect(page.getByTestId("seats-free")).toHaveText("0");
  await expect(page.getByTestId("waiting-list").locator("li")).toHaveCount(1);
  await expect(page.getByTestId("offer-seat")).toHaveCount(0);
  // Capacity cannot go below the seats held.
  await page.getByTestId("course-form").getByLabel("Plazas").fill("1");
  await page.getByTestId("course-form").getByRole("button", { name: "Guardar cambios" }).click();
  await expect(page.getByTestId("error-capacity")).toHaveText("No puede haber menos plazas que las 2 ya ocupadas o reservadas.");
  expect((await rows<{ capacity: number }>(`select capacity from courses where id = $1`, [courseId]))[0]!.capacity).toBe(2);

  // Find the first student by document, then by name.
  await nav(page, "Alumnos").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Alumnos");
  await screenshots(page, "admin-students");
  await page.getByLabel("Buscar alumno").fill(ana.document.toLowerCase());
  await page.getByRole("button", { name: "Buscar" }).click();
  await expect(page.getByTestId("student-row")).toHaveCount(1);
  await expect(page.getByTestId("student-row")).toHaveAttribute("data-student-id", ana.studentId);
  await page.getByLabel("Buscar alumno").fill(`irene salvat ${tag}`);
  await page.getByRole("button", { name: "Buscar" }).click();
  await expect(page.getByTestId("student-row")).toHaveCount(1);
  await page.getByRole("link", { name: `Salvat ${tag}, Irene` }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Irene Salvat ${tag}`);
  await expect(page.getByTestId("student-enrollments").locator(`[data-enrollment-id="${ana.enrollmentId}"]`)).toContainText("Pendiente de pago");
  await expect(page.getByTestId("student-receipts").locator(`[data-receipt-id="${ana.receiptId}"]`)).toContainText(money(13025));
  await expect(page.getByTestId("student-money")).toContainText(money(13025));
  await screenshots(page, "admin-student");

  // Cancel her enrollment with a reason: the receipt is cancelled, and the seat goes to the one waiting.
  await page.goto(`/admin/enrollments?course=${courseId}`);
  await expect(page.getByTestId("enrollments-count")).toHaveAttribute("data-count", "3");
  await screenshots(page, "admin-enrollments");
  const card = page.locator(`[data-testid="enrollment-row"][data-enrollment-id="${ana.enrollmentId}"]`);
  await card.getByText("Anular", { exact: true }).click();
  page.once("dialog", (dialog) => void dialog.accept());
  await card.getByLabel("Motivo").fill("Se muda a otra ciudad");
  await card.getByRole("button", { name: "Anular matrícula" }).click();
  await expect(page.getByTestId("people-outcome")).toHaveText("Matrícula anulada; la plaza queda libre.");
  await expect(page.locator(`[data-testid="enrollment-row"][data-enrollment-id="${ana.enrollmentId}"]`)).toHaveAttribute("data-status", "cancelled");
  const [after] = await rows<{ status: string; cancel_reason: string; receipt_status: string }>(
    `select e.status, e.cancel_reason, r.status as receipt_status from enrollments e join receipts r on r.enrollment_id = e.id where e.id = $1`,
    [ana.enrollmentId],
  );
  expect(after).toEqual({ status: "cancelled", cancel_reason: "Se muda a otra ciudad", receipt_status: "cancelled" });
  const [offered] = await rows<{ status: string; receipts: number }>(
    `select e.status, (select count(*)::int from receipts r where r.enrollment_id = e.id and r.status = 'pending') as receipts from enrollments e where e.id = $1`,
    [waiting.enrollmentId],
  );
  expect(offered).toEqual({ status: "pending_payment", receipts: 1 });
  const cancelAudit = await rows<{ action: string; email: string }>(
    `select e.action, u.email from audit_events e join staff_users u on u.id = e.staff_user_id where e.enrollment_id = $1 order by e.id`,
    [ana.enrollmentId],
  );
  expect(cancelAudit).toEqual([
    { action: "enrollment.cancelled", email: staff.email },
    { action: "receipt.cancelled", email: staff.email },
  ]);

  // The course page: nobody waits any more; cancelling the offered hold too frees a seat for good.
  await page.goto(`/admin/courses/${courseId}`);
  await expect(page.getByTestId("seats-held")).toHaveText("2");
  await expect(page.getByTestId("waiting-list")).toHaveCount(0);
  await page.goto(`/admin/enrollments?course=${courseId}&status=pending_payment`);
  const offeredCard = page.locator(`[data-testid="enrollment-row"][data-enrollment-id="${waiting.enrollmentId}"]`);
  await offeredCard.getByText("Anular", { exact: true }).click();
  page.once("dialog", (dialog) => void dialog.accept());
  await offeredCard.getByLabel("Motivo").fill("Ya no puede ese horario");
  await offeredCard.getByRole("button", { name: "Anular matrícula" }).click();
  await expect(page.getByTestId("people-outcome")).toHaveText("Matrícula anulada; la plaza queda libre.");
  // The list shows pending enrollments only: the cancelled one has left it.
  await expect(offeredCard).toHaveCount(0);
  await page.goto(`/admin/courses/${courseId}`);
  await expect(page.getByTestId("seats-held")).toHaveText("1");
  await expect(page.getByTestId("seats-free")).toHaveText("1");

  // A new student on the waiting list while a seat is free: staff offer it by hand.
  const late = await enrollmentFixture(courseId, "waitlisted", { firstName: "Pau", lastName: `Ribas ${tag}` });
  await page.reload();
  await expect(page.getByTestId("waiting-list").locator("li")).toHaveCount(1);
  await screenshots(page, "admin-course");
  await page.getByTestId("offer-seat").getByRole("button", { name: "Ofrecer la plaza" }).click();
  await expect(page.getByTestId("people-outcome")).toHaveText("Plaza ofrecida al primero de la lista.");
  await expect(page.getByTestId("waiting-list")).toHaveCount(0);
  expect((await rows<{ status: string }>(`select status from enrollments where id = $1`, [late.enrollmentId]))[0]!.status).toBe("pending_payment");
  await page.reload();
  await expect(page.getByTestId("seats-free")).toHaveText("0");
});

/** A receipt paid by card at the Stripe sandbox, as a payer would (see api.spec.ts). */
/** A receipt paid twice at the Stripe sandbox (two tabs, two payments): the second is flagged. */
async function receiptPaidTwice(amount: number) {
  const receipt = await createReceipt({ amount, concept: `Curso de verano ${tag} (e2e)` });
  const tabs = [
    await api(`/receipts/${receipt.id}/checkout`, { body: { method: "stripe" } }),
    await api(`/receipts/${receipt.id}/checkout`, { body: { method: "stripe" } }),
  ];
  for (const started of tabs) {
    expect(started.status).toBe(201);
    const paid = await fetch((started.body.action as { url: string }).url, {
      method: "POST",
      body: new URLSearchParams({ outcome: "pay" }),
      redirect: "manual",
    });
    const back = paid.headers.get("location");
    if (back) await fetch(back);
  }
  await expect
    .poll(async () => (await rows(`select 1 from attention_items where kind = 'double_payment' and receipt_id = $1`, [receipt.id])).length, { timeout: 10_000 })
    .toBe(1);
  expect((await receiptState(receipt.id)).status).toBe("paid");
  return receipt;
}

test("staff resolve an attention item with a note; returning a double payment is for admins only", async ({ page, browser }) => {
  // An amount mismatch for staff to resolve, and a double payment (its money taken at the Stripe sandbox).
  const mismatched = await createReceipt({ amount: 5000, concept: `Libro ${tag} (e2e)` });
  const [mismatch] = await rows<{ id: string }>(`insert into attention_items (kind, receipt_id, evidence) values ('amount_mismatch', $1, $2) returning id`, [
    mismatched.id,
    JSON.stringify({ asked: { amount: 5000, currency: "EUR" }, paid: { amount: 500, currency: "EUR" }, paymentRef: `pi_e2e_${tag}`, provider: "stripe" }),
  ]);
  const doubled = await receiptPaidTwice(7000);
  const [double] = await rows<{ id: string }>(`select id from attention_items where kind = 'double_payment' and receipt_id = $1`, [doubled.id]);

  await signIn(page, staff);
  await nav(page, "Atención").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Necesita atención");
  const [open] = await rows<{ n: number }>(`select count(*)::int as n from attention_items where resolved_at is null`);
  await expect(page.getByTestId("tab-open")).toHaveText(`Abiertos (${open!.n})`);
  const mismatchCard = page.locator(`[data-testid="attention-item"][data-item-id="${mismatch!.id}"]`);
  await expect(mismatchCard).toContainText(`Recibo ${mismatched.number}`);
  await expect(mismatchCard.getByTestId("evidence")).toContainText(money(500));
  await expect(mismatchCard.getByTestId("evidence")).toContainText(`pi_e2e_${tag}`);
  await expect(mismatchCard.getByRole("link", { name: `Recibo ${mismatched.number}` })).toHaveAttribute("href", `/admin/receipts/${mismatched.id}`);
  // Staff see the double payment but not the refund button.
  const doubleCard = page.locator(`[data-testid="attention-item"][data-item-id="${double!.id}"]`);
  await expect(page.locator(`[data-testid="attention-group"][data-kind="double_payment"]`).locator(`[data-item-id="${double!.id}"]`)).toHaveCount(1);
  await expect(doubleCard.getByTestId(`refund-admin-only-${double!.id}`)).toHaveText("Solo un administrador puede devolver este pago.");
  await expect(doubleCard.getByRole("button", { name: "Devolver el pago de más" })).toHaveCount(0);
  await screenshots(page, "admin-attention");

  // A note is required to mark an item resolved.
  await mismatchCard.getByRole("button", { name: "Marcar como resuelto" }).click();
  expect(await mismatchCard.getByLabel("Qué se ha hecho").evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
  await mismatchCard.getByLabel("Qué se ha hecho").fill("Cobrado el resto en secretaría");
  await mismatchCard.getByRole("button", { name: "Marcar como resuelto" }).click();
  await expect(page.getByTestId("people-outcome")).toHaveText("Aviso resuelto.");
  await expect(mismatchCard).toHaveCount(0);
  const [resolved] = await rows<{ resolution: string; email: string }>(
    `select i.resolution, u.email from attention_items i join staff_users u on u.id = i.resolved_by where i.id = $1`,
    [mismatch!.id],
  );
  expect(resolved).toEqual({ resolution: "resolved: Cobrado el resto en secretaría", email: staff.email });
  const resolvedAudit = await rows<{ email: string }>(
    `select u.email from audit_events e join staff_users u on u.id = e.staff_user_id where e.action = 'attention.resolved' and e.data->>'itemId' = $1`,
    [mismatch!.id],
  );
  expect(resolvedAudit).toHaveLength(1);
  await page.getByTestId("tab-resolved").click();
  await expect(page).toHaveURL(/tab=resolved/);
  await expect(page.locator(`[data-testid="attention-item"][data-item-id="${mismatch!.id}"]`).getByTestId("resolution")).toContainText(
    "Cobrado el resto en secretaría",
  );
  await screenshots(page, "admin-attention-resolved");

  // The admin returns the extra payment through Stripe; the receipt stays paid.
  const adminContext = await browser.newContext();
  let request;
  try {
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin);
    await adminPage.goto("/admin/attention");
    const adminCard = adminPage.locator(`[data-testid="attention-item"][data-item-id="${double!.id}"]`);
    adminPage.once("dialog", (dialog) => void dialog.accept());
    [request] = await Promise.all([
      adminPage.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined),
      adminCard.getByRole("button", { name: "Devolver el pago de más" }).click(),
    ]);
    await expect(adminPage.getByTestId("people-outcome")).toHaveText("Devolución solicitada.");
    await expect(adminCard).toHaveCount(0);
  } finally {
    await adminContext.close();
  }
  const refunds = await rows<{ status: string; amount: number; provider_ref: string | null }>(
    `select status, amount, provider_ref from refunds where receipt_id = $1`,
    [doubled.id],
  );
  expect(refunds).toHaveLength(1);
  expect(refunds[0]).toMatchObject({ status: "succeeded", amount: 7000 });
  expect(refunds[0]!.provider_ref).toBeTruthy();
  expect((await rows<{ resolved: boolean }>(`select resolved_at is not null as resolved from attention_items where id = $1`, [double!.id]))[0]!.resolved).toBe(
    true,
  );
  // The provider's answer went through the webhook path as money that never paid the receipt:
  // the receipt was paid once and stays paid, with nothing refunded on it, and no "late payment" mail.
  expect(await rows(`select 1 from audit_events where receipt_id = $1 and action = 'refund.extra_payment_returned'`, [doubled.id])).toHaveLength(1);
  expect(await rows(`select 1 from messages where receipt_id = $1 and template = 'late_payment_refunded'`, [doubled.id])).toHaveLength(0);
  expect(await receiptState(doubled.id)).toMatchObject({ status: "paid", refundedAmount: 0 });

  // The same call sent by the staff user is refused by the action itself.
  const forged = await page.request.post(request.url(), {
    headers: {
      "next-action": request.headers()["next-action"]!,
      "content-type": request.headers()["content-type"]!,
      accept: "text/x-component",
      origin: appUrl,
    },
    data: request.postDataBuffer()!,
  });
  expect(await forged.text()).toContain('"error":"forbidden"');
  expect(await rows(`select 1 from refunds where receipt_id = $1`, [doubled.id])).toHaveLength(1);
});
