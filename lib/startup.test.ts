// The demo academy (whose admin password is published) is seeded only where it belongs.
import { describe, expect, it } from "vitest";
import { seedsDemo } from "./startup";

describe("seeding the demo", () => {
  it("seeds an empty embedded database in development, never in production unless forced", () => {
    expect(seedsDemo({ DEMO_SEED: "auto", NODE_ENV: "development" }, "pglite")).toBe(true);
    expect(seedsDemo({ DEMO_SEED: "auto", NODE_ENV: "production" }, "pglite")).toBe(false);
    expect(seedsDemo({ DEMO_SEED: "auto", NODE_ENV: "development" }, "pg")).toBe(false);
    expect(seedsDemo({ DEMO_SEED: "always", NODE_ENV: "production" }, "pg")).toBe(true);
    expect(seedsDemo({ DEMO_SEED: "never", NODE_ENV: "development" }, "pglite")).toBe(false);
  });
});
