// Looks for secrets in what a browser can download: the known values of this run's secrets, and
// the shapes of providers' keys wherever they come from. Used on the production build's client
// files and on served pages (e2e/client-bundle.spec.ts).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export type Finding = { file: string; what: string; excerpt: string };

/** Key shapes that never belong in a browser, whoever's they are. */
const keyShapes: { what: string; pattern: RegExp }[] = [
  { what: "Stripe secret or restricted key", pattern: /\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{10,}/ },
  { what: "Stripe webhook secret", pattern: /\bwhsec_[A-Za-z0-9]{16,}/ },
  { what: "private key", pattern: /-----BEGIN (?:RSA |EC |OPENSSH |)PRIVATE KEY-----/ },
  { what: "database URL with a password", pattern: /\bpostgres(?:ql)?:\/\/[^\s:"'@/]+:[^\s"'@/]+@/ },
  { what: "AWS access key", pattern: /\bAKIA[0-9A-Z]{16}\b/ },
];

export function scanText(file: string, text: string, secrets: { name: string; value: string }[]): Finding[] {
  const findings: Finding[] = [];
  const excerpt = (index: number) => text.slice(Math.max(0, index - 40), index + 60).replace(/\s+/g, " ");
  for (const { name, value } of secrets) {
    // Short values (a terminal number "1") would match anything; real secrets are long.
    if (value.length < 8) continue;
    const index = text.indexOf(value);
    if (index >= 0) findings.push({ file, what: `the value of ${name}`, excerpt: excerpt(index) });
  }
  for (const { what, pattern } of keyShapes) {
    const match = pattern.exec(text);
    if (match) findings.push({ file, what, excerpt: excerpt(match.index) });
  }
  return findings;
}

/** Every text file under dir (JS, CSS, HTML, JSON, source maps), scanned. */
export function scanDirectory(dir: string, secrets: { name: string; value: string }[]): { files: number; findings: Finding[] } {
  const findings: Finding[] = [];
  let files = 0;
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) {
        walk(full);
      } else if (/\.(?:js|mjs|cjs|css|html|json|map|txt|rsc)$/.test(entry)) {
        files += 1;
        findings.push(...scanText(full, readFileSync(full, "utf8"), secrets));
      }
    }
  };
  walk(dir);
  return { files, findings };
}
