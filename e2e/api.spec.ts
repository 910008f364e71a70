// REST API v1 over HTTP against the production build: keys, validation, receipts, cursors,
// checkout, and full and partial refunds through each provider of the sandbox.
import { expect, test } from "@playwright/test";
import { api, createReceipt, receiptState } from "./support/api";
import { appUrl, sandboxUrl } from "./support/ports";

const sandbox = sandboxUrl;

/** Pays a started checkout at the sandbox the way a payer's browser would, without one. */
async function payAtProvider(method: "redsys" | "stripe" | "paypal", action: { type: string; url: string; fields?: Record<string, string> }) {
  if (method === "redsys") {
    const start = await fetch(action.url, { method: "POST", body: new URLSearchParams(action.fields), redirect: "manual" });
    const page = start.headers.get("location");
    expect(start.status).toBe(303);
    const paid = await fetch(`${page}/card`, {
      method: "POST",
      body: new URLSearchParams({ pan: "4548810000000003", expiry: "12/39", cvv: "123", action: "pay" }),
      redirect: "manual",
    });
    return paid.headers.get("location");
  }
  if (method === "stripe") {
    const paid = await fetch(action.url, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
    return paid.headers.get("location");
  }
  const orderId = new URL(action.url).searchParams.get("token");
  const approved = await fetch(`${sandbox}/paypal/checkoutnow/${orderId}`, {
    method: "POST",
    body: new URLSearchParams({ choice: "approve" }),
    redirect: "manual",
  });
  return approved.headers.get("location");
}

test.describe("REST API v1", () => {
  test("refuses requests without a valid key", async () => {
    expect((await api("/receipts", { key: "" })).status).toBe(401);
    const wrong = await api("/receipts", { key: "ak_not_a_key_of_ours_000000000" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: "unauthorized" } });
  });

  test("validates the body and names the bad fields", async () => {
    const bad = await api("/receipts", {
      body: { student: { firstName: "", lastName: "X", email: "nope" }, concept: "x", amount: 10.5, currency: "eur", dueDate: "2026-13-01" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "invalid_request" } });
    const fields = Object.keys((bad.body.error as { fields: Record<string, string[]> }).fields);
    expect(fields).toEqual(expect.arrayContaining(["student.firstName", "student.email", "amount", "currency", "dueDate"]));
    const notJson = await fetch(`${appUrl}/api/v1/receipts`, {
      method: "POST",
      headers: { authorization: "Bearer ak_e2e_demo_key_0123456789abcdef", "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
  });

  test("creates a receipt, matches the student the second time, reads and lists it", async () => {
    const student = { firstName: "Iker", lastName: "Sanz Rubio", email: "iker.api@correo.test", documentNumber: "12345678Z" };
    const first = await api("/receipts", { body: { student, concept: "Libro de texto", amount: 3250, currency: "EUR", dueDate: "2026-12-10" } });
    const second = await api("/receipts", { body: { student, concept: "Examen oficial", amount: 11000, currency: "EUR", dueDate: "2026-12-15" } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: "pending", amount: 3250, currency: "EUR" });
    expect(String(first.body.paymentUrl)).toMatch(new RegExp(`^${appUrl}/pay/[A-Za-z0-9_-]{43}$`));
    expect(String(first.body.number)).toMatch(/^\d{4}-\d{6}$/);

    const got = await api(`/receipts/${first.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: first.body.id, concept: "Libro de texto", paidAt: null, attempts: [], refunds: [] });
    expect((await api("/receipts/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await api("/receipts/not-a-uuid")).status).toBe(404);

    // Both receipts belong to the same student (matched by document).
    const { rows } = await import("./support/db");
    const owners = await rows<{ student_id: string }>(`select student_id from receipts where id in ($1, $2)`, [first.body.id, second.body.id]);
    expect(new Set(owners.map((o) => o.student_id)).size).toBe(1);

    // Pages of 2 walk the whole list without repeats.
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < 3; page++) {
      const listed = await api(`/receipts?status=pending&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(listed.status).toBe(200);
      const data = listed.body.data as { id: string; status: string }[];
      expect(data.length).toBeLessThanOrEqual(2);
      for (const r of data) {
        expect(r.status).toBe("pending");
        expect(seen.has(r.id)).toBe(false);
        seen.add(r.id);
      }
      cursor = listed.body.nextCursor as string | null;
    }
    expect(seen.has(String(second.body.id))).toBe(true);
    expect((await api("/receipts?cursor=garbage")).status).toBe(400);
  });

  test("starts checkouts for each method with the right action", async () => {
    const receipt = await createReceipt({ amount: 2000 });
    const redsys = await api(`/receipts/${receipt.id}/checkout`, { body: { method: "redsys" } });
    expect(redsys.status).toBe(201);
    expect(redsys.body).toMatchObject({ action: { type: "form", url: `${sandbox}/redsys/sis/realizarPago` } });
    expect(Object.keys((redsys.body.action as { fields: object }).fields).sort()).toEqual(["Ds_MerchantParameters", "Ds_Signature", "Ds_SignatureVersion"]);
    const stripe = await api(`/receipts/${receipt.id}/checkout`, { body: { method: "stripe" } });
    expect(stripe.body).toMatchObject({ action: { type: "redirect" } });
    const unknown = await api(`/receipts/${receipt.id}/checkout`, { body: { method: "cash" } });
    expect(unknown.status).toBe(400);
  });

  for (const method of ["redsys", "stripe", "paypal"] as const) {
    test(`refunds part, then the rest, of a ${method} payment`, async () => {
      const receipt = await createReceipt({ amount: 10000 });
      const started = await api(`/receipts/${receipt.id}/checkout`, { body: { method } });
      expect(started.status).toBe(201);
      const back = await payAtProvider(method, started.body.action as { type: string; url: string; fields?: Record<string, string> });
      // The payer's browser returns to us; the return page settles it if no webhook has yet.
      if (back) await fetch(back);
      await expect.poll(async () => (await receiptState(receipt.id)).status, { timeout: 10_000 }).toBe("paid");

      const tooMuch = await api(`/receipts/${receipt.id}/refunds`, { body: { amount: 10001 } });
      expect(tooMuch.status).toBe(409);
      expect(tooMuch.body).toMatchObject({ error: { code: "refund_not_allowed" } });

      const key = `partial-${receipt.id}`;
      const partial = await api(`/receipts/${receipt.id}/refunds`, {
        body: { amount: 2500, reason: "Clase no impartida" },
        headers: { "idempotency-key": key },
      });
      expect(partial.status, JSON.stringify(partial.body)).toBe(201);
      expect(partial.body).toMatchObject({ status: "succeeded", amount: 2500 });
      // The same request again is the same refund, not a second one.
      const replay = await api(`/receipts/${receipt.id}/refunds`, {
        body: { amount: 2500, reason: "Clase no impartida" },
        headers: { "idempotency-key": key },
      });
      expect(replay.body).toMatchObject({ id: partial.body.id, status: "succeeded" });
      await expect.poll(async () => receiptState(receipt.id)).toMatchObject({ status: "partially_refunded", refundedAmount: 2500 });

      const rest = await api(`/receipts/${receipt.id}/refunds`, { body: { amount: 7500 } });
      expect(rest.body).toMatchObject({ status: "succeeded" });
      await expect.poll(async () => receiptState(receipt.id)).toMatchObject({ status: "refunded", refundedAmount: 10000 });
      const detail = await api(`/receipts/${receipt.id}`);
      expect((detail.body.refunds as { amount: number; status: string }[]).map((r) => [r.amount, r.status])).toEqual([
        [2500, "succeeded"],
        [7500, "succeeded"],
      ]);
      expect((await api(`/receipts/${receipt.id}/refunds`, { body: { amount: 1 } })).status).toBe(409);
    });
  }

  test("publishes an OpenAPI document of the endpoints", async () => {
    const response = await fetch(`${appUrl}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(["/receipts", "/receipts/{id}", "/receipts/{id}/checkout", "/receipts/{id}/refunds"]);
    expect(Object.keys(doc.paths["/receipts"]!).sort()).toEqual(["get", "post"]);
    // Every operation takes an API key, and so may be rate limited.
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys((operation as { responses: Record<string, unknown> }).responses), `${method} ${path}`).toContain("429");
      }
    }
  });
});
