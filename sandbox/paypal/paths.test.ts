import { describe, expect, it } from "vitest";
import { normalisePaypalPath } from "./paypal";

describe("normalisePaypalPath", () => {
  it("maps the server SDK's absolute-URL paths and the /paypal prefix to one form", () => {
    expect(normalisePaypalPath("/https://api-m.sandbox.paypal.com/v2/checkout/orders")).toBe("/paypal/v2/checkout/orders");
    expect(normalisePaypalPath("/paypal/https://api-m.sandbox.paypal.com/v1/oauth2/token")).toBe("/paypal/v1/oauth2/token");
    expect(normalisePaypalPath("/https:/api-m.paypal.com/v2/payments/captures/X/refund")).toBe("/paypal/v2/payments/captures/X/refund");
    expect(normalisePaypalPath("/paypal/v2/checkout/orders/ABC")).toBe("/paypal/v2/checkout/orders/ABC");
    expect(normalisePaypalPath("/sdk/js")).toBe("/paypal/sdk/js");
    expect(normalisePaypalPath("/v1/checkout/sessions")).toBe("/v1/checkout/sessions");
    expect(normalisePaypalPath("/https://evil.example.com/v2/checkout/orders")).toBe("/https://evil.example.com/v2/checkout/orders");
  });
});
