// The academy's main flow with every provider, for an adult (desktop) and for a minor with a
// guardian (phone): enroll in Chromium, and one click on the summary takes the payer to the
// sandbox's provider page; once paid the enrollment is confirmed, the confirmation e-mail
// arrives at a real SMTP server and the campus (the sandbox's Moodle) has the student enrolled in
// the course's Moodle course. Screenshots of the summary and the provider page are attached.
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { startTestSmtpServer, type TestSmtpServer } from "../scripts/testing/smtp-server";
import { admin, signIn } from "./support/auth";
import { cardsServedBy, rows } from "./support/db";
import { runJob } from "./support/jobs";
import { appUrl, sandboxUrl, ports } from "./support/ports";
import { desktop, phone } from "./support/screens";

const sandbox = sandboxUrl;
let smtp: TestSmtpServer;

test.beforeAll(async () => {
  smtp = await startTestSmtpServer({ port: ports.smtp });
});
test.afterAll(async () => {
  await smtp?.close();
});
// Redsys serves cards unless a case says otherwise.
test.afterEach(() => cardsServedBy("redsys"));

let seq = 0;
function dni(): string {
  const n = 50_000_000 + (Date.now() % 100_000) * 100 + seq++;
  return `${n}${"TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]}`;
}

type Method = "redsys" | "bizum" | "stripe" | "paypal";
// Payers choose a way to pay, never a provider: the Stripe cases have Stripe serve "Tarjeta".
const methodLabel: Record<Method, RegExp> = { redsys: /^Tarjeta/, bizum: /^Bizum/, stripe: /^Tarjeta/, paypal: /^PayPal/ };

async function person(page: Page, p: { first: string; last: string; email: string }) {
  await page.getByLabel("Nombre", { exact: true }).fill(p.first);
  await page.getByLabel("Apellidos").fill(p.last);
  await page.getByLabel("Número de documento").fill(dni());
  await page.getByLabel("Correo electrónico").fill(p.email);
  await page.getByLabel("Teléfono").fill("612 345 678");
}

/** On the provider's own page (the sandbox's): pay. */
async function payAtProvider(page: Page, method: Method) {
  if (method === "paypal") {
    await page.click("#approve");
  } else if (method === "redsys") {
    await page.fill("#pan", "4548810000000003");
    await page.fill("#expiry", "12/39");
    await page.fill("#cvv", "123");
    await page.click("#pay");
  } else if (method === "bizum") {
    await page.fill("#bizum-phone", "+34700000000");
    await page.fill("#bizum-code", "123456");
    await page.click("#bizum-pay");
  } else {
    await page.click("#pay");
  }
}

/** On our payment page (a link, a retry): choose the method and go to the provider. */
async function payFromPaymentPage(page: Page, method: Method) {
  await page.getByRole("radio", { name: methodLabel[method] }).check();
  if (method === "paypal") await page.getByRole("button", { name: "O paga con PayPal en su web" }).click();
  else await page.getByRole("button", { name: /^Pagar/ }).click();
  await payAtProvider(page, method);
}

/** The provider page each method lands on, to know the one click got there. */
const providerPage: Record<Method, string> = { redsys: "#pan", bizum: "#bizum-phone", stripe: "#pay", paypal: "#approve" };

/**
 * Walks the wizard to the summary and presses "Inscribirme y pagar" once: the browser lands on the
 * provider's page (no second "Pagar" on our side).
 */
async function enroll(
  page: Page,
  e: {
    course: string;
    method: Method;
    student: { first: string; last: string; email: string; birthDate: string };
    guardian?: { first: string; last: string; email: string };
  },
  shots?: { info: TestInfo; name: string },
) {
  await page.goto(`/inscripcion/${e.course}`);
  await page.getByRole("button", { name: "Continuar" }).click();
  await person(page, e.student);
  await page.getByLabel("Fecha de nacimiento").fill(e.student.birthDate);
  await page.getByLabel("Código postal").fill("46004");
  await page.getByLabel("Localidad").fill("Valencia");
  await page.getByRole("button", { name: "Continuar" }).click();
  if (e.guardian) {
    await person(page, e.guardian);
    await page.getByLabel("Relación con el alumno").selectOption("mother");
    await page.getByRole("button", { name: "Continuar" }).click();
  }
  await page.getByLabel(/política de privacidad/).check();
  await page.getByLabel(/condiciones de inscripción/).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByRole("radio", { name: methodLabel[e.method] }).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByTestId("summary-course")).toBeVisible();
  if (shots) await shots.info.attach(`${shots.name}-summary`, { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  await page.getByRole("button", { name: /Inscribirme y pagar/ }).click();
  await expect(page.locator(providerPage[e.method])).toBeVisible({ timeout: 15_000 });
  if (shots) await shots.info.attach(`${shots.name}-provider`, { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
}

const kids = "Inglés A2 para jóvenes (10–13 años)";
const cases: { who: "adult" | "minor"; method: Method; course: string; courseName: string }[] = [
  { who: "adult", method: "redsys", course: "ESP-B1-INT", courseName: "Español para extranjeros B1 intensivo" },
  { who: "adult", method: "bizum", course: "FRA-A1", courseName: "Francés A1 desde cero" },
  { who: "adult", method: "stripe", course: "ALE-A2", courseName: "Alemán A2" },
  { who: "adult", method: "paypal", course: "ESP-B1-INT", courseName: "Español para extranjeros B1 intensivo" },
  { who: "minor", method: "redsys", course: "ING-A2-K", courseName: kids },
  { who: "minor", method: "bizum", course: "ING-A2-K", courseName: kids },
  { who: "minor", method: "stripe", course: "ING-A2-K", courseName: kids },
  { who: "minor", method: "paypal", course: "ING-A2-K", courseName: kids },
];

for (const { who, method, course, courseName } of cases) {
  test(`${who === "adult" ? "an adult on a desktop" : "a minor with a guardian, on a phone,"} enrolls and goes to pay with ${method} in one click`, async ({
    page,
  }, info) => {
    await page.setViewportSize(who === "minor" ? phone : desktop);
    if (method === "stripe") await cardsServedBy("stripe");
    const stamp = `${Date.now()}${seq}`;
    const studentEmail = `alumno.${method}.${stamp}@correo.test`;
    const payerEmail = who === "minor" ? `familia.${method}.${stamp}@correo.test` : studentEmail;
    await enroll(
      page,
      {
        course,
        method,
        student: {
          first: who === "minor" ? "Pau" : "Olga",
          last: `Prueba ${stamp}`,
          email: studentEmail,
          birthDate: who === "minor" ? "2014-06-15" : "1988-06-15",
        },
        guardian: who === "minor" ? { first: "Clara", last: `Tutora ${stamp}`, email: payerEmail } : undefined,
      },
      { info, name: `wizard-${who}-${method}-${who === "minor" ? "phone" : "desktop"}` },
    );
    await payAtProvider(page, method);
    await expect(page.getByRole("heading", { name: "¡Pago recibido!" })).toBeVisible({ timeout: 15_000 });
    // What happens next: the place is confirmed, when classes start, what comes by e-mail.
    await expect(page.getByTestId("what-next")).toContainText(`Tu plaza en ${courseName} está confirmada`);
    const [{ started } = { started: false }] = await rows<{ started: boolean }>(`select start_date <= current_date as started from courses where code = $1`, [
      course,
    ]);
    await expect(page.getByTestId("what-next")).toContainText(started ? "Las clases empezaron el" : "Las clases empiezan el");

    const [enrollment] = await rows<{ status: string; receipt_status: string; payer_email: string }>(
      `select e.status, r.status as receipt_status, r.payer_email from enrollments e
       join students s on s.id = e.student_id join receipts r on r.enrollment_id = e.id and r.kind = 'enrollment'
       where s.email = $1`,
      [studentEmail],
    );
    expect(enrollment).toEqual({ status: "confirmed", receipt_status: "paid", payer_email: payerEmail });

    // The confirmation e-mail reaches a real SMTP server.
    await runJob("deliver-messages");
    const mail = await smtp.waitFor((m) => m.to.includes(payerEmail) && m.subject.startsWith("Matrícula confirmada"), 10_000);
    expect(mail.subject).toBe(`Matrícula confirmada: ${courseName} · Academia Sol de Idiomas`);
    expect(mail.text).toContain(who === "minor" ? "Pau" : "Olga");
    await smtp.waitFor((m) => m.to.includes(payerEmail) && m.subject.startsWith("Pago recibido: Matrícula"), 10_000);

    // The campus: the student exists in Moodle and is enrolled in the course mapped to this one.
    await runJob("provision-campus");
    const state = (await (await fetch(`${sandbox}/_control/moodle/state`)).json()) as {
      users: { id: number; email: string }[];
      courses: { id: number; idnumber: string }[];
      enrolments: { userid: number; courseid: number }[];
    };
    const user = state.users.find((u) => u.email === studentEmail);
    const moodleCourse = state.courses.find((c) => c.idnumber === `moodle-${course.toLowerCase()}`);
    expect(user, "Moodle user").toBeDefined();
    expect(moodleCourse, "Moodle course").toBeDefined();
    expect(state.enrolments).toContainEqual(expect.objectContaining({ userid: user!.id, courseid: moodleCourse!.id }));
  });
}

test("a campus failure shows on the receipt page and staff retry it", async ({ page }) => {
  const stamp = `${Date.now()}`;
  const email = `campus.${stamp}@correo.test`;
  const setMoodleFaults = (failNext: number) =>
    fetch(`${sandbox}/_control/moodle/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ failNext, mode: "http503" }),
    });
  await enroll(page, { course: "ALE-A2", method: "bizum", student: { first: "Teo", last: `Campus ${stamp}`, email: email, birthDate: "1979-03-03" } });
  await payAtProvider(page, "bizum");
  await expect(page.getByRole("heading", { name: "¡Pago recibido!" })).toBeVisible({ timeout: 15_000 });

  await setMoodleFaults(50);
  try {
    await runJob("provision-campus");
  } finally {
    await setMoodleFaults(0);
  }
  const [receipt] = await rows<{ id: string }>(
    `select r.id from receipts r join enrollments e on e.id = r.enrollment_id join students s on s.id = e.student_id where s.email = $1`,
    [email],
  );
  await signIn(page, admin);
  await page.goto(`/admin/receipts/${receipt!.id}`);
  const campus = page.getByTestId("campus");
  await expect(campus.locator('li[data-provider="moodle"]')).toHaveAttribute("data-status", "failed");
  await expect(campus).toContainText("Último error");
  await campus.getByRole("button", { name: "Reintentar" }).click();
  await expect(campus.locator('li[data-provider="moodle"]')).toHaveAttribute("data-status", "active");
  const state = (await (await fetch(`${sandbox}/_control/moodle/state`)).json()) as { users: { email: string }[] };
  expect(state.users.map((u) => u.email)).toContain(email);
});

test("a declined enrollment payment keeps the seat and e-mails a retry link that pays it", async ({ page }) => {
  const stamp = `${Date.now()}`;
  const email = `reintento.${stamp}@correo.test`;
  await enroll(page, { course: "ESP-B1-INT", method: "redsys", student: { first: "Ada", last: `Reintento ${stamp}`, email: email, birthDate: "1993-07-07" } });
  await page.fill("#pan", "4000000000000002");
  await page.fill("#expiry", "12/39");
  await page.fill("#cvv", "123");
  await page.click("#pay");
  await expect(page.getByRole("heading", { name: "El pago no se ha completado" })).toBeVisible({ timeout: 15_000 });

  await runJob("deliver-messages");
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith("No se ha completado el pago"), 10_000);
  const link = new RegExp(`${appUrl}/pay/[A-Za-z0-9_-]{43}`).exec(mail.text)?.[0];
  expect(link).toBeDefined();
  const [held] = await rows<{ status: string }>(`select e.status from enrollments e join students s on s.id = e.student_id where s.email = $1`, [email]);
  expect(held).toEqual({ status: "pending_payment" });

  await page.goto(link!);
  await payFromPaymentPage(page, "bizum");
  await expect(page.getByRole("heading", { name: "¡Pago recibido!" })).toBeVisible({ timeout: 15_000 });
  const [confirmed] = await rows<{ status: string }>(`select e.status from enrollments e join students s on s.id = e.student_id where s.email = $1`, [email]);
  expect(confirmed).toEqual({ status: "confirmed" });
});

test("an unpaid hold expires: the seat is released, the receipt cancelled and the payer told", async ({ page }) => {
  const stamp = `${Date.now()}`;
  const email = `caducada.${stamp}@correo.test`;
  await enroll(page, { course: "ESP-B1-INT", method: "redsys", student: { first: "Bea", last: `Caducada ${stamp}`, email: email, birthDate: "1990-08-08" } });
  // The payer is at the bank's page and leaves it there; where they would come back to:
  const [attempt] = await rows<{ id: string }>(
    `select a.id from payment_attempts a join receipts r on r.id = a.receipt_id join enrollments e on e.id = r.enrollment_id
     join students s on s.id = e.student_id where s.email = $1`,
    [email],
  );
  const payUrl = `/pay/return/${attempt!.id}`;

  // Half an hour later (the clock is moved in the data, not waited for).
  await rows(`update enrollments set hold_expires_at = now() - interval '1 minute' where student_id = (select id from students where email = $1)`, [email]);
  await runJob("expire-holds");
  const [state] = await rows<{ enrollment: string; receipt: string }>(
    `select e.status as enrollment, r.status as receipt from enrollments e join students s on s.id = e.student_id
     join receipts r on r.enrollment_id = e.id where s.email = $1`,
    [email],
  );
  expect(state).toEqual({ enrollment: "cancelled", receipt: "cancelled" });
  await runJob("deliver-messages");
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith("Plaza liberada"), 10_000);
  expect(mail.text).toContain("/inscripcion/ESP-B1-INT");
  await page.goto(payUrl);
  await expect(page.getByRole("heading", { name: "Recibo anulado" })).toBeVisible();
});
