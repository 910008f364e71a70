// Redsys names no refund: the order and the authorisation code do. Without a code, two equal
// partial refunds of one order must still be two records, and the same one twice one record.
import { describe, expect, it } from "vitest";
import { refundRef } from "./redsys";

describe("Redsys refund references", () => {
  it("use the authorisation code when Redsys gives one", () => {
    expect(refundRef("4001ABCD1234", " 987654 ", "refund-1")).toBe("4001ABCD1234/987654");
  });
  it("tell two equal partial refunds without a code apart by what distinguishes them", () => {
    // Ours: each refund's own idempotency key.
    expect(refundRef("4001ABCD1234", undefined, "refund-a")).not.toBe(refundRef("4001ABCD1234", "", "refund-b"));
    // The same refund asked again (a retry with its key) stays one.
    expect(refundRef("4001ABCD1234", "", "refund-a")).toBe(refundRef("4001ABCD1234", undefined, "refund-a"));
  });
});
