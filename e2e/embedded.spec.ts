// The same build on the embedded PGlite database: what a newcomer gets from `npm run dev`.
import { expect, test } from "@playwright/test";
import { admin, signIn } from "./support/auth";

test("the embedded database is migrated and seeded on first start", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cursos con matrícula abierta");
  await expect(page.locator("article[data-course-code]")).toHaveCount(6);
  await expect(page.getByText("Inglés B2 — preparación First (FCE)")).toBeVisible();
  await signIn(page, admin);
  await expect(page.locator('tr[data-status="paid"]').getByTestId("count")).not.toHaveText("0");
});
