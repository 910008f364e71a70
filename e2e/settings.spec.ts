// The settings pages (admins only): the academy's name reaches the public catalog, a method
// switched off for receipts leaves the pay page, sandbox credentials are saved (write-only,
// encrypted) and tested against the sandbox (success, and a clear failure with a wrong secret),
// an API key is created, used against /api/v1/receipts and revoked (401 after), a test e-mail
// reaches a real SMTP server, a staff member is refused, and every section fits a phone.
// The database is shared with the other specs: whatever this spec changes it puts back.
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { startTestSmtpServer } from "../scripts/testing/smtp-server";
import { sandboxCredentials } from "../scripts/sandbox-env";
import { createReceipt } from "./support/api";
import { admin, signIn, staff } from "./support/auth";
import { rows } from "./support/db";
import { appUrl, ports, sandboxUrl } from "./support/ports";

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };
const sections = ["academy", "methods", "providers", "policies", "billing", "reminders", "email", "campus", "api-keys", "audit"] as const;

async function expectNoSidewaysScroll(page: Page) {
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

/** The settings rows this spec changes, as they were, so they can be put back whatever happens. */
type SavedRow = { key: string; value: unknown; updated_by: string | null } | undefined;
const touched = ["academy", "payment_methods", "payment_providers"];
let before: Record<string, SavedRow> = {};

test.beforeAll(async () => {
  const found = await rows<{ key: string; value: unknown; updated_by: string | null }>(`select key, value, updated_by from settings where key = any($1)`, [
    touched,
  ]);
  before = Object.fromEntries(touched.map((key) => [key, found.find((r) => r.key === key)]));
});

test.afterAll(async () => {
  for (const key of touched) {
    const row = before[key];
    if (row)
      await rows(
        `insert into settings (key, value, updated_by) values ($1, $2, $3) on conflict (key) do update set value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`,
        [key, JSON.stringify(row.value), row.updated_by],
      );
    else await rows(`delete from settings where key = $1`, [key]);
  }
});

test("a staff member without the admin role is refused every settings page", async ({ page }) => {
  await signIn(page, staff);
  await expect(page.getByRole("navigation").getByRole("link", { name: "Ajustes" })).toHaveCount(0);
  for (const path of ["/admin/settings", "/admin/settings/providers", "/admin/settings/api-keys"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/admin\?forbidden=1$/);
    await expect(page.getByRole("alert").filter({ hasText: "Tu usuario no tiene permiso para esa sección." })).toBeVisible();
  }
});

test("the admin renames the academy and the public catalog shows the new name", async ({ page }) => {
  await signIn(page, admin);
  await page.goto("/admin/settings/academy");
  const form = page.getByTestId("academy-form");
  const nameField = form.getByLabel("Nombre comercial");
  const original = await nameField.inputValue();
  expect(original).not.toBe("");

  // A bad e-mail is refused with the field's own message, and nothing changes.
  const emailField = form.getByLabel("Correo de contacto");
  const originalEmail = await emailField.inputValue();
  await emailField.fill("no-es-un-correo");
  await form.getByRole("button", { name: "Guardar" }).click();
  await expect(form.getByTestId("academy-form-outcome")).toHaveAttribute("data-outcome", "error");
  await expect(form.getByTestId("error-s-email")).toHaveText("Escribe una dirección de correo válida.");
  await expect(emailField).toHaveAttribute("aria-invalid", "true");
  await emailField.fill(originalEmail);

  const renamed = `Academia Sol e2e ${randomUUID().slice(0, 6)}`;
  await nameField.fill(renamed);
  await form.getByRole("button", { name: "Guardar" }).click();
  await expect(form.getByTestId("academy-form-outcome")).toHaveText("Cambios guardados.");
  const [stored] = await rows<{ name: string; by: string }>(
    `select s.value->>'name' as name, u.email as by from settings s join staff_users u on u.id = s.updated_by where s.key = 'academy'`,
  );
  expect(stored).toEqual({ name: renamed, by: admin.email });

  await page.goto("/");
  await expect(page.getByRole("banner").getByRole("link", { name: renamed })).toBeVisible();

  // The audit log names the change and who made it.
  await page.goto("/admin/settings/audit?action=settings.academy");
  const line = page.getByTestId("audit-row").first();
  await expect(line).toHaveAttribute("data-action", "settings.academy.updated");
  await expect(line).toContainText("Lucía Ferrer"); // the demo admin
  await line.getByText("Detalles").click();
  await expect(line).toContainText(renamed);

  // Put the name back through the page.
  await page.goto("/admin/settings/academy");
  await page.getByTestId("academy-form").getByLabel("Nombre comercial").fill(original);
  await page.getByTestId("academy-form").getByRole("button", { name: "Guardar" }).click();
  await expect(page.getByTestId("academy-form-outcome")).toHaveText("Cambios guardados.");
  await page.goto("/");
  await expect(page.getByRole("banner").getByRole("link", { name: original })).toBeVisible();
});

test("a method switched off for receipts is no longer offered on the pay page, and one provider serves cards", async ({ page }) => {
  const receipt = await createReceipt({ amount: 4500, concept: "Ajustes e2e: métodos" });
  const paymentUrl = String(receipt.paymentUrl);
  const paypalOption = page.locator('input[name="method"][value="paypal"]');
  await page.goto(paymentUrl);
  await expect(paypalOption).toHaveCount(1);

  await signIn(page, admin);
  await page.goto("/admin/settings/methods");
  const form = page.getByTestId("methods-form");
  await expect(form.locator("#m-receipts-paypal")).toBeChecked();
  await form.locator("#m-receipts-paypal").uncheck();
  await form.getByRole("button", { name: "Guardar" }).click();
  await expect(form.getByTestId("methods-form-outcome")).toHaveText("Cambios guardados.");

  await page.goto(paymentUrl);
  await expect(page.locator('input[name="method"][value="redsys"]')).toHaveCount(1);
  await expect(paypalOption).toHaveCount(0);
  // Enrollment still offers it: the flows are separate.
  const [methods] = await rows<{ value: { enrollment: string[]; receipts: string[] } }>(`select value from settings where key = 'payment_methods'`);
  expect(methods!.value.receipts).not.toContain("paypal");
  expect(methods!.value.enrollment).toContain("paypal");

  // Switching every method off is refused.
  await page.goto("/admin/settings/methods");
  for (const box of await page.getByTestId("methods-form").locator('input[name="receipts"]:not([disabled])').all()) await box.uncheck();
  await page.getByTestId("methods-form").getByRole("button", { name: "Guardar" }).click();
  await expect(page.getByTestId("error-receipts")).toHaveText("Elige al menos un método.");

  // Back as it was.
  await page.goto("/admin/settings/methods");
  await page.getByTestId("methods-form").locator("#m-receipts-paypal").check();
  await page.getByTestId("methods-form").getByRole("button", { name: "Guardar" }).click();
  await expect(page.getByTestId("methods-form-outcome")).toHaveText(/Cambios guardados|No había nada que cambiar/);
  await page.goto(paymentUrl);
  await expect(paypalOption).toHaveCount(1);

  // Redsys and Stripe both take cards: payers see one "Tarjeta", served by the provider chosen here.
  const card = (provider: string) => page.locator(`input[name="method"][value="${provider}"]`);
  await expect(card("redsys")).toHaveCount(1);
  await expect(card("stripe")).toHaveCount(0);
  await page.goto("/admin/settings/methods");
  await page.getByTestId("card-provider").getByLabel("Stripe").check();
  await page.getByTestId("methods-form").getByRole("button", { name: "Guardar" }).click();
  await expect(page.getByTestId("methods-form-outcome")).toHaveText("Cambios guardados.");
  await page.goto(paymentUrl);
  await expect(card("stripe")).toHaveCount(1);
  await expect(card("redsys")).toHaveCount(0);
  await page.goto("/admin/settings/methods");
  await page
    .getByTestId("card-provider")
    .getByLabel(/Redsys/)
    .check();
  await page.getByTestId("methods-form").getByRole("button", { name: "Guardar" }).click();
  await expect(page.getByTestId("methods-form-outcome")).toHaveText("Cambios guardados.");
});

test("sandbox credentials are saved write-only and tested: success, then a clear failure with a wrong secret", async ({ page }) => {
  page.on("dialog", (dialog) => void dialog.accept());
  await signIn(page, admin);
  await page.goto("/admin/settings/providers");
  await expect(page.locator("#webhook-stripe")).toHaveValue(`${appUrl}/api/webhooks/stripe`);
  await expect(page.getByTestId("provider-stripe-status")).toHaveAttribute("data-source", "env");

  const stripe = page.getByTestId("provider-stripe-form");
  await stripe.getByLabel("Modo").selectOption("sandbox");
  await stripe.getByLabel("Dirección de la API (solo sandbox)").fill(sandboxUrl);
  await stripe.getByLabel("Clave secreta").fill(sandboxCredentials.stripeSecretKey);
  await stripe.getByLabel("Secreto de firma del webhook").fill(sandboxCredentials.stripeWebhookSecret);
  await stripe.getByRole("button", { name: "Guardar credenciales" }).click();
  await expect(stripe.getByTestId("provider-stripe-form-outcome")).toHaveText("Cambios guardados.");

  // Encrypted in the database, and never sent back: only "•••• last 4".
  const [stored] = await rows<{ text: string }>(`select value::text as text from settings where key = 'payment_providers'`);
  expect(stored!.text).toContain("v1:");
  expect(stored!.text).not.toContain(sandboxCredentials.stripeSecretKey);
  expect(stored!.text).not.toContain(sandboxCredentials.stripeWebhookSecret);
  await page.reload();
  await expect(page.getByTestId("provider-stripe-status")).toHaveAttribute("data-source", "stored");
  const secretInput = page.getByTestId("provider-stripe-form").getByLabel("Clave secreta");
  await expect(secretInput).toHaveValue("");
  await expect(secretInput).toHaveAttribute("placeholder", `•••• ${sandboxCredentials.stripeSecretKey.slice(-4)}`);
  expect(await page.content()).not.toContain(sandboxCredentials.stripeSecretKey);

  // The saved credentials work against the sandbox.
  const form = page.getByTestId("provider-stripe-form");
  await form.getByTestId("provider-stripe-test").click();
  await expect(form.getByTestId("provider-stripe-form-outcome")).toHaveText("Conexión correcta: el proveedor ha aceptado las credenciales.");

  // A wrong secret typed in (not saved) fails, and says why.
  await form.getByLabel("Clave secreta").fill("sk_test_thisIsNotTheRightKey");
  await form.getByTestId("provider-stripe-test").click();
  const failure = form.getByTestId("provider-stripe-form-outcome");
  await expect(failure).toHaveAttribute("data-outcome", "test-failed");
  await expect(failure).toHaveAttribute("role", "alert");
  await expect(failure).toContainText("El proveedor ha rechazado las credenciales");
  await expect(failure).toContainText("api_key_invalid");

  // Redsys with a key that is not the terminal's: the signature is named as the cause.
  const redsys = page.getByTestId("provider-redsys-form");
  await redsys.getByLabel("Modo").selectOption("sandbox");
  await redsys.getByLabel("Dirección del TPV (solo sandbox)").fill(`${sandboxUrl}/redsys`);
  await redsys.getByLabel("Clave secreta").fill(Buffer.alloc(24, 7).toString("base64"));
  await redsys.getByTestId("provider-redsys-test").click();
  await expect(redsys.getByTestId("provider-redsys-form-outcome")).toContainText("La firma no coincide");
  await expect(redsys.getByTestId("provider-redsys-form-outcome")).toContainText("SIS0042");

  await screenshotsOf(page, "providers-saved");

  // Back to the environment's credentials.
  await page.getByTestId("provider-stripe-remove").getByRole("button", { name: "Borrar credenciales guardadas" }).click();
  // The remove form goes with the saved credentials; the status line (role=status) says what is in use now.
  await expect(page.getByTestId("provider-stripe-status")).toHaveAttribute("data-source", "env");
  await expect(page.getByTestId("provider-stripe-status")).toHaveText("En uso: modo sandbox (emulador), credenciales del entorno.");
  await expect(page.getByTestId("provider-stripe-remove")).toHaveCount(0);
  expect(await rows(`select 1 from settings where key = 'payment_providers'`)).toHaveLength(before.payment_providers ? 1 : 0);
});

test("an API key is shown once, works against /api/v1/receipts, and answers 401 once revoked", async ({ page }) => {
  page.on("dialog", (dialog) => void dialog.accept());
  await signIn(page, admin);
  await page.goto("/admin/settings/api-keys");
  const name = `ERP e2e ${randomUUID().slice(0, 6)}`;
  await page.getByTestId("api-key-form").getByLabel("Nombre").fill(name);
  await page.getByTestId("api-key-form").getByRole("button", { name: "Crear clave" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^ak_[A-Za-z0-9_-]{20,}$/);
  const [stored] = await rows<{ key_hash: string; prefix: string }>(`select key_hash, prefix from api_keys where name = $1`, [name]);
  expect(stored!.key_hash).not.toContain(key);
  expect(stored!.prefix).toBe(key.slice(0, 10));

  const list = (k: string) => fetch(`${appUrl}/api/v1/receipts?limit=1`, { headers: { authorization: `Bearer ${k}` } });
  expect((await list(key)).status).toBe(200);

  await page.reload();
  const row = page.locator(`[data-testid="api-key-row"][data-prefix="${key.slice(0, 10)}"]`);
  await expect(row).toContainText(name);
  await expect(row).not.toContainText("Último uso: nunca");
  expect(await page.content()).not.toContain(key);
  await row.getByRole("button", { name: "Revocar" }).click();
  await expect(row).toHaveAttribute("data-revoked", "1");
  expect((await list(key)).status).toBe(401);
});

test("a test e-mail reaches the SMTP server", async ({ page }) => {
  const smtp = await startTestSmtpServer({ port: ports.smtp });
  try {
    await signIn(page, admin);
    await page.goto("/admin/settings/email");
    await expect(page.getByTestId("smtp-in-use")).toContainText("127.0.0.1");
    await expect(page.getByTestId("smtp-in-use")).toContainText(String(ports.smtp));
    const to = `prueba.${randomUUID().slice(0, 8)}@correo.test`;
    const form = page.getByTestId("email-test-form");
    await form.getByLabel("Enviar a").fill(to);
    await form.getByRole("button", { name: "Enviar correo de prueba" }).click();
    await expect(form.getByTestId("email-test-form-outcome")).toHaveText(`Correo de prueba enviado a ${to}.`);
    const mail = await smtp.waitFor((m) => m.to.includes(to));
    expect(mail.subject).toContain("Prueba de correo");
    expect(mail.text).toContain("correo de prueba");
  } finally {
    await smtp.close();
  }
});

async function screenshotsOf(page: Page, name: string) {
  await page.setViewportSize(desktop);
  await page.screenshot({ path: `test-results/screens/admin-settings-${name}-desktop-es.png`, fullPage: true });
  await page.setViewportSize(phone);
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `test-results/screens/admin-settings-${name}-phone-es.png`, fullPage: true });
  await page.setViewportSize(desktop);
}

test("every settings section fits a phone without sideways scrolling", async ({ page }) => {
  await signIn(page, admin);
  await page.goto("/admin/settings");
  for (const section of sections)
    await expect(
      page
        .getByRole("main")
        .getByRole("link", { name: new RegExp(`^${sectionLabel[section]}$`) })
        .first(),
    ).toBeVisible();
  for (const section of sections) {
    await page.goto(`/admin/settings/${section}`);
    await expect(page.getByRole("heading", { level: 2 }).first()).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Secciones de ajustes" }).getByRole("link", { name: sectionLabel[section] })).toHaveAttribute(
      "aria-current",
      "page",
    );
    await screenshotsOf(page, section);
  }
});

const sectionLabel: Record<(typeof sections)[number], string> = {
  academy: "Academia",
  methods: "Métodos de pago",
  providers: "Proveedores",
  policies: "Políticas",
  billing: "Facturación",
  reminders: "Recordatorios",
  email: "Correo",
  campus: "Campus",
  "api-keys": "Claves de API",
  audit: "Registro",
};
