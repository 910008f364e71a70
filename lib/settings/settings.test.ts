// The settings domain on a real PostgreSQL and against the provider sandbox: provider
// credentials round-trip encrypted (the database holds no plaintext, nor does the audit line),
// stored credentials win over the environment's and removing them restores the environment,
// another instance picks a save up through the version check, form validation answers field
// codes, connection tests tell success from a wrong secret, and the audit log pages by keyset.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { insertApiKey, listApiKeys, listStaffAudit, markApiKeyRevoked, writeSetting } from "@/db/queries/settings";
import { recordAudit } from "@/db/queries/audit";
import * as t from "@/db/schema";
import { settingKeys } from "@/lib/settings/schemas";
import { hashApiKey } from "@/lib/auth/api-keys";
import { currentPaymentsConfig, paymentProvider, reloadPaymentsConfig, watchPaymentsConfig } from "@/lib/payments/providers";
import { allSandboxAppEnv, sandboxCredentials, sandboxServerEnv } from "@/scripts/sandbox-env";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { waitFor } from "@/sandbox/test-support/wait-for";
import { testMoodle, testPaypal, testRedsys, testStripe } from "./connection-test";
import { readHoldMinutes } from "./read";
import { providerCredentialsKey } from "./provider-credentials";
import { academyFormSchema, fieldErrorsOf, policiesFormSchema, redsysFormSchema, remindersFormSchema, stripeFormSchema } from "./forms";
import { getStoredCampus, removeProviderCredentials, saveCampus, saveProviderCredentials, saveSetting } from "./write";

let sandbox: Sandbox;
let database: Database;
let adminId: string;
const envStripeKey = "sk_test_fromTheEnvironment0001";
const storedStripeKey = "sk_test_savedInSettings0000SECRET1234";
const storedWebhookSecret = "whsec_savedWebhookSecretXYZ0987";

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, env: sandboxServerEnv("http://127.0.0.1:9", 0), log: () => {}, webhookRetryDelaysMs: [] });
  // env() is parsed once per module graph, on first use: everything it must see is set here first.
  Object.assign(process.env, allSandboxAppEnv(sandbox.port), {
    APP_URL: "http://127.0.0.1:9",
    APP_ENCRYPTION_KEY: "1f".repeat(32),
    STRIPE_SECRET_KEY: envStripeKey,
  });
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_admin_settings");
  database = await openDatabase({ databaseDriver: "pg", DATABASE_URL: url, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
  await database.migrate();
  const [admin] = await database.db
    .insert(t.staffUsers)
    .values({ email: "admin@settings.test", name: "Ada Admin", passwordHash: "x", role: "admin" })
    .returning({ id: t.staffUsers.id });
  adminId = admin!.id;
});
afterAll(async () => {
  await database?.close();
  await sandbox?.close();
});

async function settingsText(): Promise<string> {
  const rows = await database.db.select({ value: t.settings.value }).from(t.settings);
  return JSON.stringify(rows);
}

async function auditText(): Promise<string> {
  const rows = await database.db.select({ data: t.auditEvents.data }).from(t.auditEvents);
  return JSON.stringify(rows);
}

describe("provider credentials", () => {
  it("start from the environment when nothing is stored", async () => {
    await reloadPaymentsConfig(database.db);
    expect(currentPaymentsConfig().stripe).toMatchObject({ secretKey: envStripeKey, mode: "sandbox" });
  });

  it("are stored encrypted (no plaintext in settings or audit), read back, and win over the environment", async () => {
    const outcome = await saveProviderCredentials(database.db, {
      provider: "stripe",
      staffUserId: adminId,
      form: { mode: "sandbox", apiBase: sandbox.urls.stripe, secretKey: storedStripeKey, webhookSecret: storedWebhookSecret },
    });
    expect(outcome).toMatchObject({ ok: true });
    const stored = await settingsText();
    expect(stored).toContain('"v1:');
    expect(stored).not.toContain(storedStripeKey);
    expect(stored).not.toContain("SECRET1234");
    expect(stored).not.toContain(storedWebhookSecret);
    const audit = await auditText();
    expect(audit).toContain("secretKey");
    expect(audit).not.toContain(storedStripeKey);
    expect(audit).not.toContain(storedWebhookSecret);
    const [row] = await database.db.select({ updatedBy: t.settings.updatedBy }).from(t.settings).where(eq(t.settings.key, providerCredentialsKey));
    expect(row?.updatedBy).toBe(adminId);
    // The save rebuilt this process's providers: stored wins over STRIPE_SECRET_KEY.
    expect(currentPaymentsConfig().stripe).toMatchObject({
      secretKey: storedStripeKey,
      webhookSecret: storedWebhookSecret,
      apiBase: sandbox.urls.stripe,
      mode: "sandbox",
    });
    expect(paymentProvider("stripe").mode).toBe("sandbox");
    // PayPal and Redsys were not saved: still the environment's.
    expect(currentPaymentsConfig().paypal?.clientId).toBe(sandboxCredentials.paypalClientId);
  });

  it("keep a saved secret when the form leaves it empty, and audit only what changed", async () => {
    const outcome = await saveProviderCredentials(database.db, {
      provider: "stripe",
      staffUserId: adminId,
      form: { mode: "sandbox", apiBase: `${sandbox.urls.stripe}/`, secretKey: undefined, webhookSecret: undefined },
    });
    expect(outcome).toEqual({ ok: true, changes: [{ field: "apiBase", from: sandbox.urls.stripe, to: `${sandbox.urls.stripe}/` }] });
    expect(currentPaymentsConfig().stripe?.secretKey).toBe(storedStripeKey);
  });

  it("are picked up by another instance through the version check", async () => {
    const stop = watchPaymentsConfig(async () => database.db, 50);
    try {
      // Another instance saves Redsys credentials: this process has not been told.
      const other = await import("./provider-credentials");
      const value = other.withEncrypted(
        (await database.db.select({ value: t.settings.value }).from(t.settings).where(eq(t.settings.key, providerCredentialsKey)))[0]!.value as never,
        "redsys",
        { mode: "sandbox", baseUrl: sandbox.urls.redsys, merchantCode: "999008881", terminal: "7", secretKey: sandboxCredentials.redsysSecretKey },
        Buffer.from("1f".repeat(32), "hex"),
      );
      await writeSetting(database.db, { key: providerCredentialsKey, value, staffUserId: adminId });
      await waitFor(() => currentPaymentsConfig().redsys?.terminal === "7", { timeoutMs: 5_000, what: "the watch to reload" });
      expect(currentPaymentsConfig().redsys).toMatchObject({ terminal: "7", merchantCode: "999008881", baseUrl: sandbox.urls.redsys });
    } finally {
      stop();
    }
  });

  it("once removed, give way to the environment again", async () => {
    expect(await removeProviderCredentials(database.db, { provider: "stripe", staffUserId: adminId })).toBe(true);
    expect(currentPaymentsConfig().stripe?.secretKey).toBe(envStripeKey);
    expect(await removeProviderCredentials(database.db, { provider: "stripe", staffUserId: adminId })).toBe(false);
    expect(await removeProviderCredentials(database.db, { provider: "redsys", staffUserId: adminId })).toBe(true);
    expect(currentPaymentsConfig().redsys?.terminal).toBe(sandboxCredentials.redsysTerminal);
    const [row] = await database.db.select({ key: t.settings.key }).from(t.settings).where(eq(t.settings.key, providerCredentialsKey));
    expect(row).toBeUndefined();
  });

  it("refuse a save without a secret, a sandbox without its address, or a key of the other mode", async () => {
    const noSecret = await saveProviderCredentials(database.db, {
      provider: "paypal",
      staffUserId: adminId,
      form: { mode: "test", apiBase: undefined, sdkBase: undefined, clientId: "abc", clientSecret: undefined, webhookId: undefined },
    });
    expect(noSecret).toEqual({ ok: false, error: "invalid", fields: { clientSecret: "secretRequired" } });
    const noBase = await saveProviderCredentials(database.db, {
      provider: "redsys",
      staffUserId: adminId,
      form: { mode: "sandbox", baseUrl: undefined, merchantCode: "1", terminal: "1", secretKey: sandboxCredentials.redsysSecretKey },
    });
    expect(noBase).toEqual({ ok: false, error: "invalid", fields: { baseUrl: "baseUrlRequired" } });
    const wrongMode = await saveProviderCredentials(database.db, {
      provider: "stripe",
      staffUserId: adminId,
      form: { mode: "live", apiBase: undefined, secretKey: "sk_test_abc", webhookSecret: undefined },
    });
    expect(wrongMode).toEqual({ ok: false, error: "invalid", fields: { secretKey: "stripeKeyMode" } });
    // Nothing was written.
    expect(await settingsText()).not.toContain("payment_providers");
  });
});

describe("form validation", () => {
  const codes = (schema: { safeParse: (v: unknown) => { success: boolean; error?: unknown } }, input: unknown) => {
    const parsed = schema.safeParse(input) as { success: boolean; error?: Parameters<typeof fieldErrorsOf>[0] };
    return parsed.success ? {} : fieldErrorsOf(parsed.error!);
  };

  it("answers one code per field", () => {
    expect(
      codes(academyFormSchema, {
        name: "",
        legalName: "Sol SL",
        taxId: "B-12$",
        address: "",
        postcode: "",
        city: "",
        email: "nope",
        phone: "",
        website: "ftp://x",
        timeZone: "Mars/Base",
      }),
    ).toEqual({ name: "required", taxId: "taxId", email: "email", website: "url", timeZone: "timeZone" });
    expect(codes(stripeFormSchema, { mode: "test", secretKey: "pk_test_123" })).toEqual({ secretKey: "stripeKey" });
    expect(codes(redsysFormSchema, { mode: "test", merchantCode: "12a", terminal: "1a", secretKey: "c2hvcnQ=" })).toEqual({
      merchantCode: "merchantCode",
      terminal: "terminal",
      secretKey: "redsysSecret",
    });
    expect(codes(policiesFormSchema, { onPaymentFailure: "keep_hold", holdRedsys: "", holdBizum: "4", holdStripe: "2000", holdPaypal: "1.5" })).toEqual({
      holdRedsys: "required",
      holdBizum: "tooSmall",
      holdStripe: "tooBig",
      holdPaypal: "integer",
    });
    expect(codes(remindersFormSchema, { offsetsDays: "-3, x", overdueAfterDays: "1" })).toEqual({ offsetsDays: "offsets" });
  });

  it("normalises what it accepts", () => {
    const parsed = academyFormSchema.parse({
      name: " Sol ",
      legalName: "Sol SL",
      taxId: "b-1234567 8",
      address: "",
      postcode: "",
      city: "",
      email: "a@b.es",
      phone: "",
      website: "",
      timeZone: "Europe/Madrid",
    });
    expect(parsed).toMatchObject({ name: "Sol", taxId: "B12345678" });
    expect(remindersFormSchema.parse({ enabled: "on", offsetsDays: "7, -3 0", overdueAfterDays: "2" })).toEqual({
      enabled: true,
      offsetsDays: [-3, 0, 7],
      overdueAfterDays: 2,
      notifyStaff: false,
      suspendCampus: false,
    });
  });
});

describe("settings saves", () => {
  it("write updated_by and an audit line naming the change, and nothing when nothing changed", async () => {
    const value = { onPaymentFailure: "cancel", holdMinutes: { redsys: 20, bizum: 15, stripe: 60, paypal: 45 } };
    expect(await readHoldMinutes(database.db)).toBeUndefined();
    const changes = await saveSetting(database.db, { key: settingKeys.enrollmentPolicies, section: "policies", value, staffUserId: adminId });
    expect(changes.map((c) => c.field)).toEqual(["holdMinutes", "onPaymentFailure"]);
    expect(await readHoldMinutes(database.db)).toEqual(value.holdMinutes);
    expect(await saveSetting(database.db, { key: settingKeys.enrollmentPolicies, section: "policies", value, staffUserId: adminId })).toEqual([]);
    const lines = await database.db
      .select({ action: t.auditEvents.action, staff: t.auditEvents.staffUserId })
      .from(t.auditEvents)
      .where(eq(t.auditEvents.action, "settings.policies.updated"));
    expect(lines).toEqual([{ action: "settings.policies.updated", staff: adminId }]);
  });

  it("give new enrollments the saved hold minutes of their method", async () => {
    // The policies saved above hold a Bizum seat for 15 minutes (the default is 30).
    const { submitEnrollment } = await import("@/lib/enrollment/submit");
    const [course] = await database.db
      .insert(t.courses)
      .values({
        code: "C-HOLD",
        name: "Inglés B1",
        startDate: "2026-09-01",
        endDate: "2027-06-30",
        capacity: 5,
        enrollmentFee: 4000,
        monthlyFee: 6500,
        status: "open",
      })
      .returning({ id: t.courses.id });
    const now = new Date("2026-11-27T10:00:00Z");
    const result = await submitEnrollment(
      database.db,
      {
        submissionKey: crypto.randomUUID(),
        courseId: course!.id,
        student: {
          firstName: "Laia",
          lastName: "Serra",
          documentType: "dni",
          documentNumber: "10000000T",
          email: "laia@correo.test",
          phone: "+34612345678",
          birthDate: "1995-04-12",
          postcode: "46004",
          city: "Valencia",
        },
        consents: { dataProtection: true, terms: true, imageRights: false },
        method: "bizum",
        locale: "es",
        joinWaitlist: false,
      },
      { now },
    );
    expect(result.kind).toBe("held");
    const [enrollment] = await database.db
      .select({ holdExpiresAt: t.enrollments.holdExpiresAt })
      .from(t.enrollments)
      .where(eq(t.enrollments.courseId, course!.id));
    expect(enrollment?.holdExpiresAt?.toISOString()).toBe("2026-11-27T10:15:00.000Z");
  });

  it("store the campus token encrypted and treat an unchanged token as no change", async () => {
    const token = "moodle-token-PLAINTEXT-4321";
    expect(await saveCampus(database.db, { staffUserId: adminId, moodleUrl: sandbox.urls.moodle, token })).toMatchObject({ ok: true });
    expect(await settingsText()).not.toContain(token);
    expect(await getStoredCampus(database.db)).toEqual({ moodleUrl: sandbox.urls.moodle, token });
    expect(await saveCampus(database.db, { staffUserId: adminId, moodleUrl: sandbox.urls.moodle, token: undefined })).toEqual({ ok: true, changes: [] });
    expect(await auditText()).not.toContain(token);
  });
});

describe("connection tests against the sandbox", () => {
  it("Stripe: a right key passes, a wrong one is refused", async () => {
    expect(await testStripe({ mode: "sandbox", apiBase: sandbox.urls.stripe, secretKey: sandboxCredentials.stripeSecretKey })).toEqual({ ok: true });
    expect(await testStripe({ mode: "sandbox", apiBase: sandbox.urls.stripe, secretKey: "sk_test_wrongWrongWrong" })).toMatchObject({
      ok: false,
      reason: "unauthorized",
    });
  });

  it("PayPal: the token call passes with the right secret and is refused with a wrong one", async () => {
    const base = { mode: "sandbox" as const, apiBase: sandbox.urls.paypal, clientId: sandboxCredentials.paypalClientId };
    expect(await testPaypal({ ...base, clientSecret: sandboxCredentials.paypalClientSecret })).toEqual({ ok: true });
    expect(await testPaypal({ ...base, clientSecret: "wrong" })).toMatchObject({ ok: false, reason: "unauthorized", detail: "invalid_client" });
  });

  it("Redsys: a signed query passes; a wrong key is a signature failure (SIS0042)", async () => {
    const base = {
      mode: "sandbox" as const,
      baseUrl: sandbox.urls.redsys,
      merchantCode: sandboxCredentials.redsysMerchantCode,
      terminal: sandboxCredentials.redsysTerminal,
    };
    expect(await testRedsys({ ...base, secretKey: sandboxCredentials.redsysSecretKey })).toEqual({ ok: true });
    expect(await testRedsys({ ...base, secretKey: Buffer.alloc(24, 3).toString("base64") })).toEqual({ ok: false, reason: "signature", detail: "SIS0042" });
  });

  it("Moodle: site info with the right token; invalidtoken with a wrong one", async () => {
    expect(await testMoodle({ url: sandbox.urls.moodle, token: sandboxCredentials.moodleToken })).toEqual({ ok: true });
    expect(await testMoodle({ url: sandbox.urls.moodle, token: "nope" })).toEqual({ ok: false, reason: "unauthorized", detail: "invalidtoken" });
  });

  it("says when nothing answers", async () => {
    expect(await testStripe({ mode: "sandbox", apiBase: "http://127.0.0.1:9", secretKey: "sk_test_x" })).toMatchObject({ ok: false, reason: "unreachable" });
  });
});

describe("API keys and the audit log", () => {
  it("revokes a key once and lists it revoked", async () => {
    const { id } = await insertApiKey(database.db, { name: "ERP", prefix: "ak_test123", keyHash: hashApiKey("ak_test123xyz"), createdBy: adminId });
    expect(await markApiKeyRevoked(database.db, id)).toMatchObject({ id, name: "ERP" });
    expect(await markApiKeyRevoked(database.db, id)).toBeUndefined();
    const [listed] = (await listApiKeys(database.db)).filter((k) => k.id === id);
    expect(listed?.revokedAt).toBeInstanceOf(Date);
    expect(listed?.createdByName).toBe("Ada Admin");
  });

  it("pages staff actions newest first without repeats, filtered by user and action prefix", async () => {
    const [other] = await database.db
      .insert(t.staffUsers)
      .values({ email: "staff@settings.test", name: "Sam Staff", passwordHash: "x" })
      .returning({ id: t.staffUsers.id });
    for (let i = 0; i < 7; i++)
      await recordAudit(database.db, { source: "staff", action: `test_page.${i % 2 ? "odd" : "even"}`, staffUserId: i < 5 ? other!.id : adminId, data: { i } });
    await recordAudit(database.db, { source: "system", action: "test_page.system", data: {} });
    const seen: number[] = [];
    let after: number | undefined;
    do {
      const page = await listStaffAudit(database.db, { filter: { action: "test_page." }, after, limit: 3 });
      seen.push(...page.rows.map((r) => (r.data as { i: number }).i));
      after = page.next;
    } while (after !== undefined);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
    const mine = await listStaffAudit(database.db, { filter: { action: "test_page.odd", staffUserId: other!.id }, limit: 10 });
    expect(mine.rows.map((r) => [(r.data as { i: number }).i, r.staffName])).toEqual([
      [3, "Sam Staff"],
      [1, "Sam Staff"],
    ]);
    // A LIKE wildcard typed into the filter is taken literally.
    expect((await listStaffAudit(database.db, { filter: { action: "test%" }, limit: 10 })).rows).toEqual([]);
    expect(await database.db.execute(sql`select 1`)).toBeTruthy();
  });
});
