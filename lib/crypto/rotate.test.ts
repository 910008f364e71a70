import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { settings, webhookEndpoints } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { reencryptStoredSecrets } from "./rotate";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase("academy_test_key_rotation");
});
afterAll(() => database.close());

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

describe("rotating APP_ENCRYPTION_KEY", () => {
  it("re-encrypts every stored secret, nested anywhere in settings, and leaves the rest alone", async () => {
    await database.db.insert(settings).values([
      {
        key: "provider_credentials",
        value: {
          stripe: { mode: "live", secretKey: encryptSecret("sk_live_abc", oldKey) },
          redsys: { merchantCode: "999008881", secretKey: encryptSecret("redsys-key", oldKey) },
        },
      },
      { key: "campus", value: { moodleUrl: "https://campus.example.com", tokens: [encryptSecret("moodle-token", oldKey)] } },
      { key: "academy_plain", value: { name: "Academia Sol", note: "v1:not:an:encrypted-value-because-a-colon-too-many:x" } },
    ]);
    const [endpoint] = await database.db
      .insert(webhookEndpoints)
      .values({ url: "https://erp.example.com/hook", secretEncrypted: encryptSecret("hook-secret", oldKey) })
      .returning();

    const rotated = await database.db.transaction((tx) => reencryptStoredSecrets(tx, oldKey, newKey));
    expect(rotated).toBe(4);

    const rows = Object.fromEntries((await database.db.select().from(settings)).map((row) => [row.key, row.value as Record<string, never>]));
    const credentials = rows.provider_credentials as unknown as {
      stripe: { secretKey: string; mode: string };
      redsys: { secretKey: string; merchantCode: string };
    };
    expect(decryptSecret(credentials.stripe.secretKey, newKey)).toBe("sk_live_abc");
    expect(() => decryptSecret(credentials.stripe.secretKey, oldKey)).toThrow();
    expect(decryptSecret(credentials.redsys.secretKey, newKey)).toBe("redsys-key");
    expect(credentials.redsys.merchantCode).toBe("999008881");
    expect(decryptSecret((rows.campus as unknown as { tokens: string[] }).tokens[0]!, newKey)).toBe("moodle-token");
    expect(rows.academy_plain).toEqual({ name: "Academia Sol", note: "v1:not:an:encrypted-value-because-a-colon-too-many:x" });
    const [hook] = await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint!.id));
    expect(decryptSecret(hook!.secretEncrypted, newKey)).toBe("hook-secret");
  });

  it("changes nothing when one value cannot be opened with the old key", async () => {
    const stranger = randomBytes(32);
    const before = await database.db.select().from(settings);
    await database.db.insert(settings).values({ key: "foreign", value: { secret: encryptSecret("other", stranger) } });
    await expect(database.db.transaction((tx) => reencryptStoredSecrets(tx, newKey, randomBytes(32)))).rejects.toThrow(/wrong APP_ENCRYPTION_KEY/);
    const after = await database.db.select().from(settings);
    expect(after.filter((row) => row.key !== "foreign").map((r) => r.value)).toEqual(before.map((r) => r.value));
  });
});
