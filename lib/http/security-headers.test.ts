import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split("; ").map((part) => {
      const [name, ...values] = part.split(" ");
      return [name!, values];
    }),
  );
}

describe("the security headers", () => {
  const production = { providerBaseUrls: [], development: false, https: true };

  it("lets the real providers' flows through and nothing else", () => {
    const csp = directives(contentSecurityPolicy(production));
    expect(csp.get("script-src")).toEqual(expect.arrayContaining(["'self'", "https://www.paypal.com"]));
    expect(csp.get("script-src")).not.toContain("'unsafe-eval'");
    expect(csp.get("form-action")).toEqual(
      expect.arrayContaining(["'self'", "https://sis.redsys.es", "https://sis-t.redsys.es", "https://checkout.stripe.com"]),
    );
    expect(csp.get("frame-src")).toEqual(expect.arrayContaining(["https://www.paypal.com", "https://www.sandbox.paypal.com"]));
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
  });

  it("adds a stand-in's origin (the sandbox) once, without its path", () => {
    const csp = directives(
      contentSecurityPolicy({
        ...production,
        providerBaseUrls: ["http://127.0.0.1:4110", "http://127.0.0.1:4110/paypal", "http://127.0.0.1:4110/sdk/js", undefined],
      }),
    );
    for (const name of ["script-src", "connect-src", "frame-src", "form-action"]) {
      expect(csp.get(name)!.filter((value) => value === "http://127.0.0.1:4110")).toHaveLength(1);
    }
    expect(contentSecurityPolicy({ ...production, providerBaseUrls: ["http://127.0.0.1:4110/paypal"] })).not.toContain("/paypal");
  });

  it("allows eval and the hot-reload socket only in development", () => {
    const csp = directives(contentSecurityPolicy({ ...production, development: true }));
    expect(csp.get("script-src")).toContain("'unsafe-eval'");
    expect(csp.get("connect-src")).toEqual(expect.arrayContaining(["ws:", "wss:"]));
  });

  it("asks for HTTPS only when served over HTTPS", () => {
    expect(securityHeaders(production)["Strict-Transport-Security"]).toMatch(/max-age=31536000/);
    expect(securityHeaders({ ...production, https: false })["Strict-Transport-Security"]).toBeUndefined();
    expect(securityHeaders(production)).toMatchObject({ "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY" });
  });
});
