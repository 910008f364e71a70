// A closed-loop HTTP load generator over node:http with keep-alive: `concurrency` workers each
// send a request, wait for the whole answer, and send the next, until the time or the request
// budget runs out (both bounded, so a run always ends by itself). Latency is measured per request
// and reported as exact percentiles. No dependencies: node:http costs the client less CPU than
// fetch, which matters when the client shares two cores with the server and PostgreSQL.
import http from "node:http";

export type RequestSpec = {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

export type Answer = { status: number; body: string };

export type LoadOptions<T extends RequestSpec> = {
  port: number;
  concurrency: number;
  durationMs: number;
  /** Upper bound on requests in this phase, whatever the duration. */
  maxRequests: number;
  /** The next request to send; undefined ends that worker (nothing left to send). */
  next: () => T | undefined;
  /** Sees every answer (or failure); returns false when the answer is not what was expected. */
  check?: (request: T, answer: Answer | Error) => boolean;
  /** Per-request timeout; a request that takes longer counts as an error. */
  timeoutMs?: number;
};

export type Latency = { mean: number; p50: number; p95: number; p99: number; max: number };

export type LoadResult = {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: Latency;
  /** Answers by HTTP status; network failures and timeouts under "error". */
  statuses: Record<string, number>;
  serverErrors: number;
  networkErrors: number;
  /** Answers that `check` rejected (wrong status or body). */
  unexpected: number;
  /** True when the request source ran dry before the time was up. */
  ranDry: boolean;
  /** Every request's latency in ms, in completion order (for merging phases). */
  latencies: Float64Array;
};

export async function runClosedLoop<T extends RequestSpec>(options: LoadOptions<T>): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const latencies = new Float64Array(options.maxRequests);
  const statuses: Record<string, number> = {};
  let issued = 0;
  let completed = 0;
  let unexpected = 0;
  let ranDry = false;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const worker = async () => {
    while (issued < options.maxRequests && performance.now() < deadline) {
      const request = options.next();
      if (!request) {
        ranDry = true;
        return;
      }
      issued += 1;
      const sentAt = performance.now();
      let answer: Answer | Error;
      try {
        answer = await send(agent, options.port, request, options.timeoutMs ?? 10_000);
      } catch (error) {
        answer = error instanceof Error ? error : new Error(String(error));
      }
      latencies[completed] = performance.now() - sentAt;
      completed += 1;
      const key = answer instanceof Error ? "error" : String(answer.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (options.check && !options.check(request, answer)) unexpected += 1;
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const serverErrors = Object.entries(statuses)
    .filter(([status]) => /^5\d\d$/.test(status))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: completed,
    seconds,
    requestsPerSecond: completed / seconds,
    latencyMs: summarize(latencies.subarray(0, completed)),
    statuses,
    serverErrors,
    networkErrors: statuses.error ?? 0,
    unexpected,
    ranDry,
    latencies: latencies.slice(0, completed),
  };
}

/** Several slices of the same load as one: totals, and percentiles over all their requests. */
export function mergeResults(parts: LoadResult[]): LoadResult {
  const requests = parts.reduce((sum, p) => sum + p.requests, 0);
  const seconds = parts.reduce((sum, p) => sum + p.seconds, 0);
  const latencies = new Float64Array(requests);
  let offset = 0;
  const statuses: Record<string, number> = {};
  for (const part of parts) {
    latencies.set(part.latencies, offset);
    offset += part.latencies.length;
    for (const [status, n] of Object.entries(part.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  }
  return {
    requests,
    seconds,
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    latencyMs: summarize(latencies),
    statuses,
    serverErrors: parts.reduce((sum, p) => sum + p.serverErrors, 0),
    networkErrors: parts.reduce((sum, p) => sum + p.networkErrors, 0),
    unexpected: parts.reduce((sum, p) => sum + p.unexpected, 0),
    ranDry: parts.some((p) => p.ranDry),
    latencies,
  };
}

function send(agent: http.Agent, port: number, request: RequestSpec, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: request.method,
        path: request.path,
        agent,
        headers: { ...request.headers, ...(body ? { "content-length": String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

function summarize(values: Float64Array): Latency {
  if (values.length === 0) return { mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  // Nearest-rank percentile: the smallest value with at least p% of the samples at or below it.
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { mean: round(mean), p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted[sorted.length - 1] ?? 0) };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
