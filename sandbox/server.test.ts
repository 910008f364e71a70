// The sandbox process itself: loopback binding, live-credential refusal, `npm run sandbox`
// output, reset, and the control page's resend button in Chromium.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "@playwright/test";
import { LiveCredentialsError } from "./shared/config";
import { startSandbox, type Sandbox } from "./server";
import { launchBrowser } from "./test-support/browser";
import { startReceiver, type Receiver } from "./test-support/receiver";
import { payRedsysByCard } from "./test-support/redsys-client";
import { waitFor } from "./test-support/wait-for";

describe("startup guard", () => {
  it.each([
    [{ STRIPE_SECRET_KEY: "sk_live_abc" }, /live Stripe key/],
    [{ SANDBOX_STRIPE_SECRET_KEY: "rk_live_abc" }, /live Stripe key/],
    [{ PAYPAL_MODE: "live" }, /PAYPAL_MODE/],
    [{ REDSYS_MODE: "live" }, /REDSYS_MODE/],
    [{ REDSYS_BASE_URL: "https://sis.redsys.es/sis" }, /production host/],
    [{ PAYPAL_API_BASE: "https://api-m.paypal.com" }, /production host/],
  ])("refuses to start with %o", async (env, message) => {
    await expect(startSandbox({ port: 0, env, log: () => {} })).rejects.toSatisfy((e: unknown) => e instanceof LiveCredentialsError && message.test(e.message));
  });

  it("starts with test credentials and binds to loopback", async () => {
    const sandbox = await startSandbox({ port: 0, env: { STRIPE_SECRET_KEY: "sk_test_ok", PAYPAL_MODE: "sandbox" }, log: () => {} });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const root = (await (await fetch(sandbox.url)).json()) as { urls: Record<string, string> };
      expect(root.urls).toMatchObject({
        stripe: sandbox.url,
        paypal: `${sandbox.url}/paypal`,
        redsys: `${sandbox.url}/redsys`,
        paypalSdk: `${sandbox.url}/sdk/js`,
      });
    } finally {
      await sandbox.close();
    }
  });
});

type MainRun = { ready: Promise<string>; exited: Promise<{ code: number | null; output: string }>; stop: () => void };

/** Runs `tsx sandbox/main.ts` as `npm run sandbox` does; `ready` resolves once URLs are printed. */
function runMain(env: Record<string, string>): MainRun {
  const child = spawn(process.execPath, ["--import", "tsx", "sandbox/main.ts"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let markReady: (text: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    markReady = resolve;
  });
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.includes("Control")) markReady(output);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => child.on("exit", (code) => resolve({ code, output })));
  return { ready, exited, stop: () => child.kill("SIGTERM") };
}

describe("npm run sandbox (sandbox/main.ts)", () => {
  it("prints one base URL per provider and stops on SIGTERM", async () => {
    const run = runMain({ SANDBOX_PORT: "0", STRIPE_SECRET_KEY: "", PAYPAL_MODE: "" });
    try {
      const printed = await run.ready;
      expect(printed).toMatch(/STRIPE_API_BASE=http:\/\/127\.0\.0\.1:\d+/);
      expect(printed).toMatch(/PAYPAL_API_BASE=http:\/\/127\.0\.0\.1:\d+\/paypal/);
      expect(printed).toMatch(/PAYPAL_SDK_BASE=http:\/\/127\.0\.0\.1:\d+\/sdk\/js/);
      expect(printed).toMatch(/REDSYS_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/redsys/);
    } finally {
      run.stop();
    }
    expect((await run.exited).code).toBe(0);
  });

  it("exits 1 with a readable message given a live key", async () => {
    const { code, output } = await runMain({ SANDBOX_PORT: "0", STRIPE_SECRET_KEY: "sk_live_123" }).exited;
    expect(code).toBe(1);
    expect(output).toContain("refuses to start");
  });
});

describe("control page", () => {
  let sandbox: Sandbox;
  let receiver: Receiver;
  let browser: Browser;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, env: {}, log: () => {} });
    receiver = await startReceiver();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await sandbox?.close();
  });

  it("lists orders and deliveries, resends on click, and reset empties it", async () => {
    const { order } = await payRedsysByCard(sandbox, `${receiver.url}/notify`);
    await waitFor(() => receiver.received.length === 1, { what: "first delivery" });
    const page = await browser.newPage();
    try {
      await page.goto(sandbox.urls.control);
      expect(await page.locator("#orders").textContent()).toContain(order);
      const row = page.locator("#deliveries tr[data-delivery]");
      expect(await row.count()).toBe(1);
      await Promise.all([page.waitForURL(sandbox.urls.control), row.locator("button").click()]);
      await waitFor(() => receiver.received.length === 2, { what: "resent delivery" });
      expect(receiver.received[1]?.rawBody).toBe(receiver.received[0]?.rawBody);
      expect(await page.locator("#deliveries tr[data-delivery]").first().textContent()).toContain("2 (200)");
    } finally {
      await page.close();
    }
    expect((await fetch(`${sandbox.urls.control}/reset`, { method: "POST" })).status).toBe(200);
    const state = (await (await fetch(`${sandbox.urls.control}/state`)).json()) as { orders: unknown[]; deliveries: unknown[] };
    expect(state).toMatchObject({ orders: [], deliveries: [] });
  });
});
