import { describe, expect, it } from "vitest";
import { detectDocumentType, normaliseDocument, validateDni, validateDocument, validateNie, validatePassport } from "./documents";

// The rule re-implemented independently (BigInt arithmetic, prefix by lookup) so a bug in the
// module's version cannot make its own tests pass.
function expectedLetter(document: string): string {
  const numeric = document.replace(/^X/, "0").replace(/^Y/, "1").replace(/^Z/, "2").slice(0, -1);
  return "TRWAGMYFPDXBNJZSQVHLCKE".charAt(Number(BigInt(numeric) % 23n));
}

describe("validateDni", () => {
  it("accepts a DNI whose letter matches", () => {
    expect(validateDni("12345678Z")).toEqual({ ok: true, type: "dni", value: "12345678Z" });
    expect(validateDni("00000000T")).toMatchObject({ ok: true });
    expect(validateDni("00000023T")).toMatchObject({ ok: true }); // 23 % 23 = 0 → T
    expect(validateDni("99999999R")).toMatchObject({ ok: true });
  });
  it("normalises what people type", () => {
    expect(validateDni(" 12.345.678-z ")).toEqual({ ok: true, type: "dni", value: "12345678Z" });
    expect(validateDni("12 345 678 Z")).toMatchObject({ ok: true, value: "12345678Z" });
  });
  it("tells a wrong letter apart from a wrong shape", () => {
    expect(validateDni("12345678A")).toEqual({ ok: false, reason: "check_letter", expectedLetter: "Z" });
    expect(validateDni("12345679Z")).toMatchObject({ ok: false, reason: "check_letter" });
    for (const bad of ["1234567Z", "123456789Z", "12345678", "Z12345678", "1234567AZ", "", "12345678Ñ"]) {
      expect(validateDni(bad), bad).toEqual({ ok: false, reason: "format" });
    }
  });
  it("agrees with the independent rule for every letter", () => {
    for (let n = 10_000_000; n < 10_000_023; n++) {
      const letter = expectedLetter(`${n}X`);
      expect(validateDni(`${n}${letter}`)).toMatchObject({ ok: true });
      const wrong = letter === "A" ? "B" : "A";
      expect(validateDni(`${n}${wrong}`)).toEqual({ ok: false, reason: "check_letter", expectedLetter: letter });
    }
  });
});

describe("validateNie", () => {
  it("accepts the well-known examples, checked against the independent rule", () => {
    for (const nie of ["X1234567L", "Y1234567X", "Z1234567R"]) {
      expect(nie.slice(-1)).toBe(expectedLetter(nie));
      expect(validateNie(nie), nie).toEqual({ ok: true, type: "nie", value: nie });
    }
  });
  it("maps the prefix to a digit, so the same digits need different letters", () => {
    expect(validateNie("X1234567R")).toEqual({ ok: false, reason: "check_letter", expectedLetter: "L" });
    expect(validateNie("y-1234567-x")).toMatchObject({ ok: true, value: "Y1234567X" });
  });
  it("rejects other shapes", () => {
    for (const bad of ["A1234567L", "X123456L", "X12345678L", "X1234567", "12345678Z", ""]) {
      expect(validateNie(bad), bad).toEqual({ ok: false, reason: "format" });
    }
  });
});

describe("validatePassport", () => {
  it("accepts 6–9 letters and digits", () => {
    expect(validatePassport("PAA123456")).toEqual({ ok: true, type: "passport", value: "PAA123456" });
    expect(validatePassport("123456")).toMatchObject({ ok: true });
    expect(validatePassport("c01x00t47")).toMatchObject({ ok: true, value: "C01X00T47" });
  });
  it("rejects too short, too long, letters only and symbols", () => {
    for (const bad of ["A1234", "PAA1234567", "ABCDEFG", "AB#12345", ""]) {
      expect(validatePassport(bad), bad).toEqual({ ok: false, reason: "format" });
    }
  });
});

describe("normaliseDocument and detectDocumentType", () => {
  it("drops spaces, dots and hyphens and upper-cases", () => {
    expect(normaliseDocument("dni", "  12.345.678-z ")).toBe("12345678Z");
    expect(normaliseDocument("passport", "paa 123-456")).toBe("PAA123456");
  });
  it("detects by shape, DNI and NIE before passport", () => {
    expect(detectDocumentType("12345678Z")).toBe("dni");
    expect(detectDocumentType("12345678A")).toBe("dni"); // shape only; the letter is checked later
    expect(detectDocumentType("x1234567l")).toBe("nie");
    expect(detectDocumentType("PAA123456")).toBe("passport");
    expect(detectDocumentType("hola")).toBeUndefined();
  });
  it("dispatches by type", () => {
    expect(validateDocument("nie", "12345678Z")).toEqual({ ok: false, reason: "format" });
    expect(validateDocument("dni", "12345678Z")).toMatchObject({ ok: true });
    expect(validateDocument("passport", "12345678Z")).toMatchObject({ ok: true });
  });
});
