import { expect, type Page } from "@playwright/test";

export const admin = { email: "admin@academiasol.es", password: "Demo-Admin-2026" };
export const staff = { email: "secretaria@academiasol.es", password: "Demo-Staff-2026" };

export async function signIn(page: Page, user: { email: string; password: string }) {
  await page.goto("/admin/sign-in");
  await page.getByLabel("Correo electrónico").fill(user.email);
  await page.getByLabel("Contraseña").fill(user.password);
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page).toHaveURL(/\/admin$/);
}
