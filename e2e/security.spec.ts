// What a browser (or anyone with one) gets to see: the security headers on every kind of
// response, a Content-Security-Policy the payment flows live with (no violation while paying),
// and no secret in the client bundle or in served pages, error pages included.
import { expect, test, type Page } from "@playwright/test";
import { scanDirectory, scanText } from "../scripts/testing/secret-scan";
import { createReceipt, receiptState } from "./support/api";
import { admin, signIn } from "./support/auth";
import { money } from "./support/db";
import { appUrl } from "./support/ports";
import { e2eSecretValues } from "./support/server-env";

const distDir = process.env.NEXT_DIST_DIR || ".next";

test("every kind of response carries the security headers", async ({ request }) => {
  for (const path of ["/", "/admin/sign-in", "/admin", "/pay/not-a-real-token", "/api/health", "/api/v1/openapi.json", "/no-such-page"]) {
    const response = await request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    const csp = headers["content-security-policy"] ?? "";
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("object-src 'none'");
    expect(csp, path).toMatch(/script-src 'self' [^;]*https:\/\/www\.paypal\.com/);
    expect(csp, path).not.toContain("'unsafe-eval'");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["x-powered-by"], path).toBeUndefined();
  }
});

function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|frame|connect|send form)/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

test("paying with the PayPal buttons and by card through Redsys breaks no rule of the policy", async ({ page }) => {
  const violations = cspViolations(page);
  const receipt = await createReceipt({ amount: 3100 });
  await page.goto(receipt.paymentUrl);
  await page.getByRole("radio", { name: "PayPal" }).check();
  // The PayPal SDK (the sandbox's stand-in, served from another origin) loads and renders its button.
  await expect(page.getByRole("button", { name: "PayPal (sandbox)" })).toBeVisible();
  await page.getByRole("radio", { name: /^Tarjeta/ }).check();
  // The signed form POST to Redsys is a cross-origin form submission: form-action must allow it.
  await page.getByRole("button", { name: `Pagar ${money(3100)}` }).click();
  await expect(page.locator("#pan")).toBeVisible();
  expect(violations).toEqual([]);
});

test("the client bundle holds none of the server's secrets nor anything shaped like a key", async () => {
  const result = scanDirectory(`${distDir}/static`, e2eSecretValues());
  // The build is there and was read: an empty scan would prove nothing.
  expect(result.files).toBeGreaterThan(20);
  expect(result.findings).toEqual([]);
});

test("served pages, error pages and API answers hold no secret", async ({ request }) => {
  const secrets = e2eSecretValues();
  expect(secrets.map((s) => s.name)).toEqual(
    expect.arrayContaining(["AUTH_SECRET", "APP_ENCRYPTION_KEY", "STRIPE_SECRET_KEY", "REDSYS_SECRET_KEY", "CRON_SECRET"]),
  );
  const answers = [
    await request.get("/"),
    await request.get("/admin/sign-in"),
    await request.get("/pay/not-a-real-token"),
    await request.get("/no-such-page"),
    await request.get("/api/v1/openapi.json"),
    await request.get("/api/v1/receipts", { headers: { authorization: "Bearer wrong" } }),
    await request.post("/api/webhooks/redsys", { form: { Ds_SignatureVersion: "HMAC_SHA256_V1", Ds_MerchantParameters: "e30=", Ds_Signature: "bad" } }),
    await request.post("/api/webhooks/stripe", { data: "{", headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=bad" } }),
    await request.post(`${appUrl}/api/cron/reconcile-payments`, { headers: { authorization: "Bearer wrong" } }),
  ];
  for (const answer of answers) {
    expect(scanText(answer.url(), await answer.text(), secrets), answer.url()).toEqual([]);
  }
});

test("a staff action sent from another site is refused (CSRF): the same request from ours works", async ({ page }) => {
  const receipt = await createReceipt({ amount: 2100, concept: "CSRF (e2e)" });
  await signIn(page, admin);
  await page.goto(`/admin/receipts/${receipt.id}`);
  page.on("dialog", (dialog) => void dialog.accept());
  // Capture the browser's own cancel request and stop it, to send it again by hand.
  let captured: { url: string; headers: Record<string, string>; body: Buffer } | undefined;
  await page.route(`**/admin/receipts/${receipt.id}`, async (route) => {
    const request = route.request();
    if (request.method() === "POST" && request.headers()["next-action"]) {
      captured = { url: request.url(), headers: request.headers(), body: request.postDataBuffer()! };
      return route.abort();
    }
    return route.continue();
  });
  await page.getByLabel("Motivo de la anulación").fill("Prueba CSRF");
  await page.getByRole("button", { name: "Anular recibo" }).click();
  await expect.poll(() => captured !== undefined).toBe(true);
  await page.unroute(`**/admin/receipts/${receipt.id}`);

  const send = (origin: string) =>
    page.request.post(captured!.url, {
      headers: { "next-action": captured!.headers["next-action"]!, "content-type": captured!.headers["content-type"]!, accept: "text/x-component", origin },
      data: captured!.body,
    });
  const forged = await send("https://evil.example");
  expect(forged.status()).toBeGreaterThanOrEqual(400);
  expect((await receiptState(receipt.id)).status).toBe("pending");

  const genuine = await send(appUrl);
  expect(genuine.status()).toBe(200);
  await expect.poll(async () => (await receiptState(receipt.id)).status).toBe("cancelled");
});
