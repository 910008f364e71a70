// A production academy that left a provider in test mode must not confirm enrollments paid with
// public test cards: on a real PostgreSQL, with the app's environment as in production.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { createTestDatabase } from "@/scripts/testing/postgres";

let database: Database;
let apply: typeof import("./apply") & typeof import("@/lib/after-payment");
let issue: typeof import("@/lib/receipts/issue");
let studentId: string;
const nodeEnv = process.env.NODE_ENV;

beforeAll(async () => {
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_test_money");
  // env() is parsed once per module graph: set it before the first module that reads it loads.
  Object.assign(process.env, {
    NODE_ENV: "production",
    DATABASE_URL: url,
    DATABASE_DRIVER: "pg",
    AUTH_SECRET: "x".repeat(32),
    APP_ENCRYPTION_KEY: "0".repeat(64),
    ALLOW_TEST_PAYMENTS: "",
  });
  apply = { ...(await import("./apply")), ...(await import("@/lib/after-payment")) };
  issue = await import("@/lib/receipts/issue");
  database = await (await import("@/db/client")).database();
  await database.migrate();
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Pau", lastName: "Prueba", email: "pau@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
});
afterAll(async () => {
  await database?.close();
  Object.assign(process.env, { NODE_ENV: nodeEnv });
});

async function attemptIn(mode: "test" | "sandbox" | "live") {
  return database.db.transaction(async (tx) => {
    const receipt = await issue.issueReceipt(
      tx,
      {
        studentId,
        kind: "other",
        concept: "Libro",
        amount: 3000,
        currency: "EUR",
        dueDate: "2026-12-20",
        payer: { name: "Pau Prueba", email: "pau@correo.test" },
      },
      "api",
    );
    const ref = `ord-${randomUUID()}`;
    await tx
      .insert(t.paymentAttempts)
      .values({ receiptId: receipt.id, provider: "stripe", method: "stripe", mode, amount: 3000, currency: "EUR", status: "redirected", providerRef: ref });
    return { receiptId: receipt.id, ref };
  });
}

const succeeded = (ref: string) => ({
  provider: "stripe" as const,
  eventId: `evt_${randomUUID()}`,
  eventType: "checkout.session.completed",
  ref: { by: "order" as const, value: ref },
  outcome: { type: "succeeded" as const, amount: 3000, currency: "EUR", paymentRef: `pi_${randomUUID()}` },
  payload: {},
  rawBody: "{}",
});

describe("test money in production", () => {
  for (const mode of ["test", "sandbox"] as const) {
    it(`a payment through a provider in ${mode} mode is flagged for staff and the receipt stays unpaid`, async () => {
      const { receiptId, ref } = await attemptIn(mode);
      expect(await apply.applyProviderEvent(database.db, succeeded(ref), "webhook")).toMatchObject({ result: "flagged", reason: "test_payment" });
      const [receipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, receiptId));
      expect(receipt).toMatchObject({ status: "pending", paidAt: null });
      const items = await database.db.select().from(t.attentionItems).where(eq(t.attentionItems.receiptId, receiptId));
      expect(items.map((i) => i.kind)).toEqual(["test_payment"]);
    });
  }

  it("a live payment pays the receipt", async () => {
    const { receiptId, ref } = await attemptIn("live");
    expect(await apply.applyProviderEvent(database.db, succeeded(ref), "webhook")).toMatchObject({ result: "applied", changed: true });
    const [receipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, receiptId));
    expect(receipt!.status).toBe("paid");
  });

  it("outside production, or where a staging install allows it, test payments count", () => {
    expect(apply.paymentIsMoney({ NODE_ENV: "production", ALLOW_TEST_PAYMENTS: false }, "test")).toBe(false);
    expect(apply.paymentIsMoney({ NODE_ENV: "production", ALLOW_TEST_PAYMENTS: true }, "sandbox")).toBe(true);
    expect(apply.paymentIsMoney({ NODE_ENV: "development", ALLOW_TEST_PAYMENTS: false }, "test")).toBe(true);
  });
});
