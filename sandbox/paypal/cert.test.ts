import { createSign, createVerify, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSigningIdentity } from "./cert";

describe("self-signed webhook certificate", () => {
  it("parses with X509Certificate, is self-signed and verifies what the key signs", () => {
    const id = createSigningIdentity();
    const cert = new X509Certificate(id.certificatePem);
    expect(cert.subject).toContain("CN=messageverificationcerts.sandbox.paypal.local");
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now());
    const sig = createSign("RSA-SHA256").update("a|b|c|123").sign(id.privateKey, "base64");
    expect(createVerify("RSA-SHA256").update("a|b|c|123").verify(cert.publicKey, sig, "base64")).toBe(true);
    expect(createVerify("RSA-SHA256").update("a|b|c|124").verify(cert.publicKey, sig, "base64")).toBe(false);
  });
});
