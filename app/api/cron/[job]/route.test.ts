// The cron route, called as Next calls it (the exported handler with a Request), on a real
// PostgreSQL (the process's database) and the provider sandbox: it refuses a missing or wrong
// secret, is closed without CRON_SECRET, answers 404 for an unknown job, and with the right secret
// runs the job (reconciling a lost Redsys notification; delivering the outbox) and answers its report.
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { allSandboxAppEnv } from "@/scripts/sandbox-env";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { waitFor } from "@/sandbox/test-support/wait-for";
import { payAtRedsysSandbox } from "@/scripts/testing/redsys-payer";

const APP_URL = "http://127.0.0.1:9";
const CRON_SECRET = "cron-secret-for-tests-0123456789";

let sandbox: Sandbox;
let database: Database;
let studentId: string;
let route: typeof import("./route");

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, env: {}, log: () => {}, webhookRetryDelaysMs: [] });
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_cron_route");
  // env() is parsed once per module graph: set it before the first module that reads it loads. The
  // process's database is the test database, so the route (which opens it) runs on it.
  Object.assign(process.env, allSandboxAppEnv(sandbox.port), {
    APP_URL,
    CRON_SECRET,
    DATABASE_URL: url,
    DATABASE_DRIVER: "pg",
    SMTP_URL: "",
    RECONCILE_AFTER_SECONDS: "",
  });
  route = await import("./route");
  database = await (await import("@/db/client")).database();
  await database.migrate();
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Irene", lastName: "Soler", email: "irene@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
  const fault = await fetch(`${sandbox.urls.control}/faults/redsys`, { method: "POST", body: JSON.stringify({ neverDeliver: true }) });
  expect(fault.status).toBe(200);
});

afterAll(async () => {
  await database?.close();
  await sandbox?.close();
});

function call(job: string, authorization?: string, method: "GET" | "POST" = "POST"): Promise<Response> {
  const request = new Request(`${APP_URL}/api/cron/${job}`, { method, headers: authorization ? { authorization } : {} });
  return route[method](request, { params: Promise.resolve({ job }) });
}

async function receiptStatus(id: string) {
  const [row] = await database.db.select({ status: t.receipts.status }).from(t.receipts).where(eq(t.receipts.id, id));
  return row!.status;
}

/** A Redsys card payment whose notification the sandbox drops, its attempt open for 10 minutes. */
async function lostRedsysPaymentTenMinutesAgo(amount: number) {
  const { issueReceipt } = await import("@/lib/receipts/issue");
  const { startCheckout } = await import("@/lib/payments/checkout");
  const receipt = await database.db.transaction((tx) =>
    issueReceipt(
      tx,
      {
        studentId,
        kind: "other",
        concept: "Matrícula",
        amount,
        currency: "EUR",
        dueDate: "2026-12-10",
        payer: { name: "Irene Soler", email: "irene@correo.test" },
      },
      "api",
    ),
  );
  const started = await startCheckout(database.db, { receiptId: receipt.id, method: "redsys", locale: "es", source: "payer", appUrl: APP_URL });
  await payAtRedsysSandbox(started.action);
  const dropped = await waitFor(async () => {
    const response = await fetch(`${sandbox.urls.control}/deliveries?provider=redsys&ref=${started.providerRef}`);
    const { data } = (await response.json()) as { data: { state: string }[] };
    return data.length > 0 ? data : undefined;
  });
  expect(dropped.map((d) => d.state)).toEqual(["dropped"]);
  await database.db
    .update(t.paymentAttempts)
    .set({ updatedAt: sql`now() - interval '10 minutes'` })
    .where(eq(t.paymentAttempts.id, started.attemptId));
  return { receipt, started };
}

describe("POST/GET /api/cron/[job]", () => {
  let lost: Awaited<ReturnType<typeof lostRedsysPaymentTenMinutesAgo>>;

  it("refuses a missing or wrong secret, before saying which jobs exist", async () => {
    lost = await lostRedsysPaymentTenMinutesAgo(1800);
    const wrong = [
      undefined,
      "Bearer wrong-secret-0123456789",
      `Basic ${CRON_SECRET}`,
      `Bearer ${CRON_SECRET}x`,
      `Bearer ${CRON_SECRET.slice(0, -1)}`,
      CRON_SECRET,
      "Bearer",
    ];
    for (const authorization of wrong) {
      for (const method of ["POST", "GET"] as const) {
        const response = await call("reconcile-payments", authorization, method);
        expect(response.status, `${method} ${String(authorization)}`).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe("Bearer");
        expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
      }
    }
    expect((await call("no-such-job")).status).toBe(401);
    // Nothing ran: the attempt is well past the threshold and still waits.
    expect(await receiptStatus(lost.receipt.id)).toBe("pending");
  });

  it("runs the job with the right secret and answers its report", async () => {
    // Past the default threshold (RECONCILE_AFTER_SECONDS = 300): the lost payment is found and applied.
    const response = await call("reconcile-payments", `Bearer ${CRON_SECRET}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ job: "reconcile-payments", ok: true, report: { checked: 1, failed: 0 } });
    expect(await receiptStatus(lost.receipt.id)).toBe("paid");
    const timeline = await database.db
      .select({ action: t.auditEvents.action, source: t.auditEvents.source })
      .from(t.auditEvents)
      .where(eq(t.auditEvents.receiptId, lost.receipt.id));
    expect(timeline).toContainEqual({ action: "receipt.paid", source: "reconciliation" });

    // Again: nothing left to do.
    const again = await call("reconcile-payments", `bearer ${CRON_SECRET}`);
    expect(await again.json()).toMatchObject({ ok: true, report: { checked: 0, failed: 0 } });
  });

  it("runs the outbox over GET too, for schedulers that only GET", async () => {
    // The reconciled receipt's "payment received" email is waiting.
    const [waiting] = await database.db.select({ n: count() }).from(t.messages).where(eq(t.messages.status, "queued"));
    expect(waiting!.n).toBeGreaterThan(0);
    const response = await call("deliver-messages", `Bearer ${CRON_SECRET}`, "GET");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ job: "deliver-messages", ok: true, report: { sent: waiting!.n, retried: 0, failed: 0, invalid: 0 } });
    const [unsent] = await database.db
      .select({ n: count() })
      .from(t.messages)
      .where(sql`${t.messages.status} <> 'sent'`);
    expect(unsent!.n).toBe(0);
  });

  it("answers 404 for an unknown job with the right secret", async () => {
    const response = await call("no-such-job", `Bearer ${CRON_SECRET}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "unknown_job" } });
  });

  it("is closed (503) while CRON_SECRET is unset", async () => {
    const { handleCronRequest } = await import("@/lib/jobs/cron");
    const request = new Request(`${APP_URL}/api/cron/deliver-messages`, { method: "POST", headers: { authorization: "Bearer " } });
    const response = await handleCronRequest(request, "deliver-messages", { secret: "" });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "cron_disabled" } });
  });
});
