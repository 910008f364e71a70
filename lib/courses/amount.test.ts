import { describe, expect, it } from "vitest";
import { formatAmountInput, parseAmountInput } from "./amount";
import { parseCourseForm } from "./schema";

describe("parseAmountInput", () => {
  it.each([
    ["85,50", 8550],
    ["85.50", 8550],
    ["85", 8500],
    ["85,5", 8550],
    ["0,01", 1],
    ["0", 0],
    ["1.234,56", 123456],
    ["1,234.56", 123456],
    ["1.234.567,89", 123456789],
    [" 85,50 € ", 8550],
    ["0,29", 29],
    ["1,10", 110],
  ])("reads %j as %i cents", (text, cents) => {
    expect(parseAmountInput(text, "EUR")).toBe(cents);
  });

  it.each(["", "abc", "85,505", "1.500", "-5", "85,", ",50", "1.2.3", "12,34.56,7", "1,23,456.00", "85 50", "1e3", "0x10"])("refuses %j", (text) => {
    expect(parseAmountInput(text, "EUR")).toBeUndefined();
  });

  it("has no float error where floats have one", () => {
    // 0.29 * 100 = 28.999999999999996 and 1.10 * 100 = 110.00000000000001 in floating point.
    expect(parseAmountInput("0.29", "EUR")).toBe(29);
    expect(parseAmountInput("4.35", "EUR")).toBe(435);
  });

  it("round-trips with formatAmountInput", () => {
    for (const cents of [0, 1, 99, 8550, 123456]) {
      expect(parseAmountInput(formatAmountInput(cents, "EUR", "es"), "EUR")).toBe(cents);
      expect(parseAmountInput(formatAmountInput(cents, "EUR", "en"), "EUR")).toBe(cents);
    }
    expect(formatAmountInput(8550, "EUR", "es")).toBe("85,50");
    expect(formatAmountInput(5, "EUR", "en")).toBe("0.05");
  });
});

describe("parseCourseForm", () => {
  const valid = {
    code: "ing-b2-t",
    name: "Inglés B2 tarde",
    description: "",
    level: "B2",
    schedule: "L y X 18:00–19:30",
    startDate: "2026-09-15",
    endDate: "2027-06-15",
    capacity: "12",
    enrollmentFee: "40",
    monthlyFee: "85,50",
    status: "open",
    campusCourseId: "",
  };

  it("gives a typed course with fees in cents", () => {
    const parsed = parseCourseForm(valid);
    expect(parsed).toEqual({
      ok: true,
      course: { ...valid, code: "ING-B2-T", capacity: 12, enrollmentFee: 4000, monthlyFee: 8550, minAge: null, maxAge: null, campusCourseId: null },
    });
  });

  it("reads an optional age range and refuses one upside down", () => {
    expect(parseCourseForm({ ...valid, minAge: "10", maxAge: "13" })).toMatchObject({ ok: true, course: { minAge: 10, maxAge: 13 } });
    expect(parseCourseForm({ ...valid, minAge: "14", maxAge: "13" })).toEqual({ ok: false, fields: ["maxAge"] });
    expect(parseCourseForm({ ...valid, minAge: "ten" })).toEqual({ ok: false, fields: ["minAge"] });
  });

  it("names every field to fix", () => {
    const parsed = parseCourseForm({ ...valid, code: "!", capacity: "0", monthlyFee: "85,505", endDate: "2026-09-01", status: "archived", name: "" });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(new Set(parsed.fields)).toEqual(new Set(["code", "name", "capacity", "monthlyFee", "status"]));
  });

  it("refuses an end before the start", () => {
    expect(parseCourseForm({ ...valid, endDate: "2026-09-01" })).toEqual({ ok: false, fields: ["endDate"] });
  });
});
