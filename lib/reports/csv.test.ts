// The CSV writer: RFC 4180 quoting with ";", formulas neutralised, amounts exact in minor units.
import { describe, expect, it } from "vitest";
import { csvAmount, csvDate, csvLine, csvText } from "./csv";

describe("csvText", () => {
  it("leaves plain text alone and quotes what would break the line", () => {
    expect(csvText("Ana Pérez")).toBe("Ana Pérez");
    expect(csvText("Inglés; B1")).toBe('"Inglés; B1"');
    expect(csvText('Curso "intensivo"')).toBe('"Curso ""intensivo"""');
    expect(csvText("línea 1\nlínea 2")).toBe('"línea 1\nlínea 2"');
    expect(csvText("a\r\nb")).toBe('"a\r\nb"');
    expect(csvText("Pérez, Ana")).toBe('"Pérez, Ana"');
    expect(csvText(" espacio")).toBe('" espacio"');
    expect(csvText(null)).toBe("");
    expect(csvText(undefined)).toBe("");
    expect(csvText("")).toBe("");
  });

  it("turns anything a spreadsheet would run as a formula into text", () => {
    expect(csvText("=1+1")).toBe("'=1+1");
    expect(csvText("+34 600 000 000")).toBe("'+34 600 000 000");
    expect(csvText("-5")).toBe("'-5");
    expect(csvText("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvText("\t=cmd")).toBe("'\t=cmd");
    expect(csvText('=HYPERLINK("http://x.test";"pulsa")')).toBe(`"'=HYPERLINK(""http://x.test"";""pulsa"")"`);
    // Only the first character matters.
    expect(csvText("a=b")).toBe("a=b");
  });
});

describe("csvAmount", () => {
  it("writes minor units with a decimal comma, exactly", () => {
    expect(csvAmount(123456, "EUR").csvNumber).toBe("1234,56");
    expect(csvAmount(5, "EUR").csvNumber).toBe("0,05");
    expect(csvAmount(0, "EUR").csvNumber).toBe("0,00");
    expect(csvAmount(100, "EUR").csvNumber).toBe("1,00");
    expect(csvAmount(-250, "EUR").csvNumber).toBe("-2,50");
    // Beyond what a float keeps to the cent after dividing by 100.
    expect(csvAmount(900719925474099, "EUR").csvNumber).toBe("9007199254740,99");
    expect(csvAmount(1234, "JPY").csvNumber).toBe("1234");
    expect(csvAmount(1234, "KWD").csvNumber).toBe("1,234");
  });

  it("refuses what is not an integer count of minor units", () => {
    expect(() => csvAmount(12.5, "EUR")).toThrow(RangeError);
  });

  it("round-trips every cent from 0 to 100 € without a float error", () => {
    for (let amount = 0; amount <= 10_000; amount++) {
      const [whole, cents] = csvAmount(amount, "EUR").csvNumber.split(",");
      expect(Number(whole) * 100 + Number(cents)).toBe(amount);
    }
  });
});

describe("csvDate and csvLine", () => {
  it("writes days as Spanish Excel reads them", () => {
    expect(csvDate("2026-10-05")?.csvNumber).toBe("05/10/2026");
    expect(csvDate(null)).toBeNull();
    expect(() => csvDate("5/10/2026")).toThrow(RangeError);
  });

  it("joins cells with ';', ends with CRLF, and never guards our own numbers", () => {
    expect(csvLine(["2026-000001", csvDate("2026-10-05"), "=evil", csvAmount(-150, "EUR"), null, "x;y"])).toBe(
      '2026-000001;05/10/2026;\'=evil;-1,50;;"x;y"\r\n',
    );
  });
});
