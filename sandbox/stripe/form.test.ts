import { describe, expect, it } from "vitest";
import { parseStripeForm } from "./form";

describe("parseStripeForm", () => {
  it("decodes bracket keys into nested objects and arrays", () => {
    const parsed = parseStripeForm(
      "mode=payment&line_items[0][price_data][unit_amount]=1999&line_items[0][price_data][product_data][name]=Curso%20A&line_items[0][quantity]=1" +
        "&line_items[1][quantity]=2&metadata[attempt_id]=a1&expand[]=payment_intent&expand[]=line_items",
    );
    expect(parsed).toEqual({
      mode: "payment",
      line_items: [{ price_data: { unit_amount: "1999", product_data: { name: "Curso A" } }, quantity: "1" }, { quantity: "2" }],
      metadata: { attempt_id: "a1" },
      expand: ["payment_intent", "line_items"],
    });
  });
});
