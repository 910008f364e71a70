import { describe, expect, it } from "vitest";
import { generatePassword, passwordProblem } from "./password-policy";

describe("passwordProblem", () => {
  const email = "Ana.Garcia@academiasol.es";
  it("wants at least 12 characters", () => {
    expect(passwordProblem("short-pass1", email)).toBe("tooShort");
    expect(passwordProblem("long-enough-1", email)).toBeUndefined();
  });
  it("refuses the e-mail or its name part, in any case", () => {
    expect(passwordProblem("ana.garcia@academiasol.es", email)).toBe("likeEmail");
    expect(passwordProblem("ANA.GARCIA@ACADEMIASOL.ES!", email)).toBe("likeEmail");
    expect(passwordProblem("ana.garcia12", "ana.garcia12@academiasol.es")).toBe("likeEmail");
  });
  it("refuses absurdly long input", () => {
    expect(passwordProblem("x".repeat(201), email)).toBe("tooLong");
  });
});

describe("generatePassword", () => {
  it("makes different passwords that pass the rule", () => {
    const a = generatePassword();
    const b = generatePassword();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-zA-Z2-9]{4}(-[a-zA-Z2-9]{4}){3}$/);
    expect(passwordProblem(a, "x@y.es")).toBeUndefined();
  });
});
