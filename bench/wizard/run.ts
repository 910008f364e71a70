// The enrollment wizard on a phone: first-load JavaScript, performance and accessibility.
//
//   npx tsx bench/wizard/run.ts [--code ING-B1] [--lighthouse-runs 3] [--chromium-runs 3]
//                               [--no-lighthouse] [--no-axe] [--tools DIR] [--screenshots DIR]
//
// Uses the production build in .next (builds only when there is none), starts `next start` on a
// free loopback port with the embedded PGlite in a throwaway folder (the demo academy seeds
// itself), then, against /inscripcion/<code> on Debian's Chromium with a phone profile:
//   1. the JavaScript the first load brings (transferred, decoded, gzip and brotli sizes);
//   2. Lighthouse 12 (mobile: performance, accessibility, best practices), installed with npm
//      outside the repository, median of N runs; and Chromium's own figures for a throttled load
//      (4× CPU, slow 4G through CDP) with a Lighthouse-style score: the "equivalent" that stands
//      alone when Lighthouse cannot be installed;
//   3. axe-core and the bench's own checks on every state of the wizard, clicking "Continuar"
//      through to the summary (nothing is submitted).
// Writes bench/results/wizard.{json,md} and stops everything it started, also on failure or Ctrl-C.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium, type Browser } from "@playwright/test";
import { AXE_TAGS, auditWizard, keyboardWalk, OWN_CHECKS, OWN_NOT_CHECKED, type WizardAudit } from "./a11y";
import { medianRun, runLighthouse, type LighthouseRun } from "./lighthouse";
import { chromiumRun, estimatedScore, measureFirstLoad, median, PHONE, THROTTLING, type ChromiumRun, type FirstLoad } from "./measure";
import { ensureBuild, snapshotBuild, startApp, type AppServer } from "./server";
import { AXE_VERSION, defaultToolsDir, ensureTools, LIGHTHOUSE_VERSION, type Tools } from "./tools";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

const { values: args } = parseArgs({
  options: {
    code: { type: "string", default: "ING-B1" },
    "lighthouse-runs": { type: "string", default: "3" },
    "chromium-runs": { type: "string", default: "3" },
    "no-lighthouse": { type: "boolean", default: false },
    "no-axe": { type: "boolean", default: false },
    tools: { type: "string" },
    screenshots: { type: "string" },
  },
});
const settings = {
  code: args.code!,
  lighthouseRuns: bounded("lighthouse-runs", args["lighthouse-runs"], 1, 9),
  chromiumRuns: bounded("chromium-runs", args["chromium-runs"], 1, 9),
  lighthouse: !args["no-lighthouse"],
  axe: !args["no-axe"],
  toolsDir: args.tools ? path.resolve(args.tools) : defaultToolsDir(),
};

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}

// --- everything started here is stopped here --------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch((error: unknown) => console.error("cleanup:", error));
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping what the bench started…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// --- the run ------------------------------------------------------------------------------------

type Results = {
  date: string;
  url: string;
  route: string;
  buildId: string;
  /** Why the figures cannot be trusted (empty when they can). */
  invalid: string[];
  machine: { cores: number; cpu: string; memoryGiB: number; loadAverage: number[]; node: string; chromium: string; platform: string };
  phone: { profile: string; viewport: { width: number; height: number }; deviceScaleFactor: number; userAgent: string; isMobile: boolean; hasTouch: boolean };
  method: { performance: string; accessibility: string; tools: { dir: string; lighthouse: string | null; axe: string | null; problems: string[] } };
  firstLoad: FirstLoad;
  lighthouse: { runs: LighthouseRun[]; median: LighthouseRun | null; spread: Record<string, [number, number] | null>; errors: string[] } | null;
  chromium: {
    throttling: typeof THROTTLING;
    runs: ChromiumRun[];
    median: Record<keyof ChromiumRun, number | null>;
    estimatedPerformanceScore: number | null;
    errors: string[];
  };
  accessibility: WizardAudit & { axeTags: string[] | null; ownChecks: string[]; ownNotChecked: string[] };
};

async function main() {
  console.log(`bench/wizard: ${JSON.stringify(settings)}`);
  const route = "/inscripcion/[code]";
  ensureBuild(root, route);
  const tools: Tools =
    settings.lighthouse || settings.axe
      ? ensureTools(settings.toolsDir, { lighthouse: settings.lighthouse, axe: settings.axe })
      : { dir: settings.toolsDir, problems: [] };
  for (const problem of tools.problems) console.warn(`  ${problem}`);

  const logFile = path.join(os.tmpdir(), `bench-wizard-next-${process.pid}.log`);
  console.log("Copying the build out of the shared .next…");
  const snapshot = await snapshotBuild(root);
  cleanups.push(async () => snapshot.remove());
  console.log(`Starting next start on PGlite from build ${snapshot.buildId} (log: ${logFile})…`);
  const startBuild = snapshot.buildId;
  const app: AppServer = await startApp(root, snapshot.dir, logFile);
  cleanups.push(() => app.stop());
  const url = `${app.url}/inscripcion/${encodeURIComponent(settings.code)}`;
  console.log(`  serving on 127.0.0.1:${app.port} (pid ${app.pid}); measuring ${url}`);
  const check = await fetch(url);
  if (check.status !== 200) throw new Error(`${url} answered ${check.status}; is ${settings.code} a course of the demo academy?`);

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  cleanups.push(() => browser.close());
  const chromiumVersion = browser.version();

  // A first visit warms the server (route compiled into memory, database pages read), so that
  // what is measured is the page, not the server's first request.
  await measureFirstLoad(browser, url);
  console.log("First-load JavaScript…");
  const firstLoad = await measureFirstLoad(browser, url);
  console.log(
    `  ${firstLoad.totals.count} scripts: ${kb(firstLoad.totals.transferred)} transferred, ${kb(firstLoad.totals.decoded)} decoded, ${kb(firstLoad.totals.gzip)} gzip`,
  );

  let lighthouse: Results["lighthouse"] = null;
  if (tools.lighthouseCli) {
    const runs: LighthouseRun[] = [];
    const errors: string[] = [];
    for (let i = 0; i < settings.lighthouseRuns; i += 1) {
      try {
        const run = await runLighthouse(tools.lighthouseCli, url, CHROMIUM);
        runs.push(run);
        console.log(
          `  Lighthouse run ${i + 1}: ${JSON.stringify(run.scores)} FCP ${run.display.fcp} LCP ${run.display.lcp} TBT ${run.display.tbt} CLS ${run.display.cls}`,
        );
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
        console.warn(`  Lighthouse run ${i + 1} failed: ${errors.at(-1)}`);
      }
    }
    const range = (values: (number | null)[]): [number, number] | null => {
      const known = values.filter((v): v is number => v !== null);
      return known.length ? [Math.min(...known), Math.max(...known)] : null;
    };
    lighthouse = {
      runs,
      median: medianRun(runs) ?? null,
      spread: {
        performance: range(runs.map((r) => r.scores.performance)),
        accessibility: range(runs.map((r) => r.scores.accessibility)),
        "best-practices": range(runs.map((r) => r.scores["best-practices"])),
        fcp: range(runs.map((r) => r.metrics.fcp)),
        lcp: range(runs.map((r) => r.metrics.lcp)),
        tbt: range(runs.map((r) => r.metrics.tbt)),
        cls: range(runs.map((r) => r.metrics.cls)),
      },
      errors,
    };
  }

  console.log(`Chromium's own figures, ${THROTTLING.cpuSlowdown}× CPU and slow 4G…`);
  const chromiumRuns: ChromiumRun[] = [];
  const chromiumErrors: string[] = [];
  for (let i = 0; i < settings.chromiumRuns; i += 1) {
    try {
      const run = await chromiumRun(browser, url);
      chromiumRuns.push(run);
      console.log(`  run ${i + 1}: FCP ${ms(run.fcp)} LCP ${ms(run.lcp)} TBT ${ms(run.tbt)} CLS ${run.cls.toFixed(3)} load ${ms(run.load)}`);
    } catch (error) {
      chromiumErrors.push(error instanceof Error ? error.message : String(error));
    }
  }
  const keys: (keyof ChromiumRun)[] = ["ttfb", "fcp", "lcp", "domContentLoaded", "load", "cls", "tbt", "longTasks", "lastLongTaskEnd"];
  const chromiumMedian = Object.fromEntries(keys.map((k) => [k, median(chromiumRuns.map((r) => r[k]))])) as Record<keyof ChromiumRun, number | null>;

  console.log("Accessibility of each wizard state…");
  if (args.screenshots) mkdirSync(path.resolve(args.screenshots), { recursive: true });
  const audit = await auditWizard(browser, url, tools.axeScript, args.screenshots ? path.resolve(args.screenshots) : undefined);
  for (const state of audit.states) {
    console.log(
      `  ${state.state}: axe ${state.axe ? `${state.axe.violations.length} violations (${state.axe.violations.map((v) => v.id).join(", ") || "none"})` : "not run"}; own checks ${state.own.findings.length} findings (${[...new Set(state.own.findings.map((f) => f.rule))].join(", ") || "none"})`,
    );
  }
  if (audit.walkError) console.warn(`  the walk stopped ${audit.walkError}`);
  audit.keyboard = await keyboardWalk(browser, url);
  console.log(
    `  keyboard: ${audit.keyboard.tabsToContinue.length} Tabs to Continuar, Enter ${audit.keyboard.enterAdvanced ? "advanced" : "did not advance"}, focus then on ${audit.keyboard.focusAfterEnter}; ${audit.keyboard.noVisibleFocus.length} stops without a visible focus indicator${audit.keyboard.error ? `; error: ${audit.keyboard.error}` : ""}`,
  );

  // A page whose scripts or CSS failed is not the page users get: its figures are not the build's.
  const problems = [
    ...(audit.brokenAssets.length ? [`assets failed while auditing: ${audit.brokenAssets.slice(0, 5).join(", ")}`] : []),
    ...firstLoad.failedRequests.filter((f) => f.error.startsWith("HTTP")).map((f) => `first load: ${f.error} ${new URL(f.url).pathname}`),
  ];
  for (const problem of problems) console.warn(`  INVALID RUN: ${problem}`);
  const results: Results = {
    date: new Date().toISOString(),
    url: url.replace(`:${app.port}`, ":<port>"),
    route,
    buildId: startBuild,
    invalid: problems,
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      node: process.version,
      chromium: `${chromiumVersion} (${chromiumBinaryVersion()})`,
      platform: `${os.type()} ${os.release()}`,
    },
    phone: {
      profile: 'Playwright devices["Pixel 7"], locale es-ES',
      viewport: PHONE.viewport,
      deviceScaleFactor: PHONE.deviceScaleFactor,
      userAgent: PHONE.userAgent,
      isMobile: PHONE.isMobile,
      hasTouch: PHONE.hasTouch,
    },
    method: {
      performance: lighthouse?.median
        ? `Lighthouse ${LIGHTHOUSE_VERSION} (mobile form factor, simulated throttling), median of ${lighthouse.runs.length} runs; plus Chromium's own metrics under CDP throttling as a cross-check`
        : `Equivalent (Lighthouse not run${tools.problems.length ? `: ${tools.problems.join("; ")}` : settings.lighthouse ? "" : ": --no-lighthouse"}): Chromium's own metrics (Navigation Timing, paint, LCP and layout-shift observers, long tasks → TBT) under CDP throttling, scored with Lighthouse's mobile curves`,
      accessibility: tools.axeScript
        ? `axe-core ${AXE_VERSION} (tags ${AXE_TAGS.join(", ")}) on each wizard state${lighthouse?.median ? `, Lighthouse's accessibility category on the first state` : ""}, plus the bench's own checks`
        : `The bench's own checks only (axe-core not available${tools.problems.length ? `: ${tools.problems.join("; ")}` : ""})`,
      tools: {
        dir: tools.dir,
        lighthouse: tools.lighthouseCli ? LIGHTHOUSE_VERSION : null,
        axe: tools.axeScript ? AXE_VERSION : null,
        problems: tools.problems,
      },
    },
    firstLoad,
    lighthouse,
    chromium: {
      throttling: THROTTLING,
      runs: chromiumRuns,
      median: chromiumMedian,
      estimatedPerformanceScore: estimatedScore({ fcp: chromiumMedian.fcp, lcp: chromiumMedian.lcp, tbt: chromiumMedian.tbt, cls: chromiumMedian.cls }),
      errors: chromiumErrors,
    },
    accessibility: { ...audit, axeTags: tools.axeScript ? AXE_TAGS : null, ownChecks: OWN_CHECKS, ownNotChecked: OWN_NOT_CHECKED },
  };

  const outDir = path.join(root, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "wizard.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(outDir, "wizard.md"), markdown(results));
  console.log(`Wrote bench/results/wizard.json and bench/results/wizard.md`);
  const measured = firstLoad.totals.count > 0 && (lighthouse?.median || chromiumRuns.length > 0) && audit.states.length > 0;
  return measured && problems.length === 0 && !audit.walkError && !audit.keyboard?.error ? 0 : 1;
}

function chromiumBinaryVersion(): string {
  try {
    return execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return CHROMIUM;
  }
}

// --- the readable results ---------------------------------------------------------------------

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${Math.round(value)} ms`;
}
function score(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : String(Math.round(value * 100));
}
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function markdown(r: Results): string {
  const out: string[] = [];
  const fl = r.firstLoad;
  out.push(`# Enrollment wizard on a phone: first-load JavaScript, performance, accessibility`, "");
  out.push(
    `Targets: first-load JavaScript ≤ 120 KB gzipped, Lighthouse mobile ≥ 95 performance and 100 accessibility. Produced by \`npx tsx bench/wizard/run.ts\`; the raw figures are in \`wizard.json\`.`,
    "",
  );
  if (r.invalid.length) out.push(`**This run is not valid:** ${r.invalid.map(cell).join("; ")}`, "");
  out.push(`- Date: ${r.date}`);
  out.push(`- Page: \`${r.url}\` (route \`${r.route}\`, demo academy on PGlite, sandbox providers configured), build \`${r.buildId}\``);
  out.push(
    `- Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGiB} GiB, load average at the end ${r.machine.loadAverage.join(" / ")}; ${r.machine.platform}`,
  );
  out.push(`- Node ${r.machine.node}; Chromium ${r.machine.chromium}`);
  out.push(
    `- Phone profile: ${r.phone.profile}: ${r.phone.viewport.width}×${r.phone.viewport.height} CSS px at ${r.phone.deviceScaleFactor}×, touch, mobile UA`,
  );
  out.push(`- Performance method: ${r.method.performance}`);
  out.push(`- Accessibility method: ${r.method.accessibility}`, "");

  out.push(`## First-load JavaScript`, "");
  out.push(
    `Every script the page loads on a first visit (empty cache) until the network is idle, as Chromium received it. "Transferred" is the body on the wire (the server's own content-encoding: ${[...new Set(fl.scripts.map((s) => s.encoding ?? "none"))].join(", ")}); "decoded" is what the JavaScript engine parses; gzip (level 9) and brotli (quality 11) are computed here from the decoded bodies, for comparison with build outputs that report compressed sizes.`,
    "",
  );
  out.push(`| | scripts | transferred | decoded | gzip | brotli |`, `| --- | ---: | ---: | ---: | ---: | ---: |`);
  out.push(
    `| all scripts loaded | ${fl.totals.count} | ${kb(fl.totals.transferred)} | ${kb(fl.totals.decoded)} | ${kb(fl.totals.gzip)} | ${kb(fl.totals.brotli)} |`,
  );
  out.push(
    `| of which in the HTML's \`<script src>\` | ${fl.totals.initialHtmlCount} | | ${kb(fl.totals.initialHtmlDecoded)} | ${kb(fl.totals.initialHtmlGzip)} | |`,
  );
  out.push(`| HTML document (for reference) | – | ${kb(fl.html.transferred)} | ${kb(fl.html.decoded)} | ${kb(fl.html.gzip)} | |`);
  out.push(
    "",
    `The HTML also carries ${fl.html.inlineScripts} inline scripts (${kb(fl.html.inlineScriptBytes)} decoded, mostly the React Server Components payload), counted in the HTML, not above.`,
    "",
  );
  out.push(
    `Biggest chunks ("seems to hold": marker strings found in the chunk, a hint only):`,
    "",
    `| chunk | transferred | decoded | gzip | in HTML | seems to hold |`,
    `| --- | ---: | ---: | ---: | :---: | --- |`,
  );
  for (const s of fl.scripts.slice(0, 12))
    out.push(`| \`${s.path}\` | ${kb(s.transferred)} | ${kb(s.decoded)} | ${kb(s.gzip)} | ${s.inInitialHtml ? "yes" : "no"} | ${s.holds.join(", ")} |`);
  if (fl.abortedPrefetches)
    out.push(
      "",
      `(${fl.abortedPrefetches} Next.js link prefetches, \`?_rsc=\`, were aborted before finishing, by the router or as the page closed; not counted.)`,
    );
  if (fl.failedRequests.length || fl.consoleErrors.length) {
    out.push("", `Failed requests and console errors on first load:`);
    for (const f of fl.failedRequests) out.push(`- failed: ${f.url} (${f.error})`);
    for (const e of fl.consoleErrors) out.push(`- console: ${cell(e)}`);
  }
  const later = r.accessibility.laterScripts;
  out.push(
    "",
    later.length
      ? `Loaded later, while walking through the wizard: ${later.map((s) => `\`${s.path}\` ${kb(s.decoded)} (${s.state})`).join(", ")}.`
      : `No further script is loaded while walking through the wizard to the summary.`,
    "",
  );

  out.push(`## Performance and scores`, "");
  const lh = r.lighthouse?.median;
  if (lh && r.lighthouse) {
    const sp = r.lighthouse.spread;
    const rng = (k: string, f: (n: number) => string) => (sp[k] ? `${f(sp[k]![0])}–${f(sp[k]![1])}` : "–");
    out.push(
      `Lighthouse ${LIGHTHOUSE_VERSION}, mobile (${JSON.stringify(lh.settings.screenEmulation)}, throttling "${lh.settings.throttlingMethod}": ${JSON.stringify(lh.settings.throttling)}), benchmark index ${lh.settings.benchmarkIndex}; median run of ${r.lighthouse.runs.length} (range over the runs in the last column).`,
      "",
    );
    out.push(`| | median run | range |`, `| --- | ---: | ---: |`);
    out.push(`| Performance score | **${score(lh.scores.performance)}** | ${rng("performance", (n) => score(n))} |`);
    out.push(`| Accessibility score | **${score(lh.scores.accessibility)}** | ${rng("accessibility", (n) => score(n))} |`);
    out.push(`| Best-practices score | **${score(lh.scores["best-practices"])}** | ${rng("best-practices", (n) => score(n))} |`);
    out.push(`| First Contentful Paint | ${ms(lh.metrics.fcp)} | ${rng("fcp", ms)} |`);
    out.push(`| Largest Contentful Paint | ${ms(lh.metrics.lcp)} | ${rng("lcp", ms)} |`);
    const lcpError = lh.erroredAudits.find((e) => e.id === "largest-contentful-paint-element");
    out.push(`| LCP element | ${cell(lh.lcpElement ?? (lcpError ? "– (the audit errored, see below)" : "–"))} | |`);
    out.push(`| Total Blocking Time | ${ms(lh.metrics.tbt)} | ${rng("tbt", ms)} |`);
    out.push(`| Cumulative Layout Shift | ${lh.metrics.cls?.toFixed(3) ?? "–"} | ${rng("cls", (n) => n.toFixed(3))} |`);
    out.push(`| Speed Index | ${ms(lh.metrics.speedIndex)} | |`);
    out.push(`| Time to Interactive | ${ms(lh.metrics.tti)} | |`);
    out.push(`| Total byte weight | ${lh.totalByteWeight === null ? "–" : kb(lh.totalByteWeight)} | |`);
    out.push(`| JS execution time (bootup) / main-thread work | ${ms(lh.scriptBootupMs)} / ${ms(lh.mainThreadMs)} | |`, "");
    if (lh.failed.length) {
      out.push(`Lighthouse audits not passed (median run):`, "");
      for (const f of lh.failed) {
        out.push(`- **${f.category} / \`${f.id}\`** (weight ${f.weight}): ${f.title}`);
        for (const item of f.items) {
          const where = item.selector ? `\`${item.selector}\`${item.label ? ` ("${item.label}")` : ""}` : (item.url ?? "");
          out.push(`  - ${where}${item.explanation ? `: ${cell(item.explanation)}` : item.description ? `: ${cell(item.description)}` : ""}`);
        }
      }
      out.push("");
    }
    if (lh.erroredAudits.length) {
      out.push(
        `Lighthouse audits that could not run (their categories are scored without them; the metrics above are unaffected): ${lh.erroredAudits.map((e) => `\`${e.id}\` (${cell(e.message)})`).join("; ")}.`,
        "",
      );
    }
    out.push(`Lighthouse's LCP is simulated (Lantern) from the unthrottled trace; compare it with the LCP Chromium observes under real throttling below.`, "");
    if (r.lighthouse.errors.length) out.push(`Lighthouse runs that failed: ${r.lighthouse.errors.map(cell).join("; ")}`, "");
  } else {
    out.push(`Lighthouse was not run (${r.method.tools.problems.join("; ") || "--no-lighthouse"}): the figures below are the equivalent.`, "");
  }
  const c = r.chromium;
  out.push(
    `Chromium's own figures for a throttled load (${c.throttling.cpuSlowdown}× CPU via \`Emulation.setCPUThrottlingRate\`, ${c.throttling.latencyMs} ms latency, ${c.throttling.downloadKbps} kbit/s down, ${c.throttling.uploadKbps} kbit/s up via \`Network.emulateNetworkConditions\`, empty cache), median of ${c.runs.length} runs${lh ? "; a cross-check of Lighthouse's simulated figures, which estimate rather than observe the throttled load" : ""}:`,
    "",
  );
  out.push(
    `| TTFB | FCP | LCP | DOMContentLoaded | load | TBT (long tasks after FCP) | long tasks | last long task ends | CLS | score (Lighthouse curves, no Speed Index) |`,
  );
  out.push(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  const m = c.median;
  out.push(
    `| ${ms(m.ttfb)} | ${ms(m.fcp)} | ${ms(m.lcp)} | ${ms(m.domContentLoaded)} | ${ms(m.load)} | ${ms(m.tbt)} | ${m.longTasks ?? "–"} | ${ms(m.lastLongTaskEnd)} | ${m.cls?.toFixed(3) ?? "–"} | ${score(c.estimatedPerformanceScore)} |`,
    "",
  );
  if (c.errors.length) out.push(`Runs that failed: ${c.errors.map(cell).join("; ")}`, "");

  out.push(`## Accessibility of each wizard state`, "");
  const a = r.accessibility;
  out.push(
    `The wizard walked as a person would on the phone profile (Continuar with empty fields to show the errors, then a minor student so the guardian step appears, consents, payment without and with a method, summary; nothing submitted). ${a.axeTags ? `axe-core ${AXE_VERSION} with tags ${a.axeTags.join(", ")}.` : "axe-core was not available: only the own checks ran."}`,
    "",
  );
  if (a.walkError) out.push(`**The walk stopped ${a.walkError}.**`, "");
  out.push(`| state | heading | focus on arrival | axe violations | axe needs review | own-check findings |`, `| --- | --- | --- | ---: | ---: | ---: |`);
  for (const s of a.states) {
    out.push(
      `| ${s.state} | ${cell(s.heading)} | ${cell(s.focus)} | ${s.axe ? s.axe.violations.reduce((n, v) => n + v.nodes.length, 0) : "–"} | ${s.axe ? s.axe.incomplete.reduce((n, v) => n + v.nodes, 0) : "–"} | ${s.own.findings.length} |`,
    );
  }
  out.push("");
  const violations = a.states.flatMap((s) => (s.axe?.violations ?? []).flatMap((v) => v.nodes.map((n) => ({ state: s.state, v, n }))));
  if (violations.length) {
    out.push(`axe violations (rule, element, states where it shows):`, "");
    const grouped = new Map<string, { v: (typeof violations)[number]["v"]; n: (typeof violations)[number]["n"]; states: string[] }>();
    for (const x of violations) {
      const key = `${x.v.id}|${x.n.target}`;
      const g = grouped.get(key) ?? { v: x.v, n: x.n, states: [] };
      if (!g.states.includes(x.state)) g.states.push(x.state);
      grouped.set(key, g);
    }
    for (const g of grouped.values()) {
      out.push(
        `- **\`${g.v.id}\`** (${g.v.impact ?? "?"}) ${g.v.help}: \`${g.n.target}\` — \`${cell(g.n.html)}\` — ${cell(g.n.summary)} — in: ${g.states.join(", ")}`,
      );
    }
    out.push("");
  } else if (a.axeTags) {
    out.push(`No axe violation in any state.`, "");
  }
  const review = new Map<string, { help: string; states: string[]; targets: Set<string> }>();
  for (const s of a.states)
    for (const i of s.axe?.incomplete ?? []) {
      const g = review.get(i.id) ?? { help: i.help, states: [], targets: new Set<string>() };
      g.states.push(s.state);
      for (const t of i.targets) g.targets.add(t);
      review.set(i.id, g);
    }
  if (review.size) {
    out.push(`axe "needs review" (axe could not decide; check by hand):`, "");
    for (const [id, g] of review)
      out.push(
        `- \`${id}\` ${g.help}: ${[...g.targets]
          .slice(0, 6)
          .map((t) => `\`${t}\``)
          .join(", ")} — in: ${g.states.join(", ")}`,
      );
    out.push("");
  }
  const own = new Map<string, { f: { rule: string; target: string; detail: string }; states: string[] }>();
  for (const s of a.states)
    for (const f of s.own.findings) {
      const key = `${f.rule}|${f.target}|${f.detail}`;
      const g = own.get(key) ?? { f, states: [] };
      if (!g.states.includes(s.state)) g.states.push(s.state);
      own.set(key, g);
    }
  const k = a.keyboard;
  // Consecutive stops on one element (a date input's day, month, year and picker) as one, ×n.
  const stops = (list: string[]) => {
    const runs: [string, number][] = [];
    for (const t of list) {
      const last = runs.at(-1);
      if (last && last[0] === t) last[1] += 1;
      else runs.push([t, 1]);
    }
    return runs.map(([t, n]) => `\`${t}\`${n > 1 ? ` ×${n}` : ""}`).join(" → ") || "–";
  };
  if (k) {
    out.push(
      `Keyboard only: ${k.reachedContinue ? `${k.tabsToContinue.length} Tab presses from the top of the page reach "Continuar" (${stops(k.tabsToContinue)})` : `"Continuar" was not reached in ${k.tabsToContinue.length} Tab presses`}; Enter ${k.enterAdvanced ? "shows the student step" : "does not show the student step"}, focus then on \`${k.focusAfterEnter || "–"}\`; Tab order through the student step: ${stops(k.studentTabOrder)}. ${k.noVisibleFocus.length ? `Stops with no visible focus indicator (no outline, no box-shadow): ${k.noVisibleFocus.map((t) => `\`${t}\``).join(", ")}.` : "Every stop showed a focus indicator (outline or box-shadow)."}${k.error ? ` The keyboard walk stopped: ${cell(k.error)}.` : ""}`,
      "",
    );
  }
  out.push(own.size ? `Own-check findings:` : `The own checks found nothing.`, "");
  for (const g of own.values()) out.push(`- **${g.f.rule}**: ${cell(g.f.target)} — ${cell(g.f.detail)} — in: ${g.states.join(", ")}`);
  out.push("", `Own checks: ${a.ownChecks.map((x) => x.split(":")[0]).join(", ")}. Not checked by them: ${a.ownNotChecked.join("; ")}.`, "");
  out.push(`## Reading the numbers`, "");
  out.push(
    `The machine is shared with other test runs (the load average above says how busy it was): Lighthouse's simulated throttling makes its figures fairly stable, the CDP-throttled ones move more. The first-load sizes depend only on the build. Lighthouse 12.2.3 is used because 13.x needs Node 22.`,
    "",
  );
  return `${out.join("\n")}\n`;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await cleanup();
    process.exit(1);
  });
