// Staff access end to end: the sign-in limit after repeated failures (on an e-mail of its own),
// a password change that ends the user's other session (the demo password is restored), and an
// admin creating a staff user who signs in and is refused user management; then deactivating
// them ends their session. Screenshots of /admin/account and /admin/users on desktop and phone.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { hashPassword } from "../lib/auth/password";
import { admin, signIn, staff } from "./support/auth";
import { rows } from "./support/db";
import { screenshots } from "./support/screens";

// Every sign-in and password change runs scrypt, slow on purpose (and slower on a busy machine).
test.describe.configure({ timeout: 120_000 });

async function trySignIn(page: Page, email: string, password: string) {
  await page.goto("/admin/sign-in");
  await page.getByLabel("Correo electrónico").fill(email);
  await page.getByLabel("Contraseña").fill(password);
  await page.getByRole("button", { name: "Entrar" }).click();
}

/** The sign-in form's message (Next's route announcer is an alert too, outside the form). */
const formAlert = (page: Page) => page.locator("main form [role=alert]");

async function withPage<T>(browser: Browser, run: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await run(await context.newPage());
  } finally {
    await context.close();
  }
}

test("sign-in is refused with the wait after five failures, the same for any e-mail", async ({ page }) => {
  // An e-mail of this spec's own (no such user): the answer must not reveal that it does not exist.
  const email = `limite-${Date.now()}@academiasol.es`;
  for (let attempt = 1; attempt <= 4; attempt++) {
    await trySignIn(page, email, `wrong-password-${attempt}`);
    await expect(formAlert(page)).toHaveText("El correo o la contraseña no son correctos.");
  }
  await trySignIn(page, email, "wrong-password-5");
  await expect(formAlert(page)).toHaveText(/^Demasiados intentos fallidos\. Espera 1[45] minutos antes de volver a intentarlo\.$/);
  const [limit] = await rows<{ hits: number }>(`select hits from rate_limits where key = $1`, [`signin-email:${email}`]);
  expect(limit?.hits).toBe(5);
  // Refused before the password is looked at, and not counted again.
  await trySignIn(page, email, "wrong-password-6");
  await expect(formAlert(page)).toContainText("Demasiados intentos fallidos");
  const [after] = await rows<{ hits: number }>(`select hits from rate_limits where key = $1`, [`signin-email:${email}`]);
  expect(after?.hits).toBe(5);
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
});

test("a password change keeps this session, ends the other one, and is undone", async ({ browser, page }) => {
  const changed = "Otra-Clave-Segura-2026";
  try {
    await signIn(page, staff);
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await signIn(otherPage, staff);

    await page.goto("/admin/account");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Mi cuenta");
    await expect(page.getByText(staff.email)).toBeVisible();
    await screenshots(page, "admin-account");

    // Refusals first: the rule, a mismatch and a wrong current password; nothing changes.
    const form = page.getByTestId("password-form");
    const fill = async (current: string, next: string, repeat = next) => {
      await form.getByLabel("Contraseña actual").fill(current);
      await form.getByLabel("Nueva contraseña", { exact: true }).fill(next);
      await form.getByLabel("Repite la nueva contraseña").fill(repeat);
      await form.getByRole("button", { name: "Cambiar la contraseña" }).click();
    };
    await fill(staff.password, "corta");
    await expect(form.getByRole("alert")).toHaveText("La nueva contraseña debe tener al menos 12 caracteres.");
    await fill(staff.password, staff.email);
    await expect(form.getByRole("alert")).toHaveText("La nueva contraseña no puede ser tu correo.");
    await fill(staff.password, changed, `${changed}x`);
    await expect(form.getByRole("alert")).toHaveText("Las dos contraseñas nuevas no coinciden.");
    await fill("not-my-password", changed);
    await expect(form.getByRole("alert")).toHaveText("La contraseña actual no es correcta.");
    const [before] = await rows<{ password_changed_at: Date | null }>(`select password_changed_at from staff_users where email = $1`, [staff.email]);
    const auditCount = async () =>
      (
        await rows<{ n: number }>(
          `select count(*)::int as n from audit_events a join staff_users u on u.id = a.staff_user_id where a.action = 'user.password_changed' and u.email = $1`,
          [staff.email],
        )
      )[0]!.n;
    const auditBefore = await auditCount();

    await fill(staff.password, changed);
    await expect(page.getByTestId("password-changed")).toHaveText("Contraseña cambiada. Tus sesiones en otros dispositivos se han cerrado.");
    const [after] = await rows<{ password_changed_at: Date }>(`select password_changed_at from staff_users where email = $1`, [staff.email]);
    expect(after!.password_changed_at.getTime()).toBeGreaterThan(before?.password_changed_at?.getTime() ?? 0);
    expect(await auditCount()).toBe(auditBefore + 1);

    // This browser is still in; the other session is over, and the old password no longer works.
    await page.goto("/admin");
    await expect(page.getByTestId("signed-in-as")).toBeVisible();
    await otherPage.goto("/admin");
    await expect(otherPage).toHaveURL(/\/admin\/sign-in/);
    await trySignIn(otherPage, staff.email, staff.password);
    await expect(formAlert(otherPage)).toHaveText("El correo o la contraseña no son correctos.");
    await signIn(otherPage, { email: staff.email, password: changed });
    await other.close();

    // Back to the demo password, through the same form.
    await page.goto("/admin/account");
    await fill(changed, staff.password);
    await expect(page.getByTestId("password-changed")).toBeVisible();
    await withPage(browser, (fresh) => signIn(fresh, staff));
  } finally {
    // Whatever happened above, the demo password is what the other specs expect.
    await rows(`update staff_users set password_hash = $2 where email = $1`, [staff.email, await hashPassword(staff.password)]);
  }
});

test("an admin creates a staff user, who signs in and is refused user management; deactivating ends their session", async ({ browser, page }) => {
  const email = `profesora-${Date.now()}@academiasol.es`;
  await signIn(page, admin);
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Usuarios del panel");
  const listed = await rows<{ email: string }>(`select email from staff_users order by email`);
  expect((await page.getByTestId("user-row").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-email")))).sort()).toEqual(
    listed.map((r) => r.email).sort(),
  );

  const create = page.getByTestId("create-user-form");
  await create.getByLabel("Nombre").fill("Profesora de prueba");
  await create.getByLabel("Correo electrónico").fill(email);
  await create.getByLabel("Rol").selectOption("staff");
  await create.getByRole("button", { name: "Crear usuario" }).click();
  await expect(create.getByRole("status")).toContainText("Usuario creado.");
  const password = (await create.getByTestId("generated-password").textContent())!.trim();
  expect(password).toMatch(/^\w{4}-\w{4}-\w{4}-\w{4}$/);
  const [created] = await rows<{ id: string; role: string; active: boolean }>(`select id, role, active from staff_users where email = $1`, [email]);
  expect(created).toMatchObject({ role: "staff", active: true });
  const audit = await rows<{ n: number }>(`select count(*)::int as n from audit_events where action = 'user.created' and data->>'userId' = $1`, [created!.id]);
  expect(audit[0]!.n).toBe(1);
  await expect(page.locator(`[data-testid=user-row][data-email="${email}"]`)).toBeVisible();
  // A second user with the same e-mail (other case) is refused.
  await create.getByLabel("Nombre").fill("Duplicada");
  await create.getByLabel("Correo electrónico").fill(email.toUpperCase());
  await create.getByRole("button", { name: "Crear usuario" }).click();
  await expect(create.getByRole("alert")).toHaveText("Ya existe un usuario con ese correo.");
  await screenshots(page, "admin-users");

  // The admin cannot lock themselves out: no management controls on their own card.
  const own = page.locator(`[data-testid=user-row][data-email="${admin.email}"]`);
  await expect(own.getByText("(tú)")).toBeVisible();
  await expect(own.locator("details")).toHaveCount(0);

  const teacherContext = await browser.newContext();
  try {
    const teacher = await teacherContext.newPage();
    // The password the admin saw is changed first: every page sends them to their account.
    await trySignIn(teacher, email, password);
    await expect(teacher).toHaveURL(/\/admin\/account\?required=1$/);
    const own = `Propia-${Date.now()}-clave`;
    const form = teacher.getByTestId("password-form");
    await form.getByLabel("Contraseña actual").fill(password);
    await form.getByLabel("Nueva contraseña", { exact: true }).fill(own);
    await form.getByLabel("Repite la nueva contraseña").fill(own);
    await form.getByRole("button", { name: "Cambiar la contraseña" }).click();
    await expect(teacher.getByTestId("password-changed")).toBeVisible();
    await teacher.goto("/admin/users");
    await expect(teacher).toHaveURL(/\/admin\?forbidden=1$/);
    await expect(teacher.getByRole("alert").filter({ hasText: "Tu usuario no tiene permiso para esa sección." })).toBeVisible();
    await expect(teacher.getByRole("link", { name: "Usuarios" })).toHaveCount(0);

    // Deactivated by the admin: the teacher's next request goes to sign-in, and sign-in fails.
    const row = page.locator(`[data-testid=user-row][data-email="${email}"]`);
    await row.locator("summary").click();
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: "Desactivar" }).click();
    await expect(row.getByTestId("user-status")).toHaveText("Desactivado");
    const [deactivated] = await rows<{ active: boolean }>(`select active from staff_users where email = $1`, [email]);
    expect(deactivated!.active).toBe(false);
    await teacher.goto("/admin");
    await expect(teacher).toHaveURL(/\/admin\/sign-in/);
    await trySignIn(teacher, email, own);
    await expect(formAlert(teacher)).toHaveText("El correo o la contraseña no son correctos.");
  } finally {
    await teacherContext.close();
  }
});

test("the first admin made with npm run admin:create gets a password shown once and must change it at the first sign-in", async ({ page }) => {
  const { execFile } = await import("node:child_process");
  const email = `primera-${Date.now()}@academiasol.es`;
  const output = await new Promise<string>((resolve, reject) =>
    execFile(
      "npm",
      ["run", "--silent", "admin:create", "--", "--email", email, "--name", "Ana Primera"],
      {
        env: {
          ...process.env,
          DATABASE_URL: process.env.E2E_DATABASE_URL!,
          NODE_ENV: "production",
          AUTH_SECRET: "e2e-auth-secret-not-for-production-0123456789",
          APP_ENCRYPTION_KEY: "0".repeat(64),
        },
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  const password = /password \(shown only now[^)]*\): (\S+)/.exec(output)?.[1];
  expect(password).toMatch(/^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$/);
  const [stored] = await rows<{ role: string; must_change_password: boolean; password_hash: string }>(
    `select role, must_change_password, password_hash from staff_users where email = $1`,
    [email],
  );
  expect(stored).toMatchObject({ role: "admin", must_change_password: true });
  expect(stored!.password_hash).not.toContain(password!);

  await trySignIn(page, email, password!);
  await expect(page).toHaveURL(/\/admin\/account\?required=1$/);
  await expect(page.getByTestId("password-change-required")).toBeVisible();
  // Every other page sends them back here until the password is theirs.
  await page.goto("/admin/receipts");
  await expect(page).toHaveURL(/\/admin\/account\?required=1$/);
  const form = page.getByTestId("password-form");
  const chosen = `Mi-clave-propia-${Date.now()}`;
  await form.getByLabel("Contraseña actual").fill(password!);
  await form.getByLabel("Nueva contraseña", { exact: true }).fill(chosen);
  await form.getByLabel("Repite la nueva contraseña").fill(chosen);
  await form.getByRole("button", { name: "Cambiar la contraseña" }).click();
  await expect(page.getByTestId("password-changed")).toBeVisible();
  await expect(page.getByTestId("password-change-required")).toHaveCount(0);
  await page.goto("/admin/receipts");
  await expect(page).toHaveURL(/\/admin\/receipts$/);
  const [after] = await rows<{ must_change_password: boolean }>(`select must_change_password from staff_users where email = $1`, [email]);
  expect(after!.must_change_password).toBe(false);
});
