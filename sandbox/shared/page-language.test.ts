// The sandbox's hosted pages speak the payer's language, as each provider is told it, and fetch
// no file (a missing favicon would be a 404 in every payer's console).
import { describe, expect, it } from "vitest";
import { paymentPageHtml } from "../redsys/payment-page";
import { checkoutPage } from "../stripe/checkout-page";
import type { Session } from "../stripe/objects";
import { pageLanguage } from "./http";

const redsys = { token: "t", order: "4001ABCD1234", amount: 9500, payMethods: "", description: "Matrícula", merchantCode: "999008881" };

describe("hosted pages in the payer's language", () => {
  it("reads each provider's way of saying it", () => {
    expect(["001", "002", "es", "en", "en-GB", "es-ES", null].map(pageLanguage)).toEqual(["es", "en", "es", "en", "en", "es", "es"]);
  });

  it("Redsys: Spanish for 001, English for 002, with no file to fetch", () => {
    const es = paymentPageHtml({ ...redsys, language: "es" });
    const en = paymentPageHtml({ ...redsys, language: "en" });
    expect(es).toContain('<html lang="es">');
    expect(es).toContain("Número de tarjeta");
    expect(es).toContain("95,00 €");
    expect(en).toContain('<html lang="en">');
    expect(en).toContain("Card number");
    expect(en).not.toContain("Número de tarjeta");
    for (const html of [es, en]) {
      expect(html).toContain('<link rel="icon" href="data:,">');
      expect(html).not.toMatch(/<(script|img|link)[^>]+(src|href)="\/(?!\/)/);
    }
  });

  it("Stripe Checkout follows the session's locale", () => {
    const session = { id: "cs_test_1", amount: 4500, currency: "eur", lineItems: [{ name: "Recibo", quantity: 1 }], locale: "es" } as unknown as Session;
    expect(checkoutPage(session)).toContain("Pagar con una tarjeta denegada");
    expect(checkoutPage({ ...session, locale: "en" } as Session)).toContain("Pay with a declined card");
    expect(checkoutPage(session)).toContain("45,00 EUR");
  });
});
