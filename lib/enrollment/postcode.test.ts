import { describe, expect, it } from "vitest";
import { isSpanishPostcode, normalisePostcode } from "./postcode";

describe("isSpanishPostcode", () => {
  it.each(["01000", "01001", "08080", "28001", "35001", "52999", " 28001 "])("accepts %s", (code) => {
    expect(isSpanishPostcode(code)).toBe(true);
  });
  it.each(["00000", "00999", "53000", "99999", "2800", "280011", "28A01", ""])("rejects %s", (code) => {
    expect(isSpanishPostcode(code)).toBe(false);
  });
  it("keeps the leading zero", () => {
    expect(normalisePostcode(" 08 001 ")).toBe("08001");
  });
});
