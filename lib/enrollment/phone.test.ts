import { describe, expect, it } from "vitest";
import { normalisePhone, validatePhone } from "./phone";

describe("normalisePhone", () => {
  it.each([
    ["612345678", "+34612345678"],
    ["612 34 56 78", "+34612345678"],
    ["712345678", "+34712345678"],
    ["912 345 678", "+34912345678"],
    ["876 54 32 10", "+34876543210"],
    ["+34 612 345 678", "+34612345678"],
    ["0034 612 345 678", "+34612345678"],
    ["(+34) 612-345-678", "+34612345678"],
    ["+44 20 7946 0958", "+442079460958"],
    ["+33 6 12 34 56 78", "+33612345678"],
    ["0044 20 7946 0958", "+442079460958"],
    ["+1 415 555 2671", "+14155552671"],
  ])("%s → %s", (input, e164) => {
    expect(normalisePhone(input)).toBe(e164);
  });

  it.each([
    "512345678", // Spanish numbers start with 6, 7, 8 or 9
    "61234567", // eight digits
    "6123456789", // ten digits
    "+34 512 345 678", // +34 holds the Spanish rule
    "+34 61234567",
    "+0 1234 5678", // country codes never start with 0
    "+44 12345", // seven digits in all
    "+1234567890123456", // sixteen digits
    "612abc678",
    "",
    "+",
  ])("rejects %s", (input) => {
    expect(normalisePhone(input)).toBeUndefined();
  });

  it("says whether the number is Spanish", () => {
    expect(validatePhone("0034612345678")).toEqual({ ok: true, e164: "+34612345678", country: "es" });
    expect(validatePhone("+351912345678")).toEqual({ ok: true, e164: "+351912345678", country: "international" });
  });
});
