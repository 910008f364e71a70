// Where campus provisioning finds Moodle: what an admin saved in Settings → Campus (encrypted),
// else the environment; a saved token the key cannot open falls back to the environment.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { settings } from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";

const key = randomBytes(32);
let database: Database;
let provision: typeof import("./provision");
let crypto: typeof import("@/lib/crypto/secrets");

beforeAll(async () => {
  // env() is parsed once per module graph: set it before the first module that reads it loads.
  Object.assign(process.env, { APP_ENCRYPTION_KEY: key.toString("hex"), MOODLE_URL: "https://campus-env.example.com", MOODLE_TOKEN: "env-token" });
  provision = await import("./provision");
  crypto = await import("@/lib/crypto/secrets");
  database = await openTestDatabase("academy_test_campus_config");
});
afterAll(() => database.close());

describe("the Moodle connection campus provisioning uses", () => {
  it("is the environment's until an admin saves one, then the saved one", async () => {
    expect(await provision.moodleConfig(database.db)).toEqual({ url: "https://campus-env.example.com", token: "env-token" });
    await database.db
      .insert(settings)
      .values({ key: "campus", value: { moodleUrl: "https://campus.academiasol.es", tokenEncrypted: crypto.encryptSecret("saved-token", key) } });
    expect(await provision.moodleConfig(database.db)).toEqual({ url: "https://campus.academiasol.es", token: "saved-token" });
    // A test's own connection, or none, still wins.
    expect(await provision.moodleConfig(database.db, { moodle: null })).toBeUndefined();
  });

  it("falls back to the environment when the saved token does not open with the key", async () => {
    await database.db.delete(settings);
    await database.db
      .insert(settings)
      .values({ key: "campus", value: { moodleUrl: "https://campus.academiasol.es", tokenEncrypted: crypto.encryptSecret("other", randomBytes(32)) } });
    expect(await provision.moodleConfig(database.db)).toEqual({ url: "https://campus-env.example.com", token: "env-token" });
  });
});
