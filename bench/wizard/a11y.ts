// Accessibility of every state of the wizard a phone user goes through: the course step as
// loaded, then (clicking "Continuar" as a person would) the student step empty and with its
// errors shown, the guardian step (a minor), consents, payment with and without its error, and
// the summary. Nothing is submitted. Each state is audited with axe-core (when it could be
// installed) and with this file's own checks, which always run (they are the fallback when axe
// is missing, and a second opinion when it is not).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { phoneContext } from "./measure";

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

export type AxeViolation = { id: string; impact: string | null; help: string; helpUrl: string; nodes: { target: string; html: string; summary: string }[] };
export type OwnFinding = { rule: string; target: string; detail: string };
export type StateAudit = {
  state: string;
  heading: string;
  /** What has focus once the state is shown (after "Continuar": the step heading, or the first invalid field). */
  focus: string;
  axe?: { violations: AxeViolation[]; incomplete: { id: string; help: string; nodes: number; targets: string[] }[]; passes: number };
  own: { findings: OwnFinding[]; checked: string[] };
};
export type KeyboardWalk = {
  /** Tab stops from the top of the page to the wizard's "Continuar" button. */
  tabsToContinue: string[];
  reachedContinue: boolean;
  /** Enter on "Continuar" shows the student step, and focus lands on its heading. */
  enterAdvanced: boolean;
  focusAfterEnter: string;
  /** Tab stops through the student step, from its heading to "Continuar". */
  studentTabOrder: string[];
  /** Tab stops with neither an outline nor a box-shadow while focused (no visible focus indicator). */
  noVisibleFocus: string[];
  error?: string;
};
export type WizardAudit = {
  states: StateAudit[];
  laterScripts: { path: string; decoded: number; state: string }[];
  /** Scripts or stylesheets that answered 4xx/5xx during the walk (e.g. a rebuild of .next mid-run): the audit is then of a broken page. */
  brokenAssets: string[];
  walkError?: string;
  keyboard?: KeyboardWalk;
};

/** What the own checks look at, and what they leave out, for the results file. */
export const OWN_CHECKS = [
  "html-lang: <html lang> present and a BCP 47-looking tag",
  "document-title: a non-empty <title>",
  "viewport-zoom: the viewport meta does not forbid zooming (user-scalable=no, maximum-scale < 2)",
  "control-name: every visible input/select/textarea has an accessible name (label, aria-label, aria-labelledby, title)",
  "button-link-name: every visible button and link has an accessible name",
  "img-alt: every <img> has an alt attribute",
  "duplicate-id: no id is used twice",
  "idref: aria-describedby / aria-labelledby / label[for] point at existing elements",
  "invalid-described: every aria-invalid=true control is described by non-empty visible text",
  "headings: exactly one <h1>, no skipped heading level",
  "tabindex-positive: no tabindex > 0",
  "target-size: visible buttons, links and form controls (checkbox/radio: with their label) are at least 24×24 CSS px or spaced as WCAG 2.2 2.5.8 allows",
  "error-focus: when the wizard shows errors, focus is on an aria-invalid control",
  "color-contrast: text against the nearest opaque background colour, 4.5:1 (3:1 for large text), colours resolved by the browser",
];
export const OWN_NOT_CHECKED = [
  "contrast of text over images, gradients, or elements that overlap it, and of focus indicators and non-text UI (WCAG 1.4.11)",
  "keyboard use beyond the keyboard walk (Tab to Continuar, Enter, Tab through the student step; focus visibility there judged only by a non-none outline or box-shadow), and keyboard traps",
  "whether names, labels and error messages are meaningful, and reading order",
  "screen-reader announcements themselves (only that an alert region exists when errors show)",
];

const STUDENT = {
  firstName: "Lucía",
  lastName: "García Pérez",
  documentNumber: "12345678Z",
  email: "lucia.garcia@example.com",
  phone: "612345678",
  address: "Calle Mayor 1",
  postcode: "28013",
  city: "Madrid",
};
/** The wizard's form (the page has others: the language switcher's). */
const FORM = "form:has(> h2[tabindex='-1'])";
const GUARDIAN = { firstName: "Ana", lastName: "Pérez Ruiz", documentNumber: "87654321X", email: "ana.perez@example.com", phone: "622334455" };

export async function auditWizard(browser: Browser, url: string, axeScript: string | undefined, screenshotDir?: string): Promise<WizardAudit> {
  const context = await phoneContext(browser);
  // tsx compiles with esbuild's keepNames, which wraps the named helpers inside the functions
  // handed to page.evaluate in a __name() call the page does not have.
  await context.addInitScript({ content: "globalThis.__name = (fn) => fn;" });
  const states: StateAudit[] = [];
  const laterScripts: WizardAudit["laterScripts"] = [];
  const brokenAssets: string[] = [];
  let current = "course";
  try {
    const page = await context.newPage();
    let loaded = false;
    page.on("response", (response) => {
      const type = response.request().resourceType();
      if ((type === "script" || type === "stylesheet") && response.status() >= 400)
        brokenAssets.push(`${response.status()} ${new URL(response.url()).pathname}`);
      if (!loaded || response.request().resourceType() !== "script") return;
      const state = current;
      void response
        .body()
        .then((body) => laterScripts.push({ path: new URL(response.url()).pathname, decoded: body.length, state }))
        .catch(() => undefined);
    });
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => undefined);
    loaded = true;
    const axe = axeScript ? readFileSync(axeScript, "utf8") : undefined;
    const audit = async (state: string) => {
      current = state;
      states.push(await auditState(page, state, axe));
      if (screenshotDir) await page.screenshot({ path: path.join(screenshotDir, `wizard-${states.length}-${state}.png`), fullPage: true });
    };
    const next = async (expectHeading?: string) => {
      const before = await heading(page);
      await page.locator(`${FORM} button[type=submit]`).click();
      if (expectHeading) await page.locator(`${FORM} > h2`, { hasText: expectHeading }).waitFor({ timeout: 15_000 });
      else await page.waitForFunction(([form, b]) => document.querySelector(`${form} > h2`)?.textContent !== b, [FORM, before] as const, { timeout: 15_000 });
    };
    const nextWithErrors = async () => {
      await page.locator(`${FORM} button[type=submit]`).click();
      await page.locator(`${FORM} [role=alert]`).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(200);
    };

    // Hydration done: the button works.
    await page.waitForFunction((form) => document.querySelector(`${form} > h2`) !== null, FORM, { timeout: 30_000 });
    await audit("course");
    await next("Alumno");
    await audit("student");
    await nextWithErrors();
    await audit("student with errors");
    await fill(page, "student", STUDENT);
    await page.selectOption("#field-student-documentType", "dni");
    await page.fill("#field-student-birthDate", minorBirthDate());
    await next("Tutor legal");
    await audit("guardian (minor student)");
    await fill(page, "guardian", GUARDIAN);
    await page.selectOption("#field-guardian-documentType", "dni");
    await page.selectOption("#field-guardian-relationship", "mother");
    await next("Consentimientos");
    await audit("consents");
    await page.check("#field-consents-dataProtection");
    await page.check("#field-consents-terms");
    await next("Pago");
    await nextWithErrors();
    await audit("payment with error");
    await page.check("#field-method");
    await next("Resumen");
    await audit("summary");
    await page.waitForTimeout(500);
    return { states, laterScripts, brokenAssets };
  } catch (error) {
    return { states, laterScripts, brokenAssets, walkError: `while in "${current}": ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  } finally {
    await context.close();
  }
}

async function fill(page: Page, prefix: string, values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) await page.fill(`#field-${prefix}-${name}`, value);
}

function minorBirthDate(): string {
  const d = new Date();
  return `${d.getUTCFullYear() - 15}-03-14`;
}

async function heading(page: Page): Promise<string> {
  return (await page.locator(`${FORM} > h2`).first().textContent()) ?? "";
}

async function auditState(page: Page, state: string, axe: string | undefined): Promise<StateAudit> {
  const focus = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "(body)";
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} "${(el.textContent ?? "").trim().slice(0, 40)}"`;
  });
  const findings = await ownChecks(page);
  // When errors show, focus should land on the first invalid control (the wizard's own intent).
  const errorFocus = await page.evaluate((form) => {
    const alert = document.querySelector(`${form} [role=alert]`);
    if (!alert || (alert.textContent ?? "").trim() === "") return null;
    const el = document.activeElement;
    if (el && el.getAttribute("aria-invalid") === "true") return null;
    const groups = [...document.querySelectorAll(`${form} [aria-describedby]`)].filter(
      (g) => g.getAttribute("aria-invalid") !== "true" && g.querySelector("input, select, textarea") && !g.querySelector('[aria-invalid="true"]'),
    );
    return `errors are shown but focus is on ${el ? `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}"` : "nothing"}, not on an aria-invalid control${groups.length ? `; the invalid group ${groups.map((g) => `${g.tagName.toLowerCase()}[aria-describedby=${g.getAttribute("aria-describedby")}]`).join(", ")} marks none of its controls aria-invalid` : ""}`;
  }, FORM);
  if (errorFocus) findings.push({ rule: "error-focus", target: state, detail: errorFocus });
  const result: StateAudit = { state, heading: await heading(page), focus, own: { findings, checked: OWN_CHECKS.map((c) => c.split(":")[0]!) } };
  if (axe) {
    if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axe });
    type AxeNode = { target: unknown[]; html: string; failureSummary?: string };
    type AxeRule = { id: string; impact?: string | null; help: string; helpUrl: string; nodes: AxeNode[] };
    const raw = await page.evaluate(async (tags) => {
      const run = (
        window as unknown as { axe: { run(ctx: Document, options: unknown): Promise<{ violations: AxeRule[]; incomplete: AxeRule[]; passes: AxeRule[] }> } }
      ).axe.run;
      return run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations", "incomplete"] });
    }, AXE_TAGS);
    result.axe = {
      violations: raw.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target.map(String).join(" "),
          html: n.html.slice(0, 240),
          summary: (n.failureSummary ?? "").replace(/\s+/g, " ").trim().slice(0, 400),
        })),
      })),
      incomplete: raw.incomplete.map((v) => ({
        id: v.id,
        help: v.help,
        nodes: v.nodes.length,
        targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(" ")),
      })),
      passes: raw.passes.length,
    };
  }
  return result;
}

/** The own checks, run in the page. Colours are resolved through a canvas, so oklch() and friends work. */
function ownChecks(page: Page): Promise<OwnFinding[]> {
  return page.evaluate(() => {
    const findings: { rule: string; target: string; detail: string }[] = [];
    const describe = (el: Element) => {
      const id = el.id ? `#${el.id}` : "";
      const cls = !id && typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 3).join(".")}` : "";
      const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
      return `${el.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ""}`;
    };
    const visible = (el: Element) => {
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      // 1×1 px boxes are the visually-hidden pattern (sr-only, e.g. a skip link until focused).
      return style.visibility !== "hidden" && style.display !== "none" && rect.width > 1 && rect.height > 1;
    };
    const textOf = (id: string) => document.getElementById(id)?.textContent?.trim() ?? "";
    const accessibleName = (el: Element): string => {
      const labelled = el.getAttribute("aria-labelledby");
      if (labelled) return labelled.split(/\s+/).map(textOf).join(" ").trim();
      const aria = el.getAttribute("aria-label")?.trim();
      if (aria) return aria;
      const labels = (el as HTMLInputElement).labels;
      if (labels && labels.length > 0)
        return [...labels]
          .map((l) => l.textContent?.trim() ?? "")
          .join(" ")
          .trim();
      const own = el.tagName === "INPUT" ? "" : (el.textContent ?? "").trim();
      if (own) return own;
      const img = el.querySelector("img[alt]")?.getAttribute("alt")?.trim();
      if (img) return img;
      return el.getAttribute("title")?.trim() ?? "";
    };

    const lang = document.documentElement.getAttribute("lang") ?? "";
    if (!/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(lang)) findings.push({ rule: "html-lang", target: "html", detail: `lang="${lang}"` });
    if (!document.title.trim()) findings.push({ rule: "document-title", target: "title", detail: "empty or missing" });
    const viewport = document.querySelector('meta[name="viewport"]')?.getAttribute("content") ?? "";
    const maxScale = /maximum-scale\s*=\s*([\d.]+)/.exec(viewport)?.[1];
    if (/user-scalable\s*=\s*(no|0)/.test(viewport) || (maxScale !== undefined && Number(maxScale) < 2)) {
      findings.push({ rule: "viewport-zoom", target: 'meta[name="viewport"]', detail: viewport });
    }

    const controls = [...document.querySelectorAll("input, select, textarea")].filter(
      (el) => !["hidden", "submit", "button", "reset", "image"].includes((el as HTMLInputElement).type) && visible(el),
    );
    for (const el of controls)
      if (!accessibleName(el)) findings.push({ rule: "control-name", target: describe(el), detail: "no label, aria-label, aria-labelledby or title" });
    for (const el of document.querySelectorAll("button, a[href], [role=button], [role=link]")) {
      if (visible(el) && !accessibleName(el)) findings.push({ rule: "button-link-name", target: describe(el), detail: "no accessible name" });
    }
    for (const el of document.querySelectorAll("img:not([alt])")) findings.push({ rule: "img-alt", target: describe(el), detail: "no alt attribute" });

    const ids = new Map<string, number>();
    for (const el of document.querySelectorAll("[id]")) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
    for (const [id, n] of ids) if (n > 1) findings.push({ rule: "duplicate-id", target: `#${id}`, detail: `${n} elements` });
    for (const el of document.querySelectorAll("[aria-describedby], [aria-labelledby], label[for]")) {
      for (const attr of ["aria-describedby", "aria-labelledby", "for"]) {
        for (const id of (el.getAttribute(attr) ?? "").split(/\s+/).filter(Boolean)) {
          if (!document.getElementById(id)) findings.push({ rule: "idref", target: describe(el), detail: `${attr}="${id}" points at nothing` });
        }
      }
    }
    for (const el of document.querySelectorAll('[aria-invalid="true"]')) {
      const described = (el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean).map(textOf).join(" ").trim();
      if (!described) findings.push({ rule: "invalid-described", target: describe(el), detail: "invalid but described by no text" });
    }

    const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(visible);
    const h1s = headings.filter((h) => h.tagName === "H1").length;
    if (h1s !== 1) findings.push({ rule: "headings", target: "h1", detail: `${h1s} visible <h1>` });
    let level = 0;
    for (const h of headings) {
      const l = Number(h.tagName[1]);
      if (level > 0 && l > level + 1) findings.push({ rule: "headings", target: describe(h), detail: `h${level} followed by h${l}` });
      level = l;
    }
    for (const el of document.querySelectorAll("[tabindex]")) {
      if (Number(el.getAttribute("tabindex")) > 0)
        findings.push({ rule: "tabindex-positive", target: describe(el), detail: `tabindex=${el.getAttribute("tabindex")}` });
    }

    // Target size (WCAG 2.2 2.5.8): inline links inside a sentence are exempt, and so is an
    // undersized target whose 24 px circle touches no other target nor another such circle.
    const targets: { el: Element; rect: DOMRect }[] = [];
    for (const el of document.querySelectorAll("button, a[href], input, select, textarea, [role=button]")) {
      if (!visible(el) || (el as HTMLInputElement).type === "hidden") continue;
      if (el.tagName === "A" && getComputedStyle(el).display === "inline") continue;
      let rect = el.getBoundingClientRect();
      if (el.tagName === "INPUT" && ["checkbox", "radio"].includes((el as HTMLInputElement).type)) {
        const label = (el as HTMLInputElement).labels?.[0];
        if (label) rect = label.getBoundingClientRect();
      }
      targets.push({ el, rect });
    }
    const small = targets.filter((t) => t.rect.width < 24 || t.rect.height < 24);
    const centre = (r: DOMRect) => [r.left + r.width / 2, r.top + r.height / 2] as const;
    const distance = ([x, y]: readonly [number, number], r: DOMRect) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
    for (const t of small) {
      const c = centre(t.rect);
      const crowded =
        targets.some((o) => o !== t && !o.el.contains(t.el) && !t.el.contains(o.el) && distance(c, o.rect) < 12) ||
        small.some((o) => o !== t && Math.hypot(c[0] - centre(o.rect)[0], c[1] - centre(o.rect)[1]) < 24);
      if (crowded)
        findings.push({
          rule: "target-size",
          target: describe(t.el),
          detail: `${Math.round(t.rect.width)}×${Math.round(t.rect.height)} px, and too close to another target for the spacing exception`,
        });
    }

    // Contrast.
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    const rgba = (color: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = "#000";
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      return [d[0]!, d[1]!, d[2]!, d[3]! / 255];
    };
    const over = (top: [number, number, number, number], under: [number, number, number]): [number, number, number] => [
      top[0] * top[3] + under[0] * (1 - top[3]),
      top[1] * top[3] + under[1] * (1 - top[3]),
      top[2] * top[3] + under[2] * (1 - top[3]),
    ];
    const luminance = ([r, g, b]: [number, number, number]) => {
      const c = (v: number) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
    };
    const seen = new Set<Element>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !(node.textContent ?? "").trim() || !visible(el)) continue;
      seen.add(el);
      if ((el as HTMLButtonElement).disabled || el.closest("[aria-hidden=true], script, style, noscript, title")) continue;
      // Backgrounds from the element up; stop (unchecked) at an image or gradient.
      const layers: [number, number, number, number][] = [];
      let unchecked = false;
      for (let a: Element | null = el; a; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.backgroundImage && style.backgroundImage !== "none") {
          unchecked = true;
          break;
        }
        const bg = rgba(style.backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      if (unchecked) continue;
      let background: [number, number, number] = [255, 255, 255];
      for (const layer of layers.reverse()) background = over(layer, background);
      const style = getComputedStyle(el);
      const fg = over(rgba(style.color), background);
      const [l1, l2] = [luminance(fg), luminance(background)].sort((a, b) => b - a) as [number, number];
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const weight = Number(style.fontWeight) || 400;
      const large = size >= 24 || (size >= 18.66 && weight >= 700);
      const needed = large ? 3 : 4.5;
      if (ratio < needed) {
        const hex = (c: [number, number, number]) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;
        findings.push({
          rule: "color-contrast",
          target: describe(el),
          detail: `${ratio.toFixed(2)}:1 (needs ${needed}:1), ${hex(fg)} on ${hex(background)}, ${size}px/${weight}`,
        });
      }
    }
    return findings;
  });
}

/** Keyboard only: Tab to "Continuar", Enter, then Tab through the student step. */
export async function keyboardWalk(browser: Browser, url: string): Promise<KeyboardWalk> {
  const context = await phoneContext(browser);
  await context.addInitScript({ content: "globalThis.__name = (fn) => fn;" });
  const walk: KeyboardWalk = { tabsToContinue: [], reachedContinue: false, enterAdvanced: false, focusAfterEnter: "", studentTabOrder: [], noVisibleFocus: [] };
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => undefined);
    await page.waitForFunction((form) => document.querySelector(`${form} > h2`) !== null, FORM, { timeout: 30_000 });
    const focused = () =>
      page.evaluate((form) => {
        const el = document.activeElement;
        if (!el || el === document.body) return { name: "(body)", isContinue: false, visible: true };
        const style = getComputedStyle(el);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
        const shadow = style.boxShadow !== "none";
        const label = (el as HTMLInputElement).labels?.[0]?.textContent?.trim() ?? (el.textContent ?? "").trim();
        return {
          name: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${(el as HTMLInputElement).type ? `[${(el as HTMLInputElement).type}]` : ""} "${label.slice(0, 30)}"`,
          isContinue: el.matches(`${form} button[type=submit]`),
          visible: outline || shadow,
        };
      }, FORM);
    const note = (f: { name: string; visible: boolean }) => {
      // Date and time inputs: focus is on a sub-field inside the input (day, month, year), which
      // Chromium highlights itself; the input's own outline says nothing about it.
      if (/\[(date|time|datetime-local|month|week)\]/.test(f.name)) return;
      if (!f.visible && !walk.noVisibleFocus.includes(f.name)) walk.noVisibleFocus.push(f.name);
    };
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press("Tab");
      const f = await focused();
      walk.tabsToContinue.push(f.name);
      note(f);
      if (f.isContinue) {
        walk.reachedContinue = true;
        break;
      }
    }
    if (!walk.reachedContinue) return walk;
    await page.keyboard.press("Enter");
    walk.enterAdvanced = await page
      .locator(`${FORM} > h2`, { hasText: "Alumno" })
      .waitFor({ timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    await page.waitForTimeout(200);
    walk.focusAfterEnter = (await focused()).name;
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press("Tab");
      const f = await focused();
      walk.studentTabOrder.push(f.name);
      note(f);
      if (f.isContinue) break;
    }
    return walk;
  } catch (error) {
    return { ...walk, error: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  } finally {
    await context.close();
  }
}
