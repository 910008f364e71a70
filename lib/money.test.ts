import { describe, expect, it } from "vitest";
import { formatMoney, parseDecimalString, toDecimalString } from "./money";

const nbsp = (s: string) => s.replace(/\u00a0|\u202f/g, " ");

describe("formatMoney", () => {
  it("formats Spanish amounts with grouping even for four digits", () => {
    expect(nbsp(formatMoney(123456, "EUR", "es"))).toBe("1.234,56 €");
    expect(nbsp(formatMoney(9900, "EUR", "es"))).toBe("99,00 €");
    expect(nbsp(formatMoney(123456789, "EUR", "es"))).toBe("1.234.567,89 €");
  });
  it("formats English amounts", () => {
    expect(formatMoney(123456, "EUR", "en")).toBe("€1,234.56");
  });
  it("honours zero-decimal currencies", () => {
    expect(formatMoney(1500, "JPY", "en")).toBe("¥1,500");
  });
  it("refuses fractional minor units", () => {
    expect(() => formatMoney(10.5, "EUR", "es")).toThrow(RangeError);
  });
});

describe("decimal strings", () => {
  it.each([
    [1999, "19.99"],
    [5, "0.05"],
    [0, "0.00"],
    [100000, "1000.00"],
    [-250, "-2.50"],
  ])("%i ↔ %s", (amount, text) => {
    expect(toDecimalString(amount, "EUR")).toBe(text);
    expect(parseDecimalString(text, "EUR")).toBe(amount);
  });
  it("rejects inexact or malformed amounts", () => {
    expect(parseDecimalString("19.999", "EUR")).toBeUndefined();
    expect(parseDecimalString("1e3", "EUR")).toBeUndefined();
    expect(parseDecimalString("", "EUR")).toBeUndefined();
    expect(parseDecimalString("19.9", "EUR")).toBe(1990);
  });
});
