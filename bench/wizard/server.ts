// The app the wizard bench measures: the production build (`next start`, served from a private
// copy of `.next` so that a rebuild meanwhile cannot pull assets from under it) on a free loopback port,
// on the embedded PGlite in a throwaway folder (the demo academy seeds itself on first start),
// with the sandbox providers' credentials so the payment step lists every method. The sandbox
// itself does not run: nothing on the wizard's pages calls a provider before the submission.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { allSandboxAppEnv } from "../../scripts/sandbox-env";

/** Ports other test runs use on this machine (playwright.config.ts): never take them. */
const RESERVED_PORTS = new Set([3100, 3101, 3102, 4110]);

export type AppServer = { port: number; pid: number; url: string; logFile: string; stop(): Promise<void> };

/** Builds only when there is no build at all (`.next` is shared with other runs: never deleted). */
export function ensureBuild(root: string, route: string): void {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.log("No production build in .next: running `next build`…");
    const built = spawnSync(process.execPath, [nextBin(root), "build"], { cwd: root, stdio: "inherit" });
    if (built.status !== 0) throw new Error("next build failed");
  }
  const manifest = path.join(root, ".next", "app-path-routes-manifest.json");
  const routes = existsSync(manifest) ? Object.values(JSON.parse(readFileSync(manifest, "utf8")) as Record<string, string>) : [];
  if (!routes.includes(route)) {
    throw new Error(`The build in .next has no ${route}: it predates the wizard. Rebuild with \`npx next build\` and run again.`);
  }
}

export function buildId(root: string): string {
  return readFileSync(path.join(root, ".next", "BUILD_ID"), "utf8").trim();
}

function buildIdOrNull(root: string): string | null {
  try {
    return buildId(root);
  } catch {
    return null;
  }
}

export type BuildSnapshot = { dir: string; buildId: string; remove(): void };

/**
 * A private copy of the build to serve: `.next` may be shared with other test runs, whose
 * `next build` replaces its chunks and CSS while this bench measures (the page then loses its
 * assets). The copy is `.next` without its caches (about 60 MB) in a temp folder whose other
 * entries are symlinks to the project's (node_modules, next.config.ts, db/migrations…). A copy
 * taken while a build was writing is detected (BUILD_ID changed or missing) and taken again.
 */
export async function snapshotBuild(root: string): Promise<BuildSnapshot> {
  const skip = new Set(["cache", "dev", "trace", "trace-build", "diagnostics"]);
  for (let attempt = 1; attempt <= 12; attempt += 1) {
    const before = buildIdOrNull(root);
    if (before) {
      const dir = mkdtempSync(path.join(os.tmpdir(), "bench-wizard-app-"));
      const remove = () => rmSync(dir, { recursive: true, force: true });
      try {
        for (const entry of readdirSync(root)) {
          if ([".next", ".git", ".data", "test-results"].includes(entry)) continue;
          symlinkSync(path.join(root, entry), path.join(dir, entry));
        }
        const source = path.join(root, ".next");
        cpSync(source, path.join(dir, ".next"), {
          recursive: true,
          verbatimSymlinks: true,
          filter: (src) => !skip.has(path.relative(source, src).split(path.sep)[0] ?? ""),
        });
        if (buildIdOrNull(root) === before && buildIdOrNull(dir) === before) return { dir, buildId: before, remove };
      } catch {
        // Files vanished under the copy: a build is under way.
      }
      remove();
    }
    console.log(`  .next is being rebuilt by another run; waiting to copy it (attempt ${attempt})…`);
    await new Promise((r) => setTimeout(r, 15_000));
  }
  throw new Error("could not take a consistent copy of .next: it kept being rebuilt for 3 minutes");
}

function nextBin(root: string): string {
  return path.join(root, "node_modules", "next", "dist", "bin", "next");
}

export function appEnv(port: number, sandboxPort: number, pgliteDir: string): NodeJS.ProcessEnv {
  // Only what the app needs, so variables from the caller's shell (a DATABASE_URL, other keys)
  // cannot change what is measured.
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "TZ"];
  const base = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  return {
    ...base,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_URL: `http://127.0.0.1:${port}`,
    // The embedded database in a folder of its own, with the demo academy (a production build
    // seeds it only when told to, and keeps its accounts only when allowed).
    PGLITE_DIR: pgliteDir,
    DEMO_SEED: "always",
    ALLOW_DEMO_ACCOUNTS: "true",
    AUTH_SECRET: "bench-auth-secret-0123456789abcdefghijklmnop",
    APP_ENCRYPTION_KEY: "0123456789abcdef".repeat(4),
    // No background workers polling the database while pages are timed.
    JOBS_MODE: "cron",
    // Stripe, PayPal and Redsys in sandbox mode, pointing at a port where nothing listens.
    ...allSandboxAppEnv(sandboxPort),
  };
}

/** `appDir`: the project folder to serve (a snapshot from snapshotBuild); `root`: where next is installed. */
export async function startApp(root: string, appDir: string, logFile: string): Promise<AppServer> {
  const port = await freePort();
  const sandboxPort = await freePort([port]);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-wizard-pglite-"));
  const log = openSync(logFile, "w");
  // Its own process group, so stopping it stops whatever it started too.
  const child: ChildProcess = spawn(process.execPath, [nextBin(root), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: appDir,
    env: appEnv(port, sandboxPort, path.join(dataDir, "db")),
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (!pid) throw new Error("next start did not start");
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));

  const stop = async () => {
    if (!exited) {
      signalGroup(pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 10_000);
      await exitedPromise;
      clearTimeout(timer);
      // The group may outlive its leader for a moment.
      signalGroup(pid, "SIGKILL");
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`next start exited before serving; see ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer /api/health within 120 s; see ${logFile}:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, pid, url, logFile, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A port the OS says is free, never one of the reserved ones nor one in `avoid`. */
export async function freePort(avoid: number[] = []): Promise<number> {
  for (let i = 0; i < 20; i += 1) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        const found = typeof address === "object" && address ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port > 0 && !RESERVED_PORTS.has(port) && !avoid.includes(port)) return port;
  }
  throw new Error("no free port found");
}
