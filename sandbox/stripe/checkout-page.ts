// The hosted Stripe Checkout page: one button per outcome the emulator can produce.
import { escapeHtml, page } from "../shared/http";
import { STRIPE_PAGE_PREFIX, type Session } from "./objects";

export type Outcome = "pay" | "decline" | "async_succeed" | "async_fail" | "cancel" | "expire";
export const OUTCOMES: readonly Outcome[] = ["pay", "decline", "async_succeed", "async_fail", "cancel", "expire"];

export function checkoutPage(s: Session, message = ""): string {
  const amount = `${(s.amount / 100).toFixed(2)} ${s.currency.toUpperCase()}`;
  const items = s.lineItems.map((li) => `<li>${escapeHtml(li.name)} × ${li.quantity}</li>`).join("");
  const action = `${STRIPE_PAGE_PREFIX}/checkout/${s.id}`;
  const button = (outcome: Outcome, label: string): string =>
    `<button type="submit" name="outcome" value="${outcome}" id="${outcome}">${escapeHtml(label)}</button>`;
  return page(
    "Stripe Checkout (sandbox)",
    `<h1>Pay <span id="amount">${amount}</span></h1><ul>${items}</ul>
${message ? `<p id="message" role="alert">${escapeHtml(message)}</p>` : ""}
<form method="post" action="${action}">
<p>Card 4242 4242 4242 4242 · 12/39 · 123</p>
${button("pay", "Pay")}${button("decline", "Pay with a declined card")}<br>
${button("async_succeed", "SEPA debit (succeeds later)")}${button("async_fail", "SEPA debit (fails later)")}<br>
${button("cancel", "Back to merchant (cancel)")}${button("expire", "Let the session expire")}
</form>`,
  );
}
