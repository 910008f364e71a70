// Starting a payment on a real PostgreSQL against the sandbox over HTTP: which methods a receipt
// can be paid by follows from its kind (an enrollment fee takes the enrollment's methods, any
// other receipt the receipts'), whether it is paid from the wizard, a link or a retry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { allSandboxAppEnv } from "@/scripts/sandbox-env";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";

const APP_URL = "http://127.0.0.1:9";

let sandbox: Sandbox;
let database: Database;
let studentId: string;
let checkout: typeof import("./checkout");
let issue: typeof import("@/lib/receipts/issue");
let pageContext: typeof import("./page-context");

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, env: {}, log: () => {}, webhookRetryDelaysMs: [], stripe: { webhookUrl: `${APP_URL}/api/webhooks/stripe` } });
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_checkout_flows");
  Object.assign(process.env, allSandboxAppEnv(sandbox.port), { APP_URL, DATABASE_URL: url, DATABASE_DRIVER: "pg", SMTP_URL: "" });
  checkout = await import("./checkout");
  issue = await import("@/lib/receipts/issue");
  pageContext = await import("./page-context");
  database = await (await import("@/db/client")).database();
  await database.migrate();
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Irene", lastName: "Flujo", email: "irene@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
  // Stripe only for enrollment fees; Redsys only for the other receipts.
  await database.db
    .insert(t.settings)
    .values({ key: "payment_methods", value: { enrollment: ["stripe"], receipts: ["redsys"] } })
    .onConflictDoUpdate({ target: t.settings.key, set: { value: { enrollment: ["stripe"], receipts: ["redsys"] } } });
});
afterAll(async () => {
  await database?.close();
  await sandbox?.close();
});

async function receiptOfKind(kind: "enrollment" | "other") {
  return database.db.transaction((tx) =>
    issue.issueReceipt(
      tx,
      {
        studentId,
        kind,
        concept: `Recibo ${kind}`,
        amount: 4500,
        currency: "EUR",
        dueDate: "2026-12-20",
        payer: { name: "Irene Flujo", email: "irene@correo.test" },
      },
      "api",
    ),
  );
}

const start = (receiptId: string, method: "stripe" | "redsys") =>
  checkout.startCheckout(database.db, { receiptId, method, ui: "redirect", locale: "es", source: "payer", appUrl: APP_URL });

describe("methods per flow", () => {
  it("an enrollment fee is paid by a method enabled only for enrollment, from any page", async () => {
    const receipt = await receiptOfKind("enrollment");
    const started = await start(receipt.id, "stripe");
    expect(started.action.type).toBe("redirect");
    await expect(start(receipt.id, "redsys")).rejects.toMatchObject({ code: "method_not_enabled" });
    expect((await pageContext.paymentPageContext(database.db, { kind: "enrollment", currency: "EUR" })).methods).toEqual(["stripe"]);
  });

  it("any other receipt is paid by the receipts' methods, not the enrollment's", async () => {
    const receipt = await receiptOfKind("other");
    await expect(start(receipt.id, "stripe")).rejects.toMatchObject({ code: "method_not_enabled" });
    const started = await start(receipt.id, "redsys");
    expect(started.action.type).toBe("form");
    expect((await pageContext.paymentPageContext(database.db, { kind: "other", currency: "EUR" })).methods).toEqual(["redsys"]);
  });
});

describe("one card option", () => {
  it("payers see one card, served by the provider the academy chose, while both stay usable from the API", async () => {
    const both = { enrollment: ["redsys", "bizum", "stripe"], receipts: ["redsys", "bizum", "stripe"] };
    for (const cardProvider of ["redsys", "stripe"] as const) {
      const value = { ...both, cardProvider };
      await database.db.insert(t.settings).values({ key: "payment_methods", value }).onConflictDoUpdate({ target: t.settings.key, set: { value } });
      const offered = (await pageContext.paymentPageContext(database.db, { kind: "other", currency: "EUR" })).methods;
      expect(offered).toEqual(cardProvider === "redsys" ? ["redsys", "bizum"] : ["bizum", "stripe"]);
    }
    const receipt = await receiptOfKind("other");
    expect((await start(receipt.id, "redsys")).action.type).toBe("form");
  });
});
