import { describe, expect, it } from "vitest";
import { authConfig, sessionExpired, sessionSeconds } from "./config";

describe("staff session age", () => {
  it("is eight hours by default and counts from sign-in", () => {
    expect(sessionSeconds()).toBe(8 * 3600);
    const now = Date.parse("2026-11-27T18:00:00Z");
    expect(sessionExpired(now - 8 * 3600 * 1000, now)).toBe(false);
    expect(sessionExpired(now - 8 * 3600 * 1000 - 1, now)).toBe(true);
  });
  it("treats a token without a sign-in time as over", () => {
    expect(sessionExpired(undefined)).toBe(true);
    expect(sessionExpired("2026-11-27")).toBe(true);
  });
  it("ends a busy session at the maximum age, although next-auth re-signs it on every read", async () => {
    const callback = authConfig().callbacks!.jwt!;
    // next-auth passes `user` only at sign-in; its type says always.
    const jwt = (args: { token: Record<string, unknown>; user?: { id: string; role: "staff" } }) => callback(args as unknown as Parameters<typeof callback>[0]);
    const signedIn = await jwt({ token: {}, user: { id: "u1", role: "staff" } });
    expect(signedIn).toMatchObject({ sub: "u1", role: "staff", signedInAt: expect.any(Number) });
    const stillFresh = await jwt({ token: { ...signedIn } });
    expect(stillFresh).toMatchObject({ signedInAt: signedIn!.signedInAt });
    const old = await jwt({ token: { ...signedIn, signedInAt: Date.now() - 9 * 3600 * 1000 } });
    expect(old).toBeNull();
  });
});
