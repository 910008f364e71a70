import { describe, expect, it } from "vitest";
import { defaultRange, parseFunnelRange } from "./search-params";

describe("parseFunnelRange", () => {
  it("defaults to the last 12 months, across a year boundary", () => {
    expect(defaultRange("2026-11-27")).toEqual({ from: "2025-12-01", to: "2026-11-27" });
    expect(defaultRange("2026-01-31")).toEqual({ from: "2025-02-01", to: "2026-01-31" });
    expect(parseFunnelRange({}, "2026-11-27")).toEqual({ from: "2025-12-01", to: "2026-11-27", invalid: false, custom: false });
  });

  it("takes a valid range, and refuses a bad or reversed one", () => {
    expect(parseFunnelRange({ from: "2026-09-01", to: "2026-09-30" }, "2026-11-27")).toEqual({
      from: "2026-09-01",
      to: "2026-09-30",
      invalid: false,
      custom: true,
    });
    expect(parseFunnelRange({ from: "2026-09-01" }, "2026-11-27")).toMatchObject({ from: "2026-09-01", to: "2026-11-27", invalid: false });
    expect(parseFunnelRange({ from: "2026-02-30", to: "2026-03-01" }, "2026-11-27")).toMatchObject({ from: "2025-12-01", invalid: true });
    expect(parseFunnelRange({ from: "2026-10-01", to: "2026-09-01" }, "2026-11-27")).toMatchObject({ from: "2025-12-01", invalid: true });
    expect(parseFunnelRange({ from: ["2026-09-01", "x"], to: "" }, "2026-11-27")).toMatchObject({ from: "2026-09-01", to: "2026-11-27" });
  });
});
