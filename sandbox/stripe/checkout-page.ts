// The hosted Stripe Checkout page: one button per outcome the emulator can produce.
import { escapeHtml, page } from "../shared/http";
import { STRIPE_PAGE_PREFIX, type Session } from "./objects";

export type Outcome = "pay" | "decline" | "async_succeed" | "async_fail" | "cancel" | "expire";
export const OUTCOMES: readonly Outcome[] = ["pay", "decline", "async_succeed", "async_fail", "cancel", "expire"];

const words = {
  es: {
    title: "Stripe Checkout (pruebas)",
    pay: "Pagar",
    testCard: "Tarjeta 4242 4242 4242 4242 · 12/39 · 123",
    declined: "Pagar con una tarjeta denegada",
    asyncOk: "Adeudo SEPA (se confirma después)",
    asyncFail: "Adeudo SEPA (falla después)",
    cancel: "Volver al comercio (cancelar)",
    expire: "Dejar que caduque la sesión",
  },
  en: {
    title: "Stripe Checkout (sandbox)",
    pay: "Pay",
    testCard: "Card 4242 4242 4242 4242 · 12/39 · 123",
    declined: "Pay with a declined card",
    asyncOk: "SEPA debit (succeeds later)",
    asyncFail: "SEPA debit (fails later)",
    cancel: "Back to merchant (cancel)",
    expire: "Let the session expire",
  },
} as const;

/** The session's `locale`, as Stripe Checkout follows it (without one, or "auto": English here). */
export function checkoutLanguage(s: Pick<Session, "locale">): "es" | "en" {
  return s.locale?.toLowerCase().startsWith("es") ? "es" : "en";
}

export function checkoutPage(s: Session, message = ""): string {
  const lang = checkoutLanguage(s);
  const w = words[lang];
  const figure = (s.amount / 100).toFixed(2);
  const amount = `${lang === "es" ? figure.replace(".", ",") : figure} ${s.currency.toUpperCase()}`;
  const items = s.lineItems.map((li) => `<li>${escapeHtml(li.name)} × ${li.quantity}</li>`).join("");
  const action = `${STRIPE_PAGE_PREFIX}/checkout/${s.id}`;
  const button = (outcome: Outcome, label: string): string =>
    `<button type="submit" name="outcome" value="${outcome}" id="${outcome}">${escapeHtml(label)}</button>`;
  return page(
    w.title,
    `<h1>${w.pay} <span id="amount">${amount}</span></h1><ul>${items}</ul>
${message ? `<p id="message" role="alert">${escapeHtml(message)}</p>` : ""}
<form method="post" action="${action}">
<p>${w.testCard}</p>
${button("pay", w.pay)}${button("decline", w.declined)}<br>
${button("async_succeed", w.asyncOk)}${button("async_fail", w.asyncFail)}<br>
${button("cancel", w.cancel)}${button("expire", w.expire)}
</form>`,
    lang,
  );
}
