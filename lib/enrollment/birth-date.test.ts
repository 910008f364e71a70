import { describe, expect, it } from "vitest";
import { ageOn, isMinor, parseCalendarDate, validateBirthDate } from "./birth-date";

describe("ageOn and isMinor", () => {
  it("turns 18 on the 18th birthday, not the day after", () => {
    expect(isMinor("2008-11-27", "2026-11-26")).toBe(true);
    expect(ageOn("2008-11-27", "2026-11-26")).toBe(17);
    expect(isMinor("2008-11-27", "2026-11-27")).toBe(false);
    expect(ageOn("2008-11-27", "2026-11-27")).toBe(18);
    expect(isMinor("2008-11-27", "2026-11-28")).toBe(false);
  });
  it("compares months before days", () => {
    expect(ageOn("2008-12-01", "2026-11-30")).toBe(17);
    expect(ageOn("2008-01-31", "2026-02-01")).toBe(18);
  });
  it("gives 29 February births their birthday on 28 February in common years (Código Civil art. 5)", () => {
    expect(isMinor("2008-02-29", "2026-02-27")).toBe(true);
    expect(isMinor("2008-02-29", "2026-02-28")).toBe(false);
    expect(isMinor("2008-02-29", "2026-03-01")).toBe(false);
    // In a leap year the birthday is the 29th itself.
    expect(ageOn("2008-02-29", "2028-02-28")).toBe(19);
    expect(ageOn("2008-02-29", "2028-02-29")).toBe(20);
  });
  it("does not depend on the process time zone", () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = "Pacific/Kiritimati";
      expect(ageOn("2008-11-27", "2026-11-26")).toBe(17);
      process.env.TZ = "America/Los_Angeles";
      expect(ageOn("2008-11-27", "2026-11-27")).toBe(18);
    } finally {
      process.env.TZ = before;
    }
  });
  it("throws on dates that do not exist and on births after today", () => {
    expect(() => ageOn("2023-02-29", "2026-01-01")).toThrow(RangeError);
    expect(() => ageOn("2008-13-01", "2026-01-01")).toThrow(RangeError);
    expect(() => ageOn("2008-11-27", "27/11/2026")).toThrow(RangeError);
    expect(() => ageOn("2026-11-28", "2026-11-27")).toThrow(RangeError);
    expect(ageOn("2026-11-27", "2026-11-27")).toBe(0);
  });
});

describe("validateBirthDate", () => {
  it("gives a reason for each kind of bad date", () => {
    expect(validateBirthDate("1990-05-17", "2026-11-27")).toEqual({ ok: true, age: 36 });
    expect(validateBirthDate("17/05/1990", "2026-11-27")).toEqual({ ok: false, reason: "format" });
    expect(validateBirthDate("1990-02-30", "2026-11-27")).toEqual({ ok: false, reason: "format" });
    expect(validateBirthDate("2026-11-28", "2026-11-27")).toEqual({ ok: false, reason: "future" });
    expect(validateBirthDate("1915-11-28", "2026-11-27")).toEqual({ ok: true, age: 110 });
    expect(validateBirthDate("1915-11-27", "2026-11-27")).toEqual({ ok: false, reason: "too_old" });
  });
  it("knows the leap years", () => {
    expect(parseCalendarDate("2000-02-29")).toEqual({ year: 2000, month: 2, day: 29 });
    expect(parseCalendarDate("1900-02-29")).toBeUndefined();
    expect(parseCalendarDate("2024-04-31")).toBeUndefined();
  });
});
