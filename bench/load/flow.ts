// One whole enrollment-and-payment flow, as a browser would drive it, over HTTP through the
// balancer: the catalog, the wizard page, the wizard's submit (its server action), the payment
// page, starting the card payment, paying on the sandbox's Redsys page (which notifies our
// webhook, twice when the duplicate fault is on), the return page, then waiting for "paid".
import { createHash, randomUUID } from "node:crypto";
import { LOAD_API_KEY } from "./cluster";

export type Timing = { route: string; ms: number; status: number };
export type FlowResult = { ok: boolean; receiptId?: string; error?: string; timings: Timing[] };

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";

/** A valid, unique DNI for the i-th simulated student (8 digits and the check letter). */
export function dni(i: number): string {
  const number = 10_000_000 + i;
  return `${number}${DNI_LETTERS[number % 23]}`;
}

/** A simulated client address for the i-th flow, so per-address limits count people, not the load client. */
export function clientAddress(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

export type FlowContext = {
  url: string;
  courseCode: string;
  courseId: string;
  submitActionId: string;
  index: number;
  /** The receipt a payment link pays, by the link token's SHA-256 (the harness asks the database). */
  receiptOfLink(tokenHash: string): Promise<string | undefined>;
};

export async function runFlow(context: FlowContext): Promise<FlowResult> {
  const timings: Timing[] = [];
  const headers = { "x-load-client": clientAddress(context.index) };
  const timed = async (route: string, input: string, init: RequestInit = {}): Promise<Response> => {
    const started = performance.now();
    const response = await fetch(input, { redirect: "manual", ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
    const body = await response.arrayBuffer();
    timings.push({ route, ms: performance.now() - started, status: response.status });
    return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, headers: response.headers });
  };
  const fail = (error: string): FlowResult => ({ ok: false, error, timings });

  const catalog = await timed("GET /", `${context.url}/`);
  if (catalog.status !== 200) return fail(`catalog answered ${catalog.status}`);
  const wizard = await timed("GET /inscripcion/[code]", `${context.url}/inscripcion/${context.courseCode}`);
  if (wizard.status !== 200) return fail(`wizard answered ${wizard.status}`);

  // The wizard's submit is a server action: what the browser sends, a JSON array of its arguments.
  const submission = {
    submissionKey: randomUUID(),
    courseId: context.courseId,
    student: {
      firstName: "Carga",
      lastName: `Prueba ${context.index}`,
      documentType: "dni",
      documentNumber: dni(context.index),
      birthDate: "1995-03-14",
      email: `carga${context.index}@example.com`,
      phone: "612345678",
      address: "",
      postcode: "28001",
      city: "Madrid",
    },
    consents: { dataProtection: "on", terms: "on" },
    method: "redsys",
  };
  const submitted = await timed("POST /inscripcion/[code] (submit action)", `${context.url}/inscripcion/${context.courseCode}`, {
    method: "POST",
    headers: { "next-action": context.submitActionId, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component" },
    body: JSON.stringify([submission, { joinWaitlist: false }]),
  });
  const payUrl = /"kind":"redirect","url":"(\/pay\/[A-Za-z0-9_-]+)\?method=redsys"/.exec(await submitted.text())?.[1];
  if (submitted.status !== 200 || !payUrl) return fail(`submit answered ${submitted.status} without a payment link`);

  const payPage = await timed("GET /pay/[token]", `${context.url}${payUrl}?method=redsys`);
  if (payPage.status !== 200) return fail(`pay page answered ${payPage.status}`);

  // Starting the payment through the REST API runs the same checkout as the page's button.
  const token = payUrl.slice("/pay/".length);
  const receiptId = await context.receiptOfLink(createHash("sha256").update(token).digest("hex"));
  if (!receiptId) return fail("no receipt behind the payment link");
  const checkout = await timed("POST /api/v1/receipts/[id]/checkout", `${context.url}/api/v1/receipts/${receiptId}/checkout`, {
    method: "POST",
    headers: { authorization: `Bearer ${LOAD_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ method: "redsys" }),
  });
  if (checkout.status !== 201) return fail(`checkout answered ${checkout.status}`);
  const { attemptId, action } = (await checkout.json()) as { attemptId: string; action: { type: string; url: string; fields: Record<string, string> } };

  // On the bank's page (the sandbox): the signed form, then the test card.
  const atBank = await fetch(action.url, { method: "POST", body: new URLSearchParams(action.fields), redirect: "manual" });
  await atBank.arrayBuffer();
  const bankPage = atBank.headers.get("location");
  if (![302, 303].includes(atBank.status) || !bankPage) return fail(`the sandbox refused the payment form (${atBank.status})`);
  const paid = await fetch(`${bankPage}/card`, {
    method: "POST",
    body: new URLSearchParams({ pan: "4548810000000003", expiry: "12/39", cvv: "123" }),
    redirect: "manual",
  });
  await paid.arrayBuffer();
  const back = paid.headers.get("location");
  if (![302, 303].includes(paid.status) || !back) return fail(`the sandbox did not send the payer back (${paid.status})`);

  const returned = await timed("GET /pay/return/[attemptId]", back);
  if (returned.status !== 200) return fail(`return page answered ${returned.status}`);

  // The webhook (or the return page's own check) marks it paid within seconds.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await timed("GET /api/v1/receipts/[id]", `${context.url}/api/v1/receipts/${receiptId}`, {
      headers: { authorization: `Bearer ${LOAD_API_KEY}` },
    });
    if (state.status === 200 && ((await state.json()) as { status: string }).status === "paid") break;
    if (Date.now() > deadline) return fail(`receipt ${receiptId} not paid 30 s after paying (attempt ${attemptId})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { ok: true, receiptId, timings };
}
