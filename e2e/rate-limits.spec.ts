// Per-address limits count the connection, not what a client writes in X-Forwarded-For: a flood
// from one address, however it disguises itself, does not stop another address's payment link.
// Its own production server (`npm start`'s) on the e2e PostgreSQL, with a low limit, reached from
// two loopback addresses (127.0.0.2 and 127.0.0.3 are this machine too).
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { expect, test } from "@playwright/test";
import { createReceipt } from "./support/api";
import { rows } from "./support/db";
import { ports } from "./support/ports";
import { e2eServerEnv } from "./support/server-env";

const port = ports.postgres + 97;
let server: ChildProcess | undefined;

test.describe.configure({ timeout: 120_000 });

test.beforeAll(async () => {
  server = spawn("node", ["scripts/start.mjs", "--port", String(port)], {
    env: {
      ...process.env,
      ...e2eServerEnv,
      APP_URL: `http://localhost:${port}`,
      DATABASE_URL: process.env.E2E_DATABASE_URL!,
      DEMO_SEED: "never",
      JOBS_MODE: "cron",
      RATE_LIMIT_PAY_PER_MINUTE: "5",
    },
    stdio: "ignore",
  });
  await expect.poll(async () => (await get("127.0.0.1", "/api/health").catch(() => ({ status: 0 }))).status, { timeout: 90_000 }).toBe(200);
});
test.afterAll(() => {
  server?.kill("SIGTERM");
});

function get(from: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, localAddress: from, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("a flood from one address, whatever X-Forwarded-For it sends, does not stop another address's payment link", async () => {
  const receipt = await createReceipt({ amount: 1234 });
  const path = new URL(receipt.paymentUrl).pathname;
  const flood = [];
  for (let i = 0; i < 12; i++) flood.push(await get("127.0.0.2", path, { "x-forwarded-for": `198.51.100.${i + 1}` }));
  const served = flood.filter((r) => r.body.includes(receipt.number));
  // Five pages within the limit; after that this address gets the page for a link it cannot use.
  expect(served).toHaveLength(5);
  const other = await get("127.0.0.3", path);
  expect(other.status).toBe(200);
  expect(other.body).toContain(receipt.number);
  const keys = await rows<{ key: string; hits: number }>(
    `select key, hits from rate_limits where key like 'pay:%' and (key like '%127.0.0.%' or key like '%198.51.100.%') order by key`,
  );
  expect(keys.filter((k) => k.key.includes("198.51.100."))).toEqual([]);
  expect(keys.find((k) => k.key.endsWith("127.0.0.2"))?.hits).toBe(12);
});
