// The app's REST API as the academy's other systems use it, and the database's view of a receipt.
import { expect } from "@playwright/test";
import { rows } from "./db";
import { appUrl } from "./ports";

export const demoApiKey = "ak_e2e_demo_key_0123456789abcdef";
const base = `${appUrl}/api/v1`;

let counter = 0;

export async function api(path: string, init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers: { authorization: `Bearer ${init.key ?? demoApiKey}`, "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function createReceipt(options: { amount: number; concept?: string; email?: string }) {
  counter++;
  const { status, body } = await api("/receipts", {
    body: {
      student: { firstName: "Marta", lastName: `Prueba ${Date.now()}-${counter}`, email: options.email ?? `marta.${counter}@correo.test` },
      concept: options.concept ?? `Recibo de prueba ${counter}`,
      amount: options.amount,
      currency: "EUR",
      dueDate: "2026-12-05",
    },
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return body as { id: string; number: string; paymentUrl: string; amount: number; status: string };
}

/** The receipt as our books have it: status, attempts in order, and webhook deliveries stored. */
export async function receiptState(receiptId: string) {
  const [receipt] = await rows<{ status: string; refunded_amount: number }>(`select status, refunded_amount from receipts where id = $1`, [receiptId]);
  const attempts = await rows<{ method: string; status: string }>(`select method, status from payment_attempts where receipt_id = $1 order by created_at`, [
    receiptId,
  ]);
  const [events] = await rows<{ n: number }>(
    `select count(*)::int as n from provider_events e join payment_attempts a on a.id = e.attempt_id
     where a.receipt_id = $1 and e.event_id not like 'lookup:%' and e.event_id not like 'refund:%'`,
    [receiptId],
  );
  return { status: receipt?.status, refundedAmount: receipt?.refunded_amount, attempts, webhookEvents: events?.n ?? 0 };
}
