// The enrollment wizard in Chromium: an adult and a minor (with guardian) enroll and pay, the
// enrollment is confirmed by the payment; bad input gets field messages in the user's language.
import { expect, test, type Page } from "@playwright/test";
import { rows } from "./support/db";

let seq = 0;
function dni(): string {
  const n = 30_000_000 + (Date.now() % 1_000_000) * 10 + seq++;
  return `${n}${"TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]}`;
}

async function fillPerson(page: Page, person: { first: string; last: string; doc: string; email: string; phone: string }) {
  await page.getByLabel("Nombre", { exact: true }).fill(person.first);
  await page.getByLabel("Apellidos").fill(person.last);
  await page.getByLabel("Número de documento").fill(person.doc);
  await page.getByLabel("Correo electrónico").fill(person.email);
  await page.getByLabel("Teléfono").fill(person.phone);
}

async function enrollmentStatus(email: string) {
  const [row] = await rows<{ status: string; receipt_status: string; payer_email: string; amount: number }>(
    `select e.status, r.status as receipt_status, r.payer_email, r.amount
     from enrollments e join students s on s.id = e.student_id join receipts r on r.enrollment_id = e.id and r.kind = 'enrollment'
     where s.email = $1 order by e.created_at desc limit 1`,
    [email],
  );
  return row;
}

test("an adult enrolls from the catalog and pays by card; the payment confirms the enrollment", async ({ page }) => {
  const email = `adulto.${Date.now()}@correo.test`;
  await page.goto("/");
  await page.getByRole("link", { name: "Inscribirme: Francés A1 desde cero" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Inscripción: Francés A1 desde cero");
  await expect(page.getByTestId("total")).toHaveText("95,00 €");
  await page.getByRole("button", { name: "Continuar" }).click();

  await fillPerson(page, { first: "Elena", last: "Molina Ruiz", doc: dni(), email, phone: "612 345 678" });
  await page.getByLabel("Fecha de nacimiento").fill("1990-05-20");
  await page.getByLabel("Código postal").fill("46004");
  await page.getByLabel("Localidad").fill("Valencia");
  await page.getByRole("button", { name: "Continuar" }).click();

  await expect(page.getByRole("heading", { name: "Consentimientos" })).toBeFocused();
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Revisa los 2 campos marcados." })).toBeVisible();
  await page.getByLabel(/política de privacidad/).check();
  await page.getByLabel(/condiciones de inscripción/).check();
  await page.getByRole("button", { name: "Continuar" }).click();

  await page.getByRole("radio", { name: /^Tarjeta/ }).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByRole("heading", { name: "Resumen" })).toBeVisible();
  // Everything that will be stored, as the payer writes it: the date in words, the fee in parts.
  await expect(page.getByTestId("summary-student")).toContainText("20 de mayo de 1990");
  await expect(page.getByTestId("summary-student")).toContainText("46004 Valencia");
  await expect(page.getByTestId("summary-course")).toContainText("Matrícula35,00 €");
  await expect(page.getByTestId("summary-course")).toContainText("Primera mensualidad60,00 €");
  await expect(page.getByTestId("summary-course")).toContainText("Total a pagar ahora95,00 €");
  await expect(page.getByTestId("summary-consents")).toContainText("Política de privacidadAceptado");
  await expect(page.getByTestId("summary-consents")).toContainText("Uso de fotografías de claseNo");
  await page.screenshot({ path: "test-results/screens/enrollment-summary-es.png", fullPage: true });
  // One click: straight to the bank's card page, the seat held meanwhile.
  await page.getByRole("button", { name: "Inscribirme y pagar 95,00 €" }).click();
  await expect(page.locator("#pan")).toBeVisible({ timeout: 15_000 });
  expect(await enrollmentStatus(email)).toMatchObject({ status: "pending_payment", receipt_status: "pending", amount: 9500 });
  await page.fill("#pan", "4548810000000003");
  await page.fill("#expiry", "12/39");
  await page.fill("#cvv", "123");
  await page.click("#pay");
  await expect(page.getByRole("heading", { name: "¡Pago recibido!" })).toBeVisible({ timeout: 15_000 });
  await expect.poll(() => enrollmentStatus(email)).toMatchObject({ status: "confirmed", receipt_status: "paid" });
});

test("a minor enrolls with a guardian, who pays with Bizum", async ({ page }) => {
  const studentEmail = `menor.${Date.now()}@correo.test`;
  const guardianEmail = `madre.${Date.now()}@correo.test`;
  await page.goto("/inscripcion/ING-A2-K");
  await page.getByRole("button", { name: "Continuar" }).click();
  await fillPerson(page, { first: "Nico", last: "Blanco Sanz", doc: dni(), email: studentEmail, phone: "+34 611 222 333" });
  await page.getByLabel("Fecha de nacimiento").fill("2014-09-01");
  await page.getByLabel("Código postal").fill("46010");
  await page.getByLabel("Localidad").fill("Valencia");
  await expect(page.getByText(/El alumno es menor de edad/)).toBeVisible();
  await page.getByRole("button", { name: "Continuar" }).click();

  await expect(page.getByRole("heading", { name: "Tutor legal" })).toBeVisible();
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByLabel("Nombre", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await fillPerson(page, { first: "Rosa", last: "Sanz Gil", doc: dni(), email: guardianEmail, phone: "600 111 222" });
  await page.getByLabel("Relación con el alumno").selectOption("mother");
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByLabel(/política de privacidad/).check();
  await page.getByLabel(/condiciones de inscripción/).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByRole("radio", { name: /Bizum/ }).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByRole("button", { name: /Inscribirme y pagar/ }).click();

  await page.fill("#bizum-phone", "+34700000000");
  await page.fill("#bizum-code", "123456");
  await page.click("#bizum-pay");
  await expect(page.getByRole("heading", { name: "¡Pago recibido!" })).toBeVisible({ timeout: 15_000 });
  await expect.poll(() => enrollmentStatus(studentEmail)).toMatchObject({ status: "confirmed", receipt_status: "paid", payer_email: guardianEmail });
});

test("a 12-year-old enrolls without a document (the guardian gives theirs); an adult is refused the children's course with its ages", async ({ page }) => {
  const childEmail = `nino.${Date.now()}@correo.test`;
  await page.goto("/");
  await expect(page.locator('[data-course-code="ING-A2-K"]').getByTestId("ages")).toHaveText("De 10 a 13 años");
  await page.goto("/inscripcion/ING-A2-K");
  await page.getByRole("button", { name: "Continuar" }).click();
  // An adult first: the course is for 10 to 13 year olds.
  await fillPerson(page, { first: "Iker", last: "Adulto", doc: dni(), email: childEmail, phone: "612 345 678" });
  await page.getByLabel("Fecha de nacimiento").fill("1990-01-01");
  await page.getByLabel("Código postal").fill("46004");
  await page.getByLabel("Localidad").fill("Valencia");
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByText("Este curso es para alumnos de 10 a 13 años al empezar.")).toBeVisible();
  // The same form for a 12-year-old with no DNI.
  await page.getByLabel("Fecha de nacimiento").fill("2014-03-10");
  await page.getByLabel("Número de documento").fill("");
  await expect(page.getByTestId("document-optional")).toBeVisible();
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByRole("heading", { name: "Tutor legal" })).toBeVisible();
  await fillPerson(page, { first: "Marta", last: "Tutora", doc: dni(), email: `tutora.${Date.now()}@correo.test`, phone: "600 111 222" });
  await page.getByLabel("Relación con el alumno").selectOption("mother");
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByLabel(/política de privacidad/).check();
  await page.getByLabel(/condiciones de inscripción/).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByRole("radio", { name: /^Bizum/ }).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByRole("button", { name: /Inscribirme y pagar/ }).click();
  await expect(page.locator("#bizum-phone")).toBeVisible({ timeout: 15_000 });
  const [student] = await rows<{ document_number: string | null; document_type: string | null }>(
    `select document_number, document_type from students where email = $1`,
    [childEmail],
  );
  expect(student).toEqual({ document_number: null, document_type: null });
});

test("a payer who leaves the provider and enrolls again with another method goes to that method, for the same held seat", async ({ browser }) => {
  const email = `otra.vez.${Date.now()}@correo.test`;
  const doc = dni();
  const walk = async (method: RegExp, lands: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto("/inscripcion/ALE-A2");
    await page.getByRole("button", { name: "Continuar" }).click();
    await fillPerson(page, { first: "Nora", last: "Repite", doc, email, phone: "612 345 678" });
    await page.getByLabel("Fecha de nacimiento").fill("1991-02-03");
    await page.getByLabel("Código postal").fill("46004");
    await page.getByLabel("Localidad").fill("Valencia");
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByLabel(/política de privacidad/).check();
    await page.getByLabel(/condiciones de inscripción/).check();
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByRole("radio", { name: method }).check();
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByRole("button", { name: /Inscribirme y pagar/ }).click();
    await expect(page.locator(lands)).toBeVisible({ timeout: 15_000 });
    await context.close();
  };
  await walk(/^PayPal/, "#approve");
  await walk(/^Tarjeta/, "#pan");
  const attempts = await rows<{ method: string }>(
    `select a.method from payment_attempts a join receipts r on r.id = a.receipt_id join enrollments e on e.id = r.enrollment_id
     join students s on s.id = e.student_id where s.email = $1 order by a.created_at`,
    [email],
  );
  expect(attempts.map((a) => a.method)).toEqual(["paypal", "redsys"]);
  const [{ n } = { n: 0 }] = await rows<{ n: number }>(
    `select count(*)::int as n from enrollments e join students s on s.id = e.student_id where s.email = $1`,
    [email],
  );
  expect(n).toBe(1);
});

test("names refuse markup, a long text says its limit, and the consents link to the academy's policies", async ({ page }) => {
  await page.goto("/inscripcion/ALE-A2");
  await page.getByRole("button", { name: "Continuar" }).click();
  await fillPerson(page, { first: "Ana", last: "<b>Pérez</b> <script>", doc: dni(), email: "ana@correo.test", phone: "612 345 678" });
  await page.getByLabel("Fecha de nacimiento").fill("1990-01-01");
  await page.getByLabel("Código postal").fill("46004");
  await page.getByLabel("Localidad").fill("V".repeat(101));
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByText("Escribe solo letras, espacios, guiones, apóstrofos o puntos.")).toBeVisible();
  await expect(page.getByText("Es demasiado largo: como mucho 100 caracteres.")).toBeVisible();
  await page.getByLabel("Apellidos").fill("Pérez");
  await page.getByLabel("Localidad").fill("Valencia");
  await page.getByRole("button", { name: "Continuar" }).click();
  const privacy = page.getByRole("link", { name: "política de privacidad" });
  await expect(privacy).toHaveAttribute("href", "/privacidad");
  await expect(page.getByRole("link", { name: "condiciones de inscripción y de pago" })).toHaveAttribute("href", "/condiciones");
  const [policy] = await Promise.all([page.waitForEvent("popup"), privacy.click()]);
  await expect(policy.getByRole("heading", { level: 1 })).toHaveText("Política de privacidad");
  await expect(policy.getByText(/Academia Sol de Idiomas S\.L\. \(NIF B46123450\)/)).toBeVisible();
  await policy.close();
});

test("bad input gets a message on each field, in Spanish and in English, kept across steps", async ({ page }) => {
  await page.goto("/inscripcion/ALE-A2");
  await page.getByRole("button", { name: "Continuar" }).click();
  await fillPerson(page, { first: "Ana", last: "López", doc: "12345678A", email: "no-es-correo", phone: "12345" });
  await page.getByLabel("Fecha de nacimiento").fill("2099-01-01");
  await page.getByLabel("Código postal").fill("99999");
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByText("La letra no corresponde al número del DNI. Revisa las cifras y la letra.")).toBeVisible();
  await expect(page.getByText("Escribe un correo electrónico válido, como nombre@ejemplo.es.")).toBeVisible();
  await expect(page.getByText(/Escribe un teléfono válido/)).toBeVisible();
  await expect(page.getByText("La fecha de nacimiento no puede ser posterior a hoy.")).toBeVisible();
  await expect(page.getByText(/código postal español/)).toBeVisible();
  await expect(page.getByLabel("Número de documento")).toBeFocused();

  // What was typed survives a reload and a change of language.
  await page.reload();
  await expect(page.getByLabel("Correo electrónico")).toHaveValue("no-es-correo");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByLabel("E-mail")).toHaveValue("no-es-correo");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("The letter does not match the DNI number. Check the digits and the letter.")).toBeVisible();
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/screens/enrollment-errors-phone-en.png", fullPage: true });
  await page.getByRole("button", { name: "Español" }).click();
});

test("a submission crafted to bypass the browser's checks is refused by the server and creates nothing", async ({ page }) => {
  const email = `forjado.${Date.now()}@correo.test`;
  await page.goto("/inscripcion/ALE-A2");
  await page.getByRole("button", { name: "Continuar" }).click();
  await fillPerson(page, { first: "Raúl", last: "Forjado", doc: dni(), email, phone: "612 345 678" });
  await page.getByLabel("Fecha de nacimiento").fill("1985-01-01");
  await page.getByLabel("Código postal").fill("46001");
  await page.getByLabel("Localidad").fill("Valencia");
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByLabel(/política de privacidad/).check();
  await page.getByLabel(/condiciones de inscripción/).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByRole("radio", { name: /^Tarjeta/ }).check();
  await page.getByRole("button", { name: "Continuar" }).click();

  // Rewrite the server action's arguments on the way out, as a crafted request would.
  let tampered = 0;
  await page.route("**/inscripcion/**", async (route) => {
    const request = route.request();
    if (request.method() !== "POST" || !request.headers()["next-action"]) return route.continue();
    const args = JSON.parse(request.postData() ?? "[]") as [{ student: { documentNumber: string }; consents: { terms: boolean }; method: string }, unknown];
    args[0].student.documentNumber = "12345678A";
    args[0].consents.terms = false;
    args[0].method = "cash";
    tampered++;
    return route.continue({ postData: JSON.stringify(args) });
  });
  await page.getByRole("button", { name: /Inscribirme y pagar/ }).click();
  await expect(page.getByText("La letra no corresponde al número del DNI. Revisa las cifras y la letra.")).toBeVisible();
  expect(tampered).toBe(1);
  const created = await rows<{ n: number }>(`select count(*)::int as n from students where email = $1`, [email]);
  expect(created[0]!.n).toBe(0);
});
