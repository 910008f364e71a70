// The pg-boss workers on a real PostgreSQL: the schedule really fires and the job it sends really
// runs (a lost Redsys notification gets reconciled with nobody calling anything), a nudge really
// delivers a queued email to a real SMTP server, a failing run is retried with backoff, and the
// workers stop cleanly.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { allSandboxAppEnv } from "@/scripts/sandbox-env";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startTestSmtpServer, type TestSmtpServer } from "@/scripts/testing/smtp-server";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { waitFor } from "@/sandbox/test-support/wait-for";
import { payAtRedsysSandbox } from "@/scripts/testing/redsys-payer";

const APP_URL = "http://127.0.0.1:9";

let sandbox: Sandbox;
let smtp: TestSmtpServer;
let database: Database;
let databaseUrl: string;
let studentId: string;
let worker: typeof import("./worker");
let workers: import("./worker").JobWorkers;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, env: {}, log: () => {}, webhookRetryDelaysMs: [] });
  smtp = await startTestSmtpServer();
  databaseUrl = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_jobs_worker");
  // env() is parsed once per module graph: set it before the first module that reads it loads.
  Object.assign(process.env, allSandboxAppEnv(sandbox.port), {
    APP_URL,
    DATABASE_URL: databaseUrl,
    DATABASE_DRIVER: "pg",
    SMTP_URL: `${smtp.url}?pool=false`,
    MAIL_FROM: "Academia Sol <pagos@academiasol.es>",
  });
  worker = await import("./worker");
  database = await (await import("@/db/client")).database();
  await database.migrate();
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Pau", lastName: "Vidal", email: "pau@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
  const response = await fetch(`${sandbox.urls.control}/faults/redsys`, { method: "POST", body: JSON.stringify({ neverDeliver: true }) });
  expect(response.status).toBe(200);
});

afterAll(async () => {
  await worker?.stopJobWorkers();
  await database?.close();
  await smtp?.close();
  await sandbox?.close();
});

async function receiptStatus(id: string) {
  const [row] = await database.db.select({ status: t.receipts.status }).from(t.receipts).where(eq(t.receipts.id, id));
  return row!.status;
}

/** A Redsys card payment whose notification the sandbox drops: the attempt stays `redirected`. */
async function lostRedsysPayment(amount: number) {
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
        payer: { name: "Pau Vidal", email: "pau@correo.test" },
      },
      "api",
    ),
  );
  const started = await startCheckout(database.db, { receiptId: receipt.id, method: "redsys", locale: "es", source: "payer", appUrl: APP_URL });
  await payAtRedsysSandbox(started.action);
  return { receipt, started };
}

describe("job workers", () => {
  it("run the scheduled reconciliation, which resolves a lost notification", async () => {
    const { receipt, started } = await lostRedsysPayment(7700);
    expect(await receiptStatus(receipt.id)).toBe("pending");

    workers = await worker.startJobWorkers({
      database,
      connectionString: databaseUrl,
      pollingIntervalSeconds: 0.5,
      cronMonitorIntervalSeconds: 1,
      // Delivery only when nudged here (once a year otherwise), so the nudge test below sees its own run.
      schedules: { "deliver-messages": "0 0 1 1 *" },
      jobs: { reconcile: { olderThanMs: 0 } },
    });
    // The same process asking again gets the same workers, not a second set polling beside them.
    expect(await worker.startJobWorkers()).toBe(workers);

    // Nobody calls the job: pg-boss's schedule sends it and a worker runs it.
    await waitFor(async () => (await receiptStatus(receipt.id)) === "paid", { timeoutMs: 20_000, intervalMs: 100, what: "the scheduled reconciliation" });
    const [attempt] = await database.db
      .select({ finalizedBy: t.paymentAttempts.finalizedBy })
      .from(t.paymentAttempts)
      .where(eq(t.paymentAttempts.id, started.attemptId));
    expect(attempt!.finalizedBy).toBe("reconciliation");

    const runs = await waitFor(async () => {
      const jobs = await workers.boss.findJobs("reconcile-payments");
      const done = jobs.filter((j) => j.state === "completed");
      return done.length > 0 ? done : undefined;
    });
    // Nothing but the schedule sent this queue a job; its output is the sweep's report.
    expect(runs.map((j) => j.output)).toContainEqual({ checked: 1, failed: 0 });
    expect(await workers.boss.getSchedules()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "reconcile-payments", cron: "* * * * *" }),
        expect.objectContaining({ name: "deliver-messages", cron: "0 0 1 1 *" }),
      ]),
    );
  });

  it("deliver a queued email to the SMTP server when nudged", async () => {
    const { enqueueMessage } = await import("@/lib/messaging/outbox");
    const messageId = await enqueueMessage(database.db, {
      template: "payment_link",
      locale: "es",
      to: "familia.vidal@correo.test",
      dedupeKey: "payment-link:worker-test",
      data: { concept: "Mensualidad diciembre", amount: 6500, currency: "EUR", dueDate: "2026-12-05", link: `${APP_URL}/pay/tok_worker` },
    });
    expect(messageId).toBeDefined();

    expect(await worker.nudgeMessageDelivery()).toBe(true);
    const mail = await smtp.waitFor((m) => m.to.includes("familia.vidal@correo.test"), 20_000);
    expect(mail.subject).toContain("Mensualidad diciembre");
    expect(mail.messageId).toBe(`<${messageId}@academiasol.es>`);
    await waitFor(async () => {
      const [row] = await database.db.select({ status: t.messages.status }).from(t.messages).where(eq(t.messages.id, messageId!));
      return row!.status === "sent";
    });
    // The same run also sent what was waiting: the "payment received" email of the reconciled receipt.
    const receivedMail = await smtp.waitFor((m) => m.to.includes("pau@correo.test"), 5_000);
    expect(receivedMail.subject).not.toBe("");
    // One run, the nudged one (the schedule is yearly here), and its output is the outbox's report.
    const runs = await waitFor(async () => {
      const done = (await workers.boss.findJobs("deliver-messages")).filter((j) => j.state === "completed");
      return done.length > 0 ? done : undefined;
    });
    expect(runs.map((j) => j.output)).toEqual([{ sent: 2, retried: 0, failed: 0, invalid: 0 }]);
  });

  it("retry a run that could not finish, with backoff", async () => {
    const queue = await workers.boss.getQueue("reconcile-payments");
    expect(queue).toMatchObject({ policy: "stately", retryLimit: 5, retryBackoff: true });

    // An attempt Stripe has never heard of: looking it up fails, so the sweep is incomplete.
    const { issueReceipt } = await import("@/lib/receipts/issue");
    const receipt = await database.db.transaction((tx) =>
      issueReceipt(
        tx,
        {
          studentId,
          kind: "other",
          concept: "Libro",
          amount: 2000,
          currency: "EUR",
          dueDate: "2026-12-10",
          payer: { name: "Pau Vidal", email: "pau@correo.test" },
        },
        "api",
      ),
    );
    const [bogus] = await database.db
      .insert(t.paymentAttempts)
      .values({
        receiptId: receipt.id,
        provider: "stripe",
        method: "stripe",
        mode: "sandbox",
        amount: 2000,
        currency: "EUR",
        status: "redirected",
        providerRef: "cs_test_unknown_to_stripe",
      })
      .returning({ id: t.paymentAttempts.id });

    // The sweep logs the failed lookup; keep it out of the test output, but check it was said.
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await workers.send("reconcile-payments")).toBe(true);
      const retried = await waitFor(
        async () => {
          const jobs = await workers.boss.findJobs("reconcile-payments");
          return jobs.find((j) => j.singletonKey === null && j.state === "retry");
        },
        { timeoutMs: 20_000, what: "the failed run waiting for its retry" },
      );
      // Backoff: the retry is not due at once.
      expect(retried.startAfter.getTime()).toBeGreaterThan(Date.now());
      expect(JSON.stringify(retried.output)).toContain("did not finish");
      expect(await receiptStatus(receipt.id)).toBe("pending");
      expect(logged.mock.calls.some(([line]) => String(line).includes(bogus!.id))).toBe(true);
    } finally {
      logged.mockRestore();
      await database.db.delete(t.auditEvents).where(eq(t.auditEvents.attemptId, bogus!.id));
      await database.db.delete(t.paymentAttempts).where(eq(t.paymentAttempts.id, bogus!.id));
    }
  });

  it("stop cleanly, after which nudges are declined", async () => {
    await worker.stopJobWorkers();
    expect(await worker.nudgeMessageDelivery()).toBe(false);
    // The database is still usable: the workers stopped before it closed.
    expect(await receiptStatus((await database.db.select({ id: t.receipts.id }).from(t.receipts).limit(1))[0]!.id)).toBeTypeOf("string");
  });
});
