// What the load test runs against: the provider sandbox, two `next start` instances of the
// production build on one PostgreSQL, and a round-robin balancer on loopback in front of them
// (as a small hosting set-up would have). The balancer plays the edge proxy: it writes the
// client's address into X-Forwarded-For (the load client says which simulated address it is).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import { allSandboxAppEnv, sandboxServerEnv } from "../../scripts/sandbox-env";

export const LOAD_API_KEY = "ak_load_test_key_0123456789abcdef";
const CRON_SECRET = "load-cron-secret-0123456789";

export type Process = { name: string; pid: number; port: number; logFile: string; stop(): Promise<void> };

export function distDir(): string {
  return process.env.NEXT_DIST_DIR || ".next";
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Starts a command in its own process group and waits until `ready` answers 2xx. */
async function startProcess(options: {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  ready: string;
  logFile: string;
  cwd: string;
}): Promise<Process> {
  const log = openSync(options.logFile, "w");
  const child: ChildProcess = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  const pid = child.pid;
  if (!pid) throw new Error(`${options.name} did not start`);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (exited) return;
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 10_000);
    await exitedPromise;
    clearTimeout(timer);
    signal("SIGKILL");
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited) throw new Error(`${options.name} exited before serving; see ${options.logFile}:\n${tail(options.logFile)}`);
    try {
      if ((await fetch(options.ready, { signal: AbortSignal.timeout(2_000) })).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not answer ${options.ready} within 180 s; see ${options.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { name: options.name, pid, port: options.port, logFile: options.logFile, stop };
}

export type Cluster = { url: string; sandboxUrl: string; apps: Process[]; sandbox: Process; stop(): Promise<void>; forwarded: number[] };

export async function startCluster(root: string, databaseUrl: string, logDir: string): Promise<Cluster> {
  if (!existsSync(path.join(root, distDir(), "BUILD_ID"))) throw new Error(`No production build in ${distDir()}: run \`npx next build\` first.`);
  const [balancerPort, sandboxPort, portA, portB] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const url = `http://127.0.0.1:${balancerPort}`;
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "TZ"];
  const base = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));

  const sandbox = await startProcess({
    name: "sandbox",
    command: process.execPath,
    args: ["--import", "tsx", "sandbox/main.ts"],
    env: { ...base, NODE_ENV: "production", ...sandboxServerEnv(url, sandboxPort) },
    port: sandboxPort,
    ready: `http://127.0.0.1:${sandboxPort}/`,
    logFile: path.join(logDir, "sandbox.log"),
    cwd: root,
  });

  const appEnv = (port: number, seed: "always" | "never"): NodeJS.ProcessEnv => ({
    ...base,
    NODE_ENV: "production",
    // The demo accounts and the sandbox, on a production build.
    ALLOW_DEMO_ACCOUNTS: "true",
    ALLOW_TEST_PAYMENTS: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_URL: url,
    DATABASE_URL: databaseUrl,
    DEMO_SEED: seed,
    DEMO_API_KEY: LOAD_API_KEY,
    AUTH_SECRET: "load-auth-secret-not-for-production-0123456789",
    APP_ENCRYPTION_KEY: "9b1c".repeat(16),
    CRON_SECRET,
    // One proxy (the balancer) in front: per-address limits apply to the simulated addresses.
    TRUST_PROXY: "1",
    ...allSandboxAppEnv(sandboxPort),
    ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
  });
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const start = (name: string, port: number, seed: "always" | "never") =>
    startProcess({
      name,
      command: process.execPath,
      args: [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"],
      env: appEnv(port, seed),
      port,
      ready: `http://127.0.0.1:${port}/api/health`,
      logFile: path.join(logDir, `${name}.log`),
      cwd: root,
    });
  // The first instance migrates and seeds the demo; the second finds both done.
  const a = await start("app-a", portA, "always");
  const b = await start("app-b", portB, "never");
  const apps = [a, b];

  const forwarded = [0, 0];
  let next = 0;
  const balancer = http.createServer((request, response) => {
    const index = next++ % apps.length;
    forwarded[index]! += 1;
    const headers = { ...request.headers };
    const client = headers["x-load-client"];
    delete headers["x-load-client"];
    headers["x-forwarded-for"] = typeof client === "string" ? client : (request.socket.remoteAddress ?? "127.0.0.1");
    const upstream = http.request({ host: "127.0.0.1", port: apps[index]!.port, method: request.method, path: request.url, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on("error", () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(upstream);
  });
  balancer.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => balancer.listen(balancerPort, "127.0.0.1", resolve));

  return {
    url,
    sandboxUrl: `http://127.0.0.1:${sandboxPort}`,
    apps,
    sandbox,
    forwarded,
    async stop() {
      await new Promise<void>((resolve) => balancer.close(() => resolve()));
      balancer.closeAllConnections();
      await Promise.all([...apps.map((app) => app.stop()), sandbox.stop()]);
    },
  };
}

/** Runs a job now through the protected cron route (the same code the in-process worker runs). */
export async function runJob(url: string, job: string): Promise<number> {
  const response = await fetch(`${url}/api/cron/${job}`, { method: "POST", headers: { authorization: `Bearer ${CRON_SECRET}` } });
  await response.arrayBuffer();
  return response.status;
}
