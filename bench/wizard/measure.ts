// What the wizard costs a phone: the JavaScript its first load brings (as sent over the wire, as
// decoded, and gzip/brotli sizes computed here for comparison with build outputs), and the
// performance figures Chromium itself reports for a throttled load (Lighthouse's mobile settings
// applied through CDP), with a Lighthouse-style score computed from them.
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { devices, type Browser, type BrowserContext } from "@playwright/test";

export const PHONE = devices["Pixel 7"]!;

export function phoneContext(browser: Browser): Promise<BrowserContext> {
  // A fresh context: empty HTTP cache, no cookies (the default Spanish UI), no sessionStorage.
  const { defaultBrowserType: _ignored, ...phone } = PHONE;
  return browser.newContext({ ...phone, locale: "es-ES", timezoneId: "Europe/Madrid" });
}

// --- first-load JavaScript ---------------------------------------------------------------------

export type ScriptLoad = {
  url: string;
  path: string;
  status: number;
  encoding: string | null;
  /** Bytes of the body as transferred (after content-encoding), from Chromium's network stack. */
  transferred: number;
  /** Bytes of the decoded body (what the JS engine parses). */
  decoded: number;
  gzip: number;
  brotli: number;
  /** Referenced by a <script src> in the HTML the server sent, or fetched afterwards. */
  inInitialHtml: boolean;
  /** What the chunk seems to hold, from marker strings found in it (a hint, not an analysis). */
  holds: string[];
};

/** Marker strings that survive minification, and what they say a chunk holds. */
const MARKERS: [string, RegExp][] = [
  ["react-dom", /__reactContainer|react-dom|reactFiber/],
  ["next router/runtime", /addBasePath|__NEXT_DATA__|next-router|__next_f/],
  ["zod", /ZodError|\$ZodType|BIGINT_FORMAT_RANGES/],
  ["next-intl / intl-messageformat", /IntlMessageFormat|next-intl|NextIntlClientProvider/],
  ["enrollment wizard", /enrollment:|studentStepSchema|field-student/],
  ["turbopack runtime", /TURBOPACK_CHUNK_LISTS|registerChunk/],
];

export type FirstLoad = {
  url: string;
  status: number;
  html: { transferred: number; decoded: number; gzip: number; inlineScriptBytes: number; inlineScripts: number };
  scripts: ScriptLoad[];
  totals: {
    count: number;
    transferred: number;
    decoded: number;
    gzip: number;
    brotli: number;
    initialHtmlCount: number;
    initialHtmlDecoded: number;
    initialHtmlGzip: number;
  };
  otherRequests: { url: string; type: string; status: number | null; transferred: number }[];
  failedRequests: { url: string; error: string }[];
  /** Next.js link prefetches (?_rsc=) aborted before they finished (by the router, or as the page closed). */
  abortedPrefetches: number;
  consoleErrors: string[];
};

export function gzipSize(body: Buffer): number {
  return gzipSync(body, { level: 9 }).length;
}

export function brotliSize(body: Buffer): number {
  return brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}

export async function measureFirstLoad(browser: Browser, url: string): Promise<FirstLoad> {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    const pending: Promise<void>[] = [];
    const scripts: Omit<ScriptLoad, "inInitialHtml">[] = [];
    const otherRequests: FirstLoad["otherRequests"] = [];
    const failedRequests: FirstLoad["failedRequests"] = [];
    const consoleErrors: string[] = [];
    let document: { status: number; transferred: number; body: Buffer } | undefined;
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text().slice(0, 300));
    });
    let abortedPrefetches = 0;
    page.on("requestfailed", (request) => {
      const error = request.failure()?.errorText ?? "failed";
      // Next's <Link> prefetches (?_rsc=) cancelled by the router or when the page closes: not a failure the user sees.
      if (error === "net::ERR_ABORTED" && new URL(request.url()).searchParams.has("_rsc")) abortedPrefetches += 1;
      else failedRequests.push({ url: request.url(), error });
    });
    page.on("response", (response) => {
      const request = response.request();
      pending.push(
        (async () => {
          const sizes = await request.sizes().catch(() => undefined);
          const transferred = sizes?.responseBodySize ?? 0;
          if (request.resourceType() === "script") {
            const body = await response.body().catch(() => Buffer.alloc(0));
            scripts.push({
              url: response.url(),
              path: new URL(response.url()).pathname,
              status: response.status(),
              encoding: (await response.headerValue("content-encoding").catch(() => null)) ?? null,
              transferred,
              decoded: body.length,
              gzip: gzipSize(body),
              brotli: brotliSize(body),
              holds: (() => {
                const text = body.toString("utf8");
                return MARKERS.filter(([, re]) => re.test(text)).map(([name]) => name);
              })(),
            });
          } else if (request.resourceType() === "document" && request.frame() === page.mainFrame() && !document) {
            document = { status: response.status(), transferred, body: await response.body().catch(() => Buffer.alloc(0)) };
          } else {
            otherRequests.push({ url: response.url(), type: request.resourceType(), status: response.status(), transferred });
          }
        })(),
      );
    });
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => undefined);
    await page.waitForTimeout(1_000);
    await Promise.all(pending);
    for (const r of otherRequests)
      if (r.type === "stylesheet" && r.status !== null && r.status >= 400) failedRequests.push({ url: r.url, error: `HTTP ${r.status}` });
    for (const s of scripts) if (s.status >= 400) failedRequests.push({ url: s.url, error: `HTTP ${s.status}` });
    if (!document) throw new Error(`no document response for ${url}`);

    const html = document.body.toString("utf8");
    const srcs = new Set([...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => new URL(m[1]!.replace(/&amp;/g, "&"), url).href));
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
    const loads: ScriptLoad[] = scripts.map((s) => ({ ...s, inInitialHtml: srcs.has(s.url) })).sort((a, b) => b.decoded - a.decoded);
    const sum = (list: ScriptLoad[], key: "transferred" | "decoded" | "gzip" | "brotli") => list.reduce((n, s) => n + s[key], 0);
    const initial = loads.filter((s) => s.inInitialHtml);
    return {
      url,
      status: document.status,
      html: {
        transferred: document.transferred,
        decoded: document.body.length,
        gzip: gzipSize(document.body),
        inlineScriptBytes: inline.reduce((n, s) => n + Buffer.byteLength(s), 0),
        inlineScripts: inline.length,
      },
      scripts: loads,
      totals: {
        count: loads.length,
        transferred: sum(loads, "transferred"),
        decoded: sum(loads, "decoded"),
        gzip: sum(loads, "gzip"),
        brotli: sum(loads, "brotli"),
        initialHtmlCount: initial.length,
        initialHtmlDecoded: sum(initial, "decoded"),
        initialHtmlGzip: sum(initial, "gzip"),
      },
      otherRequests,
      failedRequests,
      abortedPrefetches,
      consoleErrors,
    };
  } finally {
    await context.close();
  }
}

// --- Chromium's own performance figures under throttling ----------------------------------------

/** Lighthouse's mobile defaults ("slow 4G", 4× CPU), as DevTools applies them at request level. */
export const THROTTLING = { latencyMs: 562.5, downloadKbps: 1474.56, uploadKbps: 675, cpuSlowdown: 4 };

export type ChromiumRun = {
  ttfb: number;
  fcp: number | null;
  lcp: number | null;
  domContentLoaded: number;
  load: number;
  cls: number;
  tbt: number;
  longTasks: number;
  /** End of the last long task after FCP (or FCP when there is none): a rough time to interactive. */
  lastLongTaskEnd: number | null;
};

type Observed = { longTasks: { start: number; duration: number }[]; lcp: number | null; cls: number };

export async function chromiumRun(browser: Browser, url: string): Promise<ChromiumRun> {
  const context = await phoneContext(browser);
  try {
    await context.addInitScript(() => {
      const seen = { longTasks: [] as { start: number; duration: number }[], lcp: null as number | null, cls: 0 };
      (window as unknown as { __benchObserved: typeof seen }).__benchObserved = seen;
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) seen.longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: "longtask", buffered: true });
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) seen.lcp = e.startTime;
        }).observe({ type: "largest-contentful-paint", buffered: true });
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!e.hadRecentInput) seen.cls += e.value;
        }).observe({ type: "layout-shift", buffered: true });
      } catch {
        // An entry type this Chromium lacks: its figure stays empty.
      }
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: THROTTLING.latencyMs,
      downloadThroughput: (THROTTLING.downloadKbps * 1024) / 8,
      uploadThroughput: (THROTTLING.uploadKbps * 1024) / 8,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLING.cpuSlowdown });
    await page.goto(url, { waitUntil: "load", timeout: 120_000 });
    await page.waitForLoadState("networkidle", { timeout: 60_000 }).catch(() => undefined);
    // Quiet time for hydration's long tasks to finish and be reported.
    await page.waitForTimeout(3_000);
    const figures = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null;
      const observed = (window as unknown as { __benchObserved: Observed }).__benchObserved;
      return {
        ttfb: nav?.responseStart ?? 0,
        domContentLoaded: nav?.domContentLoadedEventEnd ?? 0,
        load: nav?.loadEventEnd ?? 0,
        fcp,
        observed,
      };
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
    const fcp = figures.fcp;
    const after = figures.observed.longTasks.filter((t) => fcp === null || t.start + t.duration > fcp);
    // TBT as Lighthouse defines it: the part of each long task beyond 50 ms, after FCP (clipped to FCP).
    const tbt = after.reduce((n, t) => {
      const start = fcp === null ? t.start : Math.max(t.start, fcp);
      const end = t.start + t.duration;
      return n + Math.max(0, end - start - 50);
    }, 0);
    const lastLongTaskEnd = after.length > 0 ? Math.max(...after.map((t) => t.start + t.duration)) : fcp;
    return {
      ttfb: figures.ttfb,
      fcp,
      lcp: figures.observed.lcp,
      domContentLoaded: figures.domContentLoaded,
      load: figures.load,
      cls: figures.observed.cls,
      tbt,
      longTasks: after.length,
      lastLongTaskEnd,
    };
  } finally {
    await context.close();
  }
}

export function median(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = Math.floor(known.length / 2);
  return known.length % 2 === 1 ? known[mid]! : (known[mid - 1]! + known[mid]!) / 2;
}

// --- a Lighthouse-style score from those figures -------------------------------------------------

/** Lighthouse 10–12 mobile scoring curves and weights; Speed Index is not measured here, so its weight is spread over the rest. */
const CURVES = {
  fcp: { p10: 1800, median: 3000, weight: 0.1 },
  lcp: { p10: 2500, median: 4000, weight: 0.25 },
  tbt: { p10: 200, median: 600, weight: 0.3 },
  cls: { p10: 0.1, median: 0.25, weight: 0.25 },
} as const;

export function estimatedScore(figures: { fcp: number | null; lcp: number | null; tbt: number | null; cls: number | null }): number | null {
  let total = 0;
  let weights = 0;
  for (const [key, curve] of Object.entries(CURVES) as [keyof typeof CURVES, (typeof CURVES)[keyof typeof CURVES]][]) {
    const value = figures[key];
    if (value === null) return null;
    total += curve.weight * logNormalScore(curve, value);
    weights += curve.weight;
  }
  return Math.round((total / weights) * 100) / 100;
}

/** Lighthouse's getLogNormalScore. */
function logNormalScore({ p10, median: m }: { p10: number; median: number }, value: number): number {
  if (value <= 0) return 1;
  const INVERSE_ERFC_ONE_FIFTH = 0.9061938024368232;
  const standardized = (Math.log(value / m) * INVERSE_ERFC_ONE_FIFTH) / -Math.log(p10 / m);
  const percentile = (1 - erf(standardized)) / 2;
  if (value <= p10) return Math.max(0.9, Math.min(1, percentile));
  if (value <= m) return Math.max(0.5, Math.min(0.8999999999999999, percentile));
  return Math.max(0, Math.min(0.49999999999999994, percentile));
}

/** Abramowitz and Stegun 7.1.26 (error below 1.5e-7). */
function erf(x: number): number {
  const sign = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}
