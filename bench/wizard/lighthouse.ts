// Lighthouse's mobile audit of one URL against Debian's Chromium, run a few times (its scores move
// from run to run on a shared 2-core machine); the median run is the one reported, as Lighthouse's
// own docs advise.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const CATEGORIES = ["performance", "accessibility", "best-practices"] as const;
const METRICS = {
  fcp: "first-contentful-paint",
  lcp: "largest-contentful-paint",
  tbt: "total-blocking-time",
  cls: "cumulative-layout-shift",
  speedIndex: "speed-index",
  tti: "interactive",
} as const;

export type FailedAudit = {
  category: string;
  id: string;
  title: string;
  score: number;
  weight: number;
  items: { selector?: string; snippet?: string; label?: string; explanation?: string; url?: string; description?: string }[];
};

export type LighthouseRun = {
  scores: Record<(typeof CATEGORIES)[number], number | null>;
  metrics: Record<keyof typeof METRICS, number | null>;
  display: Record<keyof typeof METRICS, string | null>;
  /** The element Lighthouse took for the LCP. */
  lcpElement: string | null;
  /** Audits that failed to run (e.g. a trace format this Lighthouse does not know): id and message. */
  erroredAudits: { id: string; message: string }[];
  totalByteWeight: number | null;
  scriptBootupMs: number | null;
  mainThreadMs: number | null;
  failed: FailedAudit[];
  settings: {
    formFactor: string;
    throttlingMethod: string;
    throttling: unknown;
    screenEmulation: unknown;
    userAgent: string | null;
    benchmarkIndex: number | null;
    axeVersion: string | null;
  };
  warnings: string[];
};

type Report = {
  categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
  audits: Record<
    string,
    {
      score: number | null;
      scoreDisplayMode?: string;
      errorMessage?: string;
      title: string;
      numericValue?: number;
      displayValue?: string;
      details?: { items?: Record<string, unknown>[] };
    }
  >;
  configSettings: { formFactor: string; throttlingMethod: string; throttling: unknown; screenEmulation: unknown };
  environment?: { networkUserAgent?: string; benchmarkIndex?: number; credits?: Record<string, string> };
  runWarnings?: string[];
};

export async function runLighthouse(cli: string, url: string, chromePath: string, timeoutMs = 180_000): Promise<LighthouseRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-wizard-lh-"));
  const output = path.join(dir, "report.json");
  try {
    const args = [
      cli,
      url,
      "--output=json",
      `--output-path=${output}`,
      `--only-categories=${CATEGORIES.join(",")}`,
      "--form-factor=mobile",
      "--chrome-flags=--headless --no-sandbox --disable-gpu",
      "--quiet",
    ];
    await new Promise<void>((resolve, reject) => {
      // Its own process group: the Chromium that Lighthouse launches goes with it on a timeout.
      const child = spawn(process.execPath, args, { env: { ...process.env, CHROME_PATH: chromePath }, detached: true, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
        reject(new Error(`Lighthouse did not finish within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`Lighthouse exited with ${code}: ${stderr.trim().slice(-1500)}`));
      });
    });
    return summarize(JSON.parse(readFileSync(output, "utf8")) as Report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(report: Report): LighthouseRun {
  const audit = (id: string) => report.audits[id];
  const metrics = Object.fromEntries(Object.entries(METRICS).map(([k, id]) => [k, audit(id)?.numericValue ?? null])) as LighthouseRun["metrics"];
  const display = Object.fromEntries(Object.entries(METRICS).map(([k, id]) => [k, audit(id)?.displayValue ?? null])) as LighthouseRun["display"];
  const failed: FailedAudit[] = [];
  for (const category of ["accessibility", "best-practices"]) {
    for (const ref of report.categories[category]?.auditRefs ?? []) {
      const a = audit(ref.id);
      if (!a || a.score === null || a.score >= 1 || a.scoreDisplayMode === "informative" || a.scoreDisplayMode === "notApplicable") continue;
      failed.push({
        category,
        id: ref.id,
        title: a.title,
        score: a.score,
        weight: ref.weight,
        items: (a.details?.items ?? []).slice(0, 20).map((item) => {
          const node = item.node as { selector?: string; snippet?: string; nodeLabel?: string; explanation?: string } | undefined;
          const source = item.sourceLocation as { url?: string } | undefined;
          return {
            selector: node?.selector,
            snippet: node?.snippet,
            label: node?.nodeLabel,
            explanation: node?.explanation,
            url: source?.url ?? (typeof item.url === "string" ? item.url : undefined),
            description: typeof item.description === "string" ? item.description : undefined,
          };
        }),
      });
    }
  }
  return {
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, report.categories[c]?.score ?? null])) as LighthouseRun["scores"],
    metrics,
    display,
    lcpElement: lcpElement(audit("largest-contentful-paint-element")?.details),
    erroredAudits: Object.entries(report.audits)
      .filter(([, a]) => a.scoreDisplayMode === "error")
      .map(([id, a]) => ({ id, message: (a.errorMessage ?? "").slice(0, 300) })),
    totalByteWeight: audit("total-byte-weight")?.numericValue ?? null,
    scriptBootupMs: audit("bootup-time")?.numericValue ?? null,
    mainThreadMs: audit("mainthread-work-breakdown")?.numericValue ?? null,
    failed,
    settings: {
      formFactor: report.configSettings.formFactor,
      throttlingMethod: report.configSettings.throttlingMethod,
      throttling: report.configSettings.throttling,
      screenEmulation: report.configSettings.screenEmulation,
      userAgent: report.environment?.networkUserAgent ?? null,
      benchmarkIndex: report.environment?.benchmarkIndex ?? null,
      axeVersion: report.environment?.credits?.["axe-core"] ?? null,
    },
    warnings: report.runWarnings ?? [],
  };
}

/** The run whose performance score is the median (ties: the earlier run). */
export function medianRun(runs: LighthouseRun[]): LighthouseRun | undefined {
  const sorted = [...runs].sort((a, b) => (a.scores.performance ?? 0) - (b.scores.performance ?? 0) || (a.metrics.lcp ?? 0) - (b.metrics.lcp ?? 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The LCP element from Lighthouse 12's audit (a list of tables, the first naming the node). */
function lcpElement(details: { items?: Record<string, unknown>[] } | undefined): string | null {
  const find = (items: unknown[] | undefined): string | null => {
    for (const item of items ?? []) {
      const record = item as { node?: { selector?: string; nodeLabel?: string; snippet?: string }; items?: unknown[] };
      if (record.node)
        return `${record.node.selector ?? record.node.snippet ?? "?"}${record.node.nodeLabel ? ` ("${record.node.nodeLabel.slice(0, 60)}")` : ""}`;
      const inner = find(record.items);
      if (inner) return inner;
    }
    return null;
  };
  return find(details?.items);
}
