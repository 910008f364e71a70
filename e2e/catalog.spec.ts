import { expect, test } from "@playwright/test";
import { money, rows } from "./support/db";

type CourseRow = { code: string; name: string; capacity: number; enrollment_fee: number; monthly_fee: number; taken: number };

async function openCourses() {
  return rows<CourseRow>(`
    select c.code, c.name, c.capacity, c.enrollment_fee, c.monthly_fee,
      (select count(*)::int from enrollments e where e.course_id = c.id
         and (e.status = 'confirmed' or (e.status = 'pending_payment' and e.hold_expires_at > now()))) as taken
    from courses c where c.status = 'open' order by c.name`);
}

test("the home page lists the seeded open courses in Spanish with fees and seats left", async ({ page }) => {
  const courses = await openCourses();
  expect(courses.length).toBeGreaterThanOrEqual(6);
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cursos con matrícula abierta");
  const cards = page.locator("article[data-course-code]");
  await expect(cards).toHaveCount(courses.length);
  for (const course of courses) {
    const card = page.locator(`article[data-course-code="${course.code}"]`);
    await expect(card.getByRole("heading", { level: 2 })).toHaveText(course.name);
    await expect(card.getByTestId("enrollment-fee")).toHaveText(money(course.enrollment_fee));
    await expect(card.getByTestId("monthly-fee")).toHaveText(`${money(course.monthly_fee)} al mes`);
    const left = course.capacity - course.taken;
    await expect(card.getByTestId("seats")).toHaveText(left === 0 ? "Completo · lista de espera" : left === 1 ? "Queda 1 plaza" : `Quedan ${left} plazas`);
  }
  // The seed promises one nearly full course and one full one.
  await expect(page.getByTestId("seats").filter({ hasText: "Completo" })).toHaveCount(1);
  await expect(page.getByTestId("seats").filter({ hasText: "Queda 1 plaza" })).toHaveCount(1);
});

test("a visitor switches the site to English and back", async ({ page }) => {
  const [course] = await openCourses();
  await page.goto("/");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Courses open for enrollment");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  const card = page.locator(`article[data-course-code="${course!.code}"]`);
  await expect(card.getByTestId("monthly-fee")).toHaveText(`${money(course!.monthly_fee, "en-GB")} a month`);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Courses open for enrollment");
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cursos con matrícula abierta");
});

test("the home page fits a phone screen without sideways scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto("/");
  await expect(page.locator("article[data-course-code]").first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/screens/home-phone-es.png", fullPage: true });
});
