// The job workers on the embedded database (the default for `npm run dev`): pg-boss runs on the
// PGlite instance the app already has open (one connection, shared), its schedule fires, and a
// nudge delivers a queued email to a real SMTP server.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { openTestDatabase } from "@/scripts/testing/postgres";
import * as t from "@/db/schema";
import { startTestSmtpServer, type TestSmtpServer } from "@/scripts/testing/smtp-server";
import { waitFor } from "@/sandbox/test-support/wait-for";

let smtp: TestSmtpServer;
let database: Database;
let worker: typeof import("./worker");

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  // env() is parsed once per module graph: set it before the first module that reads it loads.
  Object.assign(process.env, { APP_URL: "http://127.0.0.1:9", SMTP_URL: `${smtp.url}?pool=false`, MAIL_FROM: "Academia Sol <pagos@academiasol.es>" });
  worker = await import("./worker");
  database = await openTestDatabase("academy_test_worker_pglite", { driver: "pglite" });
});

afterAll(async () => {
  // Workers first: they use the PGlite connection that close() ends.
  await worker?.stopJobWorkers();
  await database?.close();
  await smtp?.close();
});

describe("job workers on PGlite", () => {
  it("share the embedded instance, run the schedule and deliver when nudged", async () => {
    expect(database.pglite).toBeDefined();
    const workers = await worker.startJobWorkers({
      database,
      pollingIntervalSeconds: 0.5,
      cronMonitorIntervalSeconds: 1,
      schedules: { "deliver-messages": "0 0 1 1 *" },
    });

    // The schedule's first pass sends this minute's reconciliation, which finds nothing to do.
    const sweeps = await waitFor(
      async () => {
        const done = (await workers.boss.findJobs("reconcile-payments")).filter((j) => j.state === "completed");
        return done.length > 0 ? done : undefined;
      },
      { timeoutMs: 20_000, what: "the scheduled reconciliation on PGlite" },
    );
    expect(sweeps[0]!.output).toEqual({ checked: 0, failed: 0 });

    const { enqueueMessage } = await import("@/lib/messaging/outbox");
    const messageId = await enqueueMessage(database.db, {
      template: "payment_link",
      locale: "en",
      to: "family@correo.test",
      dedupeKey: "payment-link:pglite-test",
      data: { concept: "December fee", amount: 6500, currency: "EUR", dueDate: "2026-12-05", link: "http://127.0.0.1:9/pay/tok_pglite" },
    });
    expect(await worker.nudgeMessageDelivery()).toBe(true);
    const mail = await smtp.waitFor((m) => m.to.includes("family@correo.test"), 20_000);
    expect(mail.subject).toContain("December fee");
    await waitFor(async () => {
      const [row] = await database.db.select({ status: t.messages.status }).from(t.messages).where(eq(t.messages.id, messageId!));
      return row!.status === "sent";
    });
  });
});
