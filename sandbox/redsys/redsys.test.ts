// Redsys end to end: redsys-easy signs, Chromium pays on the sandbox page (card and Bizum), the
// notification reaches a receiver and verifies with redsys-easy; SIS error codes; REST refund;
// the operations query.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Browser, Page } from "@playwright/test";
import {
  createRedsysAPI,
  GatewayError,
  randomTransactionId,
  serializeAndSignJSONRequest,
  deserializeAndVerifyJSONResponse,
  type RedirectInputParams,
  type RedsysAPI,
} from "redsys-easy";
import { startSandbox, type Sandbox } from "../server";
import { launchBrowser } from "../test-support/browser";
import { startReceiver, type Receiver } from "../test-support/receiver";
import { waitFor } from "../test-support/wait-for";
import { payRedsysByCard } from "../test-support/redsys-client";
import { BIZUM_TEST_CODE, BIZUM_TEST_PHONE, TEST_CARDS } from "./redsys";

const SECRET = "sq7HjrUOBfKmC576ILgskD5srU870gJ7";

let sandbox: Sandbox;
let receiver: Receiver;
let browser: Browser;
let redsys: RedsysAPI;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, log: () => {}, env: {} });
  receiver = await startReceiver();
  browser = await launchBrowser();
  redsys = createRedsysAPI({
    secretKey: SECRET,
    urls: {
      redirect: `${sandbox.urls.redsys}/sis/realizarPago`,
      restTrataPeticion: `${sandbox.urls.redsys}/sis/rest/trataPeticionREST`,
      restIniciaPeticion: `${sandbox.urls.redsys}/sis/rest/iniciaPeticionREST`,
    },
    fetch: globalThis.fetch as never,
  });
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.reset();
  receiver.clear();
});

function newOrder(): string {
  return randomTransactionId();
}

function paymentParams(order: string, extra: Partial<RedirectInputParams> = {}): RedirectInputParams {
  return {
    DS_MERCHANT_AMOUNT: "1999",
    DS_MERCHANT_CURRENCY: "978",
    DS_MERCHANT_MERCHANTCODE: "999008881",
    DS_MERCHANT_ORDER: order,
    DS_MERCHANT_TERMINAL: "1",
    DS_MERCHANT_TRANSACTIONTYPE: "0",
    DS_MERCHANT_MERCHANTURL: `${receiver.url}/api/redsys/notification`,
    DS_MERCHANT_URLOK: `${receiver.url}/checkout/ok`,
    DS_MERCHANT_URLKO: `${receiver.url}/checkout/ko`,
    ...extra,
  };
}

/** Posts the signed form as a browser would, without a browser (for the error paths). */
type SignedForm = { Ds_SignatureVersion: string; Ds_MerchantParameters: string; Ds_Signature: string };

async function postRedirectForm(body: SignedForm): Promise<string> {
  const form = redsys.createRedirectForm(paymentParams("0000"));
  const res = await fetch(form.url, { method: "POST", body: new URLSearchParams(body), redirect: "manual" });
  return res.status === 303 ? `redirect:${res.headers.get("location") ?? ""}` : await res.text();
}

/** The merchant page auto-submits the signed form, as the app's checkout does. */
async function openPaymentPage(page: Page, params: RedirectInputParams): Promise<void> {
  const form = redsys.createRedirectForm(params);
  const inputs = Object.entries(form.body)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
    .join("");
  await page.setContent(`<form id="f" method="post" action="${form.url}">${inputs}</form>`);
  await Promise.all([page.waitForURL(/\/redsys\/sis\/pago\//), page.evaluate(() => (document.getElementById("f") as HTMLFormElement).submit())]);
}

function parseNotification(raw: string): { Ds_SignatureVersion: string; Ds_MerchantParameters: string; Ds_Signature: string } {
  const form = new URLSearchParams(raw);
  return {
    Ds_SignatureVersion: form.get("Ds_SignatureVersion") ?? "",
    Ds_MerchantParameters: form.get("Ds_MerchantParameters") ?? "",
    Ds_Signature: form.get("Ds_Signature") ?? "",
  };
}

describe("redsys card payment", () => {
  it("is paid in Chromium, notified in the real format, verified by redsys-easy, then refunded", async () => {
    const order = newOrder();
    const page = await browser.newPage();
    try {
      await openPaymentPage(page, paymentParams(order));
      await expect(page.locator("#amount").textContent()).resolves.toContain("19,99");
      await page.fill("#pan", TEST_CARDS.authorised);
      await page.fill("#expiry", "12/39");
      await page.fill("#cvv", "123");
      await Promise.all([page.waitForURL(/\/checkout\/ok\?/), page.click("#pay")]);

      // Browser return (URLOK): redirect-style query, verified and url-decoded by redsys-easy.
      const back = new URL(page.url());
      const returned = redsys.processRedirectNotification({
        Ds_SignatureVersion: back.searchParams.get("Ds_SignatureVersion") ?? "",
        Ds_MerchantParameters: back.searchParams.get("Ds_MerchantParameters") ?? "",
        Ds_Signature: back.searchParams.get("Ds_Signature") ?? "",
      });
      expect(returned.Ds_Order).toBe(order);
      expect(returned.Ds_Response).toBe("0000");
      expect(Object.keys(returned).some((k) => /^Ds_Control_\d+$/.test(k))).toBe(true);
    } finally {
      await page.close();
    }

    const received = await waitFor(() => receiver.received.find((r) => r.path === "/api/redsys/notification"), { what: "notification" });
    expect(received.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    const body = parseNotification(received.rawBody);
    // base64url alphabet with the padding kept; the JSON has PHP-escaped slashes.
    expect(body.Ds_Signature).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    const json = Buffer.from(body.Ds_MerchantParameters, "base64").toString("utf8");
    expect(json).toMatch(/"Ds_Date":"\d{2}\\\/\d{2}\\\/\d{4}"/);
    const params = redsys.processDirectRestNotification(body);
    expect(params).toMatchObject({
      Ds_Order: order,
      Ds_Amount: "1999",
      Ds_Currency: "978",
      Ds_Response: "0000",
      Ds_Terminal: "001",
      Ds_MerchantCode: "999008881",
      Ds_ProcessedPayMethod: "78",
      Ds_Response_Description: "OPERACION AUTORIZADA",
    });
    expect(params.Ds_AuthorisationCode).toMatch(/^\d{6}$/);

    // Refund through REST trataPeticion (type 3) with the original order.
    const refund = await redsys.restTrataPeticion({
      DS_MERCHANT_ORDER: order,
      DS_MERCHANT_MERCHANTCODE: "999008881",
      DS_MERCHANT_TERMINAL: "1",
      DS_MERCHANT_TRANSACTIONTYPE: "3",
      DS_MERCHANT_CURRENCY: "978",
      DS_MERCHANT_AMOUNT: "999",
    });
    expect(refund.Ds_Response).toBe("0900");
    await expect(
      redsys.restTrataPeticion({
        DS_MERCHANT_ORDER: order,
        DS_MERCHANT_MERCHANTCODE: "999008881",
        DS_MERCHANT_TERMINAL: "1",
        DS_MERCHANT_TRANSACTIONTYPE: "3",
        DS_MERCHANT_CURRENCY: "978",
        DS_MERCHANT_AMOUNT: "1001",
      }),
    ).rejects.toSatisfy((e: unknown) => e instanceof GatewayError && e.code === "SIS0057");

    // The operations query lists the payment and the refund, signed like every REST answer.
    const query = await queryOperations(order);
    expect(query.Ds_Found).toBe("S");
    expect(query.Ds_Operations.map((o) => `${o.Ds_TransactionType}:${o.Ds_Response}:${o.Ds_Amount}`)).toEqual(["0:0000:1999", "3:0900:999"]);
  });

  it("sends a declined card to URLKO with a 0190 notification", async () => {
    const order = newOrder();
    const page = await browser.newPage();
    try {
      await openPaymentPage(page, paymentParams(order));
      await page.fill("#pan", TEST_CARDS.denied);
      await page.fill("#expiry", "12/39");
      await page.fill("#cvv", "123");
      await Promise.all([page.waitForURL(/\/checkout\/ko\?/), page.click("#pay")]);
    } finally {
      await page.close();
    }
    const received = await waitFor(() => receiver.received[0], { what: "notification" });
    expect(redsys.processDirectRestNotification(parseNotification(received.rawBody)).Ds_Response).toBe("0190");
  });

  it("answers a bad signature with SIS0042 and a repeated order with SIS0051", async () => {
    const order = newOrder();
    const form = redsys.createRedirectForm(paymentParams(order));
    const tampered = { ...form.body, Ds_Signature: redsys.createRedirectForm(paymentParams(order, { DS_MERCHANT_AMOUNT: "1" })).body.Ds_Signature };
    expect(await postRedirectForm(tampered)).toContain("SIS0042");
    // A tampered amount with the original signature is also SIS0042.
    const otherParams = redsys.createRedirectForm(paymentParams(order, { DS_MERCHANT_AMOUNT: "1" })).body.Ds_MerchantParameters;
    expect(await postRedirectForm({ ...form.body, Ds_MerchantParameters: otherParams })).toContain("SIS0042");

    expect(await postRedirectForm(form.body)).toMatch(/^redirect:.*\/redsys\/sis\/pago\//);
    expect(await postRedirectForm(form.body)).toContain("SIS0051");
  });

  it("checks merchant, terminal, order format, amount, currency and version", async () => {
    const sign = (extra: Partial<RedirectInputParams> & Record<string, string>): SignedForm => ({
      ...redsys.createRedirectForm(paymentParams(newOrder(), extra)).body,
    });
    expect(await postRedirectForm(sign({ DS_MERCHANT_MERCHANTCODE: "999008882" }))).toContain("SIS0026");
    expect(await postRedirectForm(sign({ DS_MERCHANT_TERMINAL: "2" }))).toContain("SIS0026");
    expect(await postRedirectForm(sign({ DS_MERCHANT_ORDER: "12AB5678" }))).toContain("SIS0434");
    expect(await postRedirectForm(sign({ DS_MERCHANT_ORDER: "1234567890123" }))).toContain("SIS0075");
    expect(await postRedirectForm(sign({ DS_MERCHANT_AMOUNT: "19.99" }))).toContain("SIS0019");
    expect(await postRedirectForm(sign({ DS_MERCHANT_CURRENCY: "840" }))).toContain("SIS0027");
    expect(await postRedirectForm({ ...sign({}), Ds_SignatureVersion: "HMAC_SHA512_V1" })).toContain("SIS0429");
    expect(await postRedirectForm({ ...sign({}), Ds_MerchantParameters: Buffer.from("not json").toString("base64") })).toContain("SIS0431");
  });

  it("answers REST errors as errorCode (bad signature, unknown order)", async () => {
    const order = newOrder();
    await expect(
      redsys.restTrataPeticion({
        DS_MERCHANT_ORDER: order,
        DS_MERCHANT_MERCHANTCODE: "999008881",
        DS_MERCHANT_TERMINAL: "1",
        DS_MERCHANT_TRANSACTIONTYPE: "3",
        DS_MERCHANT_CURRENCY: "978",
        DS_MERCHANT_AMOUNT: "100",
      }),
    ).rejects.toSatisfy((e: unknown) => e instanceof GatewayError && e.code === "SIS0054");
    const wrongKey = createRedsysAPI({
      secretKey: "Mk9m98IfEblmPfrpsawt7BmxObt98Jev",
      urls: { redirect: "x", restTrataPeticion: `${sandbox.urls.redsys}/sis/rest/trataPeticionREST`, restIniciaPeticion: "x" },
      fetch: globalThis.fetch as never,
    });
    await expect(
      wrongKey.restTrataPeticion({
        DS_MERCHANT_ORDER: order,
        DS_MERCHANT_MERCHANTCODE: "999008881",
        DS_MERCHANT_TERMINAL: "1",
        DS_MERCHANT_TRANSACTIONTYPE: "3",
        DS_MERCHANT_CURRENCY: "978",
        DS_MERCHANT_AMOUNT: "100",
      }),
    ).rejects.toSatisfy((e: unknown) => e instanceof GatewayError && e.code === "SIS0042");
  });
});

describe("redsys Bizum", () => {
  it("is paid with phone and code in Chromium and notified as Bizum", async () => {
    const order = newOrder();
    const page = await browser.newPage();
    try {
      await openPaymentPage(page, paymentParams(order, { DS_MERCHANT_PAYMETHODS: "z" }));
      expect(await page.locator("#pan").count()).toBe(0);
      await page.fill("#bizum-phone", BIZUM_TEST_PHONE);
      await page.fill("#bizum-code", BIZUM_TEST_CODE);
      await Promise.all([page.waitForURL(/\/checkout\/ok\?/), page.click("#bizum-pay")]);
    } finally {
      await page.close();
    }
    const received = await waitFor(() => receiver.received[0], { what: "notification" });
    const params = redsys.processDirectRestNotification(parseNotification(received.rawBody));
    expect(params).toMatchObject({ Ds_Order: order, Ds_Response: "0000", Ds_ProcessedPayMethod: "68", Ds_Terminal: "001" });
  });

  it("fails authentication with a wrong code (0184)", async () => {
    const order = newOrder();
    const page = await browser.newPage();
    try {
      await openPaymentPage(page, paymentParams(order, { DS_MERCHANT_PAYMETHODS: "z" }));
      await page.fill("#bizum-phone", BIZUM_TEST_PHONE);
      await page.fill("#bizum-code", "000000");
      await Promise.all([page.waitForURL(/\/checkout\/ko\?/), page.click("#bizum-pay")]);
    } finally {
      await page.close();
    }
    const received = await waitFor(() => receiver.received[0], { what: "notification" });
    expect(redsys.processDirectRestNotification(parseNotification(received.rawBody)).Ds_Response).toBe("0184");
  });

  it("answers a bad signature with SIS0042 and a repeated order with SIS0051", async () => {
    const order = newOrder();
    const form = redsys.createRedirectForm(paymentParams(order, { DS_MERCHANT_PAYMETHODS: "z" }));
    const badSignature = Buffer.from(form.body.Ds_Signature, "base64");
    badSignature[0] = (badSignature[0] ?? 0) ^ 1;
    expect(await postRedirectForm({ ...form.body, Ds_Signature: badSignature.toString("base64") })).toContain("SIS0042");
    expect(await postRedirectForm(form.body)).toMatch(/^redirect:/);
    expect(await postRedirectForm(form.body)).toContain("SIS0051");
  });
});

describe("redsys pre-authorisation", () => {
  const rest = (order: string, type: "2" | "3" | "9", amount: string) =>
    redsys.restTrataPeticion({
      DS_MERCHANT_ORDER: order,
      DS_MERCHANT_MERCHANTCODE: "999008881",
      DS_MERCHANT_TERMINAL: "1",
      DS_MERCHANT_TRANSACTIONTYPE: type,
      DS_MERCHANT_CURRENCY: "978",
      DS_MERCHANT_AMOUNT: amount,
    });
  const gatewayCode = (code: string) => (e: unknown) => e instanceof GatewayError && e.code === code;

  it("confirms (type 2) up to the authorised amount, then refunds; cancels (type 9) another", async () => {
    const { order } = await payRedsysByCard(sandbox, `${receiver.url}/n`, { transactionType: "1" });
    // Nothing captured yet: a refund has nothing to return.
    await expect(rest(order, "3", "100")).rejects.toSatisfy(gatewayCode("SIS0056"));
    await expect(rest(order, "2", "2501")).rejects.toSatisfy(gatewayCode("SIS0062"));
    expect((await rest(order, "2", "2000")).Ds_Response).toBe("0900");
    expect((await rest(order, "3", "2000")).Ds_Response).toBe("0900");
    await expect(rest(order, "3", "1")).rejects.toSatisfy(gatewayCode("SIS0057"));
    await expect(rest(order, "9", "2500")).rejects.toSatisfy(gatewayCode("SIS0059"));

    const other = await payRedsysByCard(sandbox, `${receiver.url}/n`, { transactionType: "1" });
    expect((await rest(other.order, "9", "2500")).Ds_Response).toBe("0400");
    await expect(rest(other.order, "2", "100")).rejects.toSatisfy(gatewayCode("SIS0059"));
  });
});

type QueryAnswer = { Ds_Found: string; Ds_Operations: { Ds_TransactionType: string; Ds_Response: string; Ds_Amount: string; Ds_State: string }[] };

async function queryOperations(order: string): Promise<QueryAnswer> {
  const request = serializeAndSignJSONRequest(SECRET, {
    DS_MERCHANT_ORDER: order,
    DS_MERCHANT_MERCHANTCODE: "999008881",
    DS_MERCHANT_TERMINAL: "1",
  });
  const res = await fetch(`${sandbox.urls.redsys}/sis/rest/consultaOperacionesREST`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  return deserializeAndVerifyJSONResponse(SECRET, (await res.json()) as never) as unknown as QueryAnswer;
}

describe("redsys operations query", () => {
  it("reports an unknown order as not found and an open page as pending", async () => {
    const order = newOrder();
    expect((await queryOperations(order)).Ds_Found).toBe("N");
    expect(await postRedirectForm(redsys.createRedirectForm(paymentParams(order)).body)).toMatch(/^redirect:/);
    const answer = await queryOperations(order);
    expect(answer.Ds_Found).toBe("S");
    expect(answer.Ds_Operations).toEqual([expect.objectContaining({ Ds_State: "P", Ds_Response: "" })]);
  });
});
