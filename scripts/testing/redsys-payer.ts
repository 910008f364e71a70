// A payer at the Redsys sandbox, over HTTP: posts the signed form our checkout returned, then
// pays with the sandbox's test card. The sandbox notifies (or, with a fault, drops) as Redsys would.
import { expect } from "vitest";
import type { CheckoutAction } from "@/lib/payments/types";

export async function payAtRedsysSandbox(action: CheckoutAction): Promise<void> {
  if (action.type !== "form") throw new Error(`expected a Redsys form, got ${action.type}`);
  const entry = await fetch(action.url, { method: "POST", body: new URLSearchParams(action.fields), redirect: "manual" });
  expect(entry.status).toBe(303);
  const paid = await fetch(`${entry.headers.get("location")}/card`, {
    method: "POST",
    body: new URLSearchParams({ pan: "4548810000000003", expiry: "12/39", cvv: "123", action: "pay" }),
    redirect: "manual",
  });
  expect(paid.status).toBe(303);
}
