// Every dashboard page, photographed in Spanish at desktop and phone widths, none scrolling
// sideways on a phone: the pages come from the production build's app paths manifest, never from a hand-made list,
// so a page added tomorrow is photographed (or, if it has an id in its path that the table below
// does not know, fails and says so). Each page must answer 200 with an h1 and must not scroll
// sideways on a phone; a failure names the widest elements. The pictures go to
// test-results/screens/dashboard-<route>-{desktop,phone}-es.png, with an index in
// test-results/screens/dashboard-pages.md.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { admin, signIn } from "./support/auth";
import { rows } from "./support/db";

const desktop = { width: 1280, height: 800 };
const phone = { width: 375, height: 740 };
const screensDir = "test-results/screens";
const distDir = process.env.NEXT_DIST_DIR || ".next";
const manifestPath = path.join(distDir, "app-path-routes-manifest.json");

type DashboardRoute = { key: string; route: string; signedOut: boolean };

/** Every page under /admin in the build (route handlers end in /route and are left out). */
function dashboardRoutes(): DashboardRoute[] {
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, string>;
  return (
    Object.entries(manifest)
      .filter(([key, route]) => key.endsWith("/page") && (route === "/admin" || route.startsWith("/admin/")))
      // Pages outside the (dashboard) group are the signed-out doors (sign-in); the rest need a session.
      .map(([key, route]) => ({ key, route, signedOut: !key.startsWith("/admin/(dashboard)/") }))
      .sort((a, b) => a.route.localeCompare(b.route))
  );
}

const routes = dashboardRoutes();

/**
 * A real id for each dynamic segment, by the route up to and including that segment. A page with a
 * segment missing here fails (add the route and a query that finds a row the page can show).
 * `create` makes a row when the demo data has none (the seed sends no mail, for instance).
 */
const idFor: Record<string, { query: string; create?: () => Promise<void> }> = {
  "/admin/receipts/[id]": { query: `select id from receipts where status = 'paid' order by issued_at desc, id limit 1` },
  "/admin/students/[id]": {
    query: `select s.id from students s where exists (select 1 from receipts r where r.student_id = s.id)
            and exists (select 1 from enrollments e where e.student_id = s.id) order by s.created_at, s.id limit 1`,
  },
  "/admin/courses/[id]": {
    query: `select c.id from courses c where exists (select 1 from enrollments e where e.course_id = c.id) order by c.created_at, c.id limit 1`,
  },
  "/admin/enrollments/[id]": { query: `select id from enrollments order by created_at, id limit 1` },
  "/admin/messages/[id]": { query: `select id from messages order by created_at desc, id limit 1`, create: sentMessage },
  "/admin/messages/bulk/[id]": { query: `select id from bulk_sends order by created_at desc, id limit 1` },
  "/admin/users/[id]": { query: `select id from staff_users order by created_at, id limit 1` },
};

/** A payment confirmation as the outbox leaves it once sent, for a paid receipt of the seed. */
async function sentMessage() {
  const [receipt] = await rows<{ id: string; number: string; email: string }>(
    `select id, number, payer_email as email from receipts where status = 'paid' and payer_email is not null order by issued_at desc, id limit 1`,
  );
  expect(receipt, "the demo data has a paid receipt with a payer's email").toBeDefined();
  await rows(
    `insert into messages (template, locale, to_address, subject, body_text, receipt_id, dedupe_key, status, attempts, sent_at, delivery_note)
     values ('payment_received', 'es', $1, $2, $3, $4, $5, 'sent', 1, now(), 'e2e: dashboard-pages')`,
    [
      receipt!.email,
      `Pago recibido: recibo ${receipt!.number}`,
      `Hemos recibido el pago del recibo ${receipt!.number}. Gracias.`,
      receipt!.id,
      `e2e-dashboard-pages:${randomUUID()}`,
    ],
  );
}

/** The route with its dynamic segments filled with ids from the e2e database. */
async function concretePath(route: string): Promise<string> {
  const segments = route.split("/");
  const filled: string[] = [];
  for (const [i, segment] of segments.entries()) {
    if (!/^\[.+\]$/.test(segment)) {
      filled.push(segment);
      continue;
    }
    const prefix = segments.slice(0, i + 1).join("/");
    const source = idFor[prefix];
    if (!source) {
      throw new Error(
        `${route} has a dynamic segment ${segment} that e2e/dashboard-pages.spec.ts does not know: add "${prefix}" to its idFor table with a query for a real id.`,
      );
    }
    let [row] = await rows<{ id: string }>(source.query);
    if (!row && source.create) {
      await source.create();
      [row] = await rows<{ id: string }>(source.query);
    }
    if (!row) throw new Error(`No row in the e2e database for ${prefix} (query: ${source.query.replace(/\s+/g, " ")}).`);
    filled.push(encodeURIComponent(String(row.id)));
  }
  return filled.join("/");
}

function slug(route: string): string {
  const s = route
    .replace(/\[\.{0,3}([^\]]+)\]/g, "$1")
    .replace(/[^a-zA-Z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
  return `dashboard-${s || "root"}`;
}

/** The elements sticking out past the right edge of the viewport, outermost and widest first. */
async function widestElements(page: Page): Promise<string[]> {
  // No helper functions inside: the callback is sent to the browser as text, on its own.
  return page.evaluate(() => {
    const viewport = document.documentElement.clientWidth + 0.5;
    const found: { root: boolean; right: number; text: string }[] = [];
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const box = el.getBoundingClientRect();
      if ((box.width === 0 && box.height === 0) || box.right <= viewport) continue;
      // Overflow inside a box that clips or scrolls it (a table in an overflow-x:auto box) does not move the page.
      let contained = false;
      for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== "visible" && p.getBoundingClientRect().right <= viewport) {
          contained = true;
          break;
        }
      }
      if (contained) continue;
      const root = !el.parentElement || el.parentElement.getBoundingClientRect().right <= viewport;
      const cls = typeof el.className === "string" && el.className.trim() ? `.${el.className.trim().split(/\s+/).slice(0, 6).join(".")}` : "";
      const id = el.id ? `#${el.id}` : "";
      const text = (el.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 60);
      found.push({
        root,
        right: box.right,
        text: `<${el.tagName.toLowerCase()}${id}${cls}> right edge ${Math.round(box.right)}px (width ${Math.round(box.width)}px) "${text}"`,
      });
    }
    found.sort((a, b) => Number(b.root) - Number(a.root) || b.right - a.right);
    return found.slice(0, 8).map((f) => `${f.root ? "[outermost] " : ""}${f.text}`);
  });
}

async function expectNoSidewaysScroll(page: Page) {
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  // Fonts and late layout settle first; only a page that still overflows fails.
  await expect
    .poll(overflow, { timeout: 3_000 })
    .toBeLessThanOrEqual(0)
    .catch(() => undefined);
  const extra = await overflow();
  if (extra > 0) {
    const widest = await widestElements(page);
    expect(extra, `the page scrolls sideways on a phone by ${extra}px; widest elements:\n  ${widest.join("\n  ")}`).toBeLessThanOrEqual(0);
  }
}

/** Opens the page at this viewport, checks that it is the page asked for, and photographs it. */
async function photograph(page: Page, target: string, viewport: { width: number; height: number }, file: string) {
  await page.setViewportSize(viewport);
  const response = await page.goto(target, { waitUntil: "networkidle" });
  expect(response, `a response for ${target}`).not.toBeNull();
  expect(response!.status(), `${target} answers 200`).toBe(200);
  // A page that sends the admin elsewhere (to sign in, say) was not photographed.
  expect(new URL(page.url()).pathname, `${target} stays where it was opened`).toBe(target);
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  const h1 = page.getByRole("heading", { level: 1 });
  await expect(h1.first()).toBeVisible();
  expect((await h1.first().innerText()).trim(), `${target} has a heading`).not.toBe("");
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: path.join(screensDir, file), fullPage: true });
}

// --- The index: one record per page, kept in this run's output folder (Playwright empties it at
// the start of a run), so a worker restarted after a failure still writes the whole list. ---------
type PageRecord = { route: string; path: string; desktop?: string; phone?: string; outcome: string };

function recordsDir(outputDir: string) {
  return path.join(outputDir, "dashboard-pages-index");
}

function writeIndex(outputDir: string) {
  const dir = recordsDir(outputDir);
  const records = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as PageRecord)
        .sort((a, b) => a.route.localeCompare(b.route))
    : [];
  const photographed = records.filter((r) => r.outcome === "passed");
  const lines = [
    "# Dashboard pages, in Spanish (e2e/dashboard-pages.spec.ts)",
    "",
    `Every page under /admin in the build (${manifestPath}), at desktop (${desktop.width}×${desktop.height}) and phone (${phone.width}×${phone.height}) widths, full page. ` +
      `${photographed.length} of ${routes.length} pages passed (200, an h1, no sideways scroll on the phone).`,
    "",
    "| Page | Opened as | Desktop | Phone | Result |",
    "| --- | --- | --- | --- | --- |",
    ...records.map(
      (r) =>
        `| \`${r.route}\` | \`${r.path}\` | ${r.desktop ? `[${r.desktop}](${r.desktop})` : "—"} | ${r.phone ? `[${r.phone}](${r.phone})` : "—"} | ${r.outcome.replace(/\|/g, "\\|")} |`,
    ),
    ...routes.filter((r) => !records.some((rec) => rec.route === r.route)).map((r) => `| \`${r.route}\` | — | — | — | not run |`),
    "",
  ];
  mkdirSync(screensDir, { recursive: true });
  writeFileSync(path.join(screensDir, "dashboard-pages.md"), lines.join("\n"));
}

test.beforeAll(() => {
  mkdirSync(screensDir, { recursive: true });
});

test("the build lists the dashboard pages", () => {
  expect(existsSync(manifestPath), `${manifestPath} exists: run against a production build (NEXT_DIST_DIR=${distDir})`).toBe(true);
  const found = routes.map((r) => r.route);
  // Pages every build has; the rest are whatever the build holds.
  expect(found).toEqual(expect.arrayContaining(["/admin", "/admin/sign-in", "/admin/receipts", "/admin/receipts/[id]"]));
});

for (const { route, signedOut } of routes) {
  test(`page ${route}`, async ({ page }, testInfo) => {
    test.setTimeout(90_000);
    const name = slug(route);
    // Only pictures taken by this test are listed (a failed page may have an old one on disk).
    const record: PageRecord = { route, path: route, outcome: "failed" };
    const dir = recordsDir(testInfo.project.outputDir);
    try {
      record.path = await concretePath(route);
      if (!signedOut) await signIn(page, admin);
      await photograph(page, record.path, desktop, `${name}-desktop-es.png`);
      record.desktop = `${name}-desktop-es.png`;
      await photograph(page, record.path, phone, `${name}-phone-es.png`);
      record.phone = `${name}-phone-es.png`;
      // After the picture, so a page that scrolls sideways is photographed as it is.
      await expectNoSidewaysScroll(page);
      record.outcome = "passed";
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      record.outcome = `FAILED: ${message
        .replace(/\u001b\[[0-9;]*m/g, "")
        .split("\n")
        .filter(Boolean)
        .slice(0, 4)
        .join(" ")
        .slice(0, 400)}`;
      throw error;
    } finally {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(record));
      writeIndex(testInfo.project.outputDir);
    }
  });
}
