import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanDirectory, scanText } from "./secret-scan";

const secrets = [
  { name: "AUTH_SECRET", value: "auth-secret-for-the-scan-test-0123" },
  { name: "REDSYS_TERMINAL", value: "1" },
];

describe("the secret scan", () => {
  it("finds a known secret's value and says which", () => {
    const findings = scanText("chunk.js", 'var a="x";var s="auth-secret-for-the-scan-test-0123";', secrets);
    expect(findings.map((f) => f.what)).toEqual(["the value of AUTH_SECRET"]);
  });

  it.each([
    ["Stripe secret or restricted key", 'key:"sk_live_51HxAbCdEfGhIjKlMn"'],
    ["Stripe secret or restricted key", 'key:"rk_test_abcdefghijklmnop"'],
    ["Stripe webhook secret", '"whsec_0123456789abcdef0123"'],
    ["private key", "-----BEGIN PRIVATE KEY-----\nMIIE"],
    ["private key", "-----BEGIN RSA PRIVATE KEY-----"],
    ["database URL with a password", '"postgres://app:s3cret@db.example.com/academy"'],
    ["AWS access key", "AKIAIOSFODNN7EXAMPLE"],
  ])("finds the shape of a %s", (what, text) => {
    expect(scanText("chunk.js", text, []).map((f) => f.what)).toEqual([what]);
  });

  it("leaves alone publishable keys, short values and URLs without a password", () => {
    const text = 'pk_test_51HxAbCdEfGhIjKlMn "1" postgres://localhost/academy sk_ something';
    expect(scanText("chunk.js", text, secrets)).toEqual([]);
  });

  const dir = mkdtempSync(path.join(os.tmpdir(), "secret-scan-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("walks a build folder, reading text files only", () => {
    mkdirSync(path.join(dir, "chunks", "deep"), { recursive: true });
    writeFileSync(path.join(dir, "chunks", "clean.js"), "console.log('hola')");
    writeFileSync(path.join(dir, "chunks", "deep", "leak.js"), "const k='auth-secret-for-the-scan-test-0123'");
    writeFileSync(path.join(dir, "chunks", "image.png"), "auth-secret-for-the-scan-test-0123");
    const result = scanDirectory(dir, secrets);
    expect(result.files).toBe(2);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.file).toBe(path.join(dir, "chunks", "deep", "leak.js"));
  });
});
