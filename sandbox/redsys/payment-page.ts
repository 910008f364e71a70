// The Redsys payment page: card form with the test cards, and Bizum (phone and code).
import { escapeHtml, page, type PageLanguage } from "../shared/http";
import { REDSYS_PREFIX } from "./codes";

/** Test cards of the emulated terminal. Any other number is denied (0190). */
export const TEST_CARDS = {
  authorised: "4548810000000003",
  denied: "4000000000000002",
  authenticationFailed: "4000000000003220",
} as const;
export const BIZUM_TEST_PHONE = "+34700000000";
/** The one-time code the emulated Bizum app "sends"; any other code fails authentication. */
export const BIZUM_TEST_CODE = "123456";

export type PaymentPageInput = {
  token: string;
  order: string;
  amount: number;
  payMethods: string;
  description: string;
  bizumPhone?: string;
  merchantCode: string;
  /** DS_MERCHANT_CONSUMERLANGUAGE: 001 Spanish, 002 English. */
  language: PageLanguage;
};

const words = {
  es: {
    title: "Redsys · Pago",
    heading: "Pago seguro",
    merchant: "Comercio",
    order: "Pedido",
    amount: "Importe",
    card: "Tarjeta",
    pan: "Número de tarjeta",
    expiry: "Caducidad (MM/AA)",
    pay: "Pagar",
    cancel: "Cancelar",
    phone: "Teléfono",
    code: "Código recibido",
    bizumPay: "Confirmar pago Bizum",
    cards: (a: string, d: string, f: string) =>
      `Tarjetas de prueba: ${a} (autorizada), ${d} (denegada), ${f} (falla la autenticación); cualquier fecha futura, CVV 123.`,
    bizumHelp: (p: string, c: string) => `Teléfono de prueba ${p}, código ${c}; otro código falla la autenticación.`,
  },
  en: {
    title: "Redsys · Payment",
    heading: "Secure payment",
    merchant: "Merchant",
    order: "Order",
    amount: "Amount",
    card: "Card",
    pan: "Card number",
    expiry: "Expiry (MM/YY)",
    pay: "Pay",
    cancel: "Cancel",
    phone: "Phone",
    code: "Code received",
    bizumPay: "Confirm Bizum payment",
    cards: (a: string, d: string, f: string) => `Test cards: ${a} (authorised), ${d} (denied), ${f} (authentication fails); any future date, CVV 123.`,
    bizumHelp: (p: string, c: string) => `Test phone ${p}, code ${c}; any other code fails authentication.`,
  },
} as const;

/** `DS_MERCHANT_PAYMETHODS` "z" shows only Bizum, "C" only the card form, anything else both. */
export function paymentPageHtml(p: PaymentPageInput): string {
  const w = words[p.language];
  const euros = (p.amount / 100).toFixed(2);
  const amount = p.language === "es" ? `${euros.replace(".", ",")} €` : `€${euros}`;
  const action = `${REDSYS_PREFIX}/sis/pago/${p.token}`;
  const bizumOnly = p.payMethods === "z";
  const cardOnly = p.payMethods === "C";
  const card = `<section id="card"><h2>${w.card}</h2>
<form method="post" action="${action}/card">
<label>${w.pan} <input name="pan" id="pan" autocomplete="off" value=""></label><br>
<label>${w.expiry} <input name="expiry" id="expiry" value=""></label><br>
<label>CVV <input name="cvv" id="cvv" value=""></label><br>
<button type="submit" name="action" value="pay" id="pay">${w.pay}</button>
<button type="submit" name="action" value="cancel" id="cancel">${w.cancel}</button>
</form><p>${w.cards(TEST_CARDS.authorised, TEST_CARDS.denied, TEST_CARDS.authenticationFailed)}</p></section>`;
  const bizum = `<section id="bizum"><h2>Bizum</h2>
<form method="post" action="${action}/bizum">
<label>${w.phone} <input name="phone" id="bizum-phone" value="${escapeHtml(p.bizumPhone ?? "")}"></label><br>
<label>${w.code} <input name="code" id="bizum-code" value=""></label><br>
<button type="submit" name="action" value="pay" id="bizum-pay">${w.bizumPay}</button>
<button type="submit" name="action" value="cancel" id="bizum-cancel">${w.cancel}</button>
</form><p>${w.bizumHelp(BIZUM_TEST_PHONE, BIZUM_TEST_CODE)}</p></section>`;
  return page(
    w.title,
    `<h1>${w.heading}</h1><p>${w.merchant} ${escapeHtml(p.merchantCode)} · ${w.order} <span id="order">${escapeHtml(p.order)}</span></p>
<p>${w.amount}: <strong id="amount">${amount}</strong></p>${escapeHtml(p.description)}
${bizumOnly ? "" : card}${cardOnly ? "" : bizum}`,
    p.language,
  );
}
