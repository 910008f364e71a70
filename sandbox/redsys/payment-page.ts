// The Redsys payment page: card form with the test cards, and Bizum (phone and code).
import { escapeHtml, page } from "../shared/http";
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
};

/** `DS_MERCHANT_PAYMETHODS` "z" shows only Bizum, "C" only the card form, anything else both. */
export function paymentPageHtml(p: PaymentPageInput): string {
  const euros = (p.amount / 100).toFixed(2).replace(".", ",");
  const action = `${REDSYS_PREFIX}/sis/pago/${p.token}`;
  const bizumOnly = p.payMethods === "z";
  const cardOnly = p.payMethods === "C";
  const card = `<section id="card"><h2>Tarjeta</h2>
<form method="post" action="${action}/card">
<label>Número de tarjeta <input name="pan" id="pan" autocomplete="off" value=""></label><br>
<label>Caducidad (MM/AA) <input name="expiry" id="expiry" value=""></label><br>
<label>CVV <input name="cvv" id="cvv" value=""></label><br>
<button type="submit" name="action" value="pay" id="pay">Pagar</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancelar</button>
</form><p>Tarjetas de prueba: ${TEST_CARDS.authorised} (autorizada), ${TEST_CARDS.denied} (denegada),
${TEST_CARDS.authenticationFailed} (falla la autenticación); cualquier fecha futura, CVV 123.</p></section>`;
  const bizum = `<section id="bizum"><h2>Bizum</h2>
<form method="post" action="${action}/bizum">
<label>Teléfono <input name="phone" id="bizum-phone" value="${escapeHtml(p.bizumPhone ?? "")}"></label><br>
<label>Código recibido <input name="code" id="bizum-code" value=""></label><br>
<button type="submit" name="action" value="pay" id="bizum-pay">Confirmar pago Bizum</button>
<button type="submit" name="action" value="cancel" id="bizum-cancel">Cancelar</button>
</form><p>Teléfono de prueba ${BIZUM_TEST_PHONE}, código ${BIZUM_TEST_CODE}; otro código falla la autenticación.</p></section>`;
  return page(
    "Redsys · Pago",
    `<h1>Pago seguro</h1><p>Comercio ${escapeHtml(p.merchantCode)} · Pedido <span id="order">${escapeHtml(p.order)}</span></p>
<p>Importe: <strong id="amount">${euros} €</strong></p>${escapeHtml(p.description)}
${bizumOnly ? "" : card}${cardOnly ? "" : bizum}`,
  );
}
