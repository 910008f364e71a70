// Lighthouse and axe-core for the wizard bench, installed with npm into a folder of their own
// outside the repository (a cache kept between runs), so the project's package.json and lock
// never change. Lighthouse is pinned to 12.2.3: 13.x needs Node 22, and this machine has Node 20.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const LIGHTHOUSE_VERSION = "12.2.3";
export const AXE_VERSION = "4.14.1";

export type Tools = {
  dir: string;
  /** node <lighthouseCli> <url> … ; undefined when Lighthouse could not be installed. */
  lighthouseCli?: string;
  /** The browser build of axe-core, injected into the page; undefined when not installed. */
  axeScript?: string;
  problems: string[];
};

export function defaultToolsDir(): string {
  return path.join(os.tmpdir(), `bench-wizard-tools-lh${LIGHTHOUSE_VERSION}-axe${AXE_VERSION}`);
}

function installedVersion(dir: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Installs what is missing (npm, about 10 s the first time); never throws, says what failed. */
export function ensureTools(dir: string, want: { lighthouse: boolean; axe: boolean }): Tools {
  const problems: string[] = [];
  const needed: string[] = [];
  if (want.lighthouse && installedVersion(dir, "lighthouse") !== LIGHTHOUSE_VERSION) needed.push(`lighthouse@${LIGHTHOUSE_VERSION}`);
  if (want.axe && installedVersion(dir, "axe-core") !== AXE_VERSION) needed.push(`axe-core@${AXE_VERSION}`);
  if (needed.length > 0) {
    mkdirSync(dir, { recursive: true });
    const manifest = path.join(dir, "package.json");
    if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name: "bench-wizard-tools", private: true }, null, 2));
    console.log(`Installing ${needed.join(", ")} into ${dir} (outside the repository)…`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = spawnSync(npm, ["install", "--save-exact", "--no-audit", "--no-fund", "--loglevel=error", ...needed], {
      cwd: dir,
      encoding: "utf8",
      timeout: 300_000,
    });
    if (result.status !== 0) {
      problems.push(
        `npm install ${needed.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`}): ${(result.stderr ?? "").trim().slice(-500)}`,
      );
    }
  }
  const lighthouseCli = path.join(dir, "node_modules", "lighthouse", "cli", "index.js");
  const axeScript = path.join(dir, "node_modules", "axe-core", "axe.min.js");
  const haveLighthouse = want.lighthouse && installedVersion(dir, "lighthouse") === LIGHTHOUSE_VERSION && existsSync(lighthouseCli);
  const haveAxe = want.axe && installedVersion(dir, "axe-core") === AXE_VERSION && existsSync(axeScript);
  if (want.lighthouse && !haveLighthouse) problems.push(`Lighthouse ${LIGHTHOUSE_VERSION} is not available in ${dir}`);
  if (want.axe && !haveAxe) problems.push(`axe-core ${AXE_VERSION} is not available in ${dir}`);
  return { dir, lighthouseCli: haveLighthouse ? lighthouseCli : undefined, axeScript: haveAxe ? axeScript : undefined, problems };
}
