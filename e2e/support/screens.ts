// Screenshots of a page at desktop and phone widths (Spanish), checking on the phone that the page
// does not scroll sideways. Files go to test-results/screens/<name>-{desktop,phone}-es.png.
import { expect, type Page } from "@playwright/test";

export const phone = { width: 390, height: 844 };
export const desktop = { width: 1280, height: 900 };

export async function expectNoSidewaysScroll(page: Page) {
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

export async function screenshots(page: Page, name: string) {
  await page.setViewportSize(desktop);
  await page.screenshot({ path: `test-results/screens/${name}-desktop-es.png`, fullPage: true });
  await page.setViewportSize(phone);
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `test-results/screens/${name}-phone-es.png`, fullPage: true });
  await page.setViewportSize(desktop);
}
