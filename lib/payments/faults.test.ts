// Faults on the payment path, each showing nothing lost and nothing doubled:
// - the database stops (an immediate shutdown, as a crash) while a webhook is being applied;
// - the app process dies right after a payment is committed, before its side effects ran.
// (An SMTP server that refuses mail is covered in lib/messaging/outbox.test.ts.)
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import * as t from "@/db/schema";
import { deliverDueMessages } from "@/lib/messaging/outbox";
import { createMailTransport } from "@/lib/messaging/transport";
import { issueReceipt } from "@/lib/receipts/issue";
import { createTestDatabase, startOwnTestPostgres, type OwnTestPostgres } from "@/scripts/testing/postgres";
import { startTestSmtpServer, type TestSmtpServer } from "@/scripts/testing/smtp-server";
import { applyProviderEvent } from "@/lib/after-payment";
import type { ProviderEvent } from "./types";

const run = promisify(execFile);

let postgres: OwnTestPostgres;
let url: string;
let database: Database;
let smtp: TestSmtpServer;

const open = () => openDatabase({ databaseDriver: "pg", DATABASE_URL: url, PGLITE_DIR: "", NEON_WS_PROXY: undefined });

beforeAll(async () => {
  // A cluster of its own: this file stops it, which would break every other test on a shared one.
  postgres = await startOwnTestPostgres({ durable: true });
  url = await createTestDatabase(postgres.url, "academy_test_faults");
  database = await open();
  await database.migrate();
  smtp = await startTestSmtpServer();
}, 120_000);
afterAll(async () => {
  await database?.close();
  await smtp?.close();
  await postgres?.stop();
});

async function pendingReceiptWithAttempt(email: string) {
  return database.db.transaction(async (tx) => {
    const [student] = await tx.insert(t.students).values({ firstName: "Ana", lastName: "Fallo", email }).returning({ id: t.students.id });
    const receipt = await issueReceipt(
      tx,
      { studentId: student!.id, kind: "other", concept: "Material", amount: 4200, currency: "EUR", dueDate: "2026-12-20", payer: { name: "Ana Fallo", email } },
      "api",
    );
    const ref = `cs_test_${randomUUID().replace(/-/g, "")}`;
    const [attempt] = await tx
      .insert(t.paymentAttempts)
      .values({
        receiptId: receipt.id,
        provider: "stripe",
        method: "stripe",
        mode: "sandbox",
        amount: 4200,
        currency: "EUR",
        status: "redirected",
        providerRef: ref,
      })
      .returning({ id: t.paymentAttempts.id });
    return { receiptId: receipt.id, attemptId: attempt!.id, ref };
  });
}

function paidEvent(ref: string): ProviderEvent {
  const outcome = { type: "succeeded" as const, amount: 4200, currency: "EUR", paymentRef: `pi_${randomUUID().slice(0, 12)}` };
  return {
    provider: "stripe",
    eventId: `evt_${randomUUID()}`,
    eventType: "checkout.session.completed",
    ref: { by: "order", value: ref },
    outcome,
    payload: { outcome },
    rawBody: JSON.stringify(outcome),
  };
}

async function books(receiptId: string, eventId: string) {
  const [receipt] = await database.db.select({ status: t.receipts.status, paidAt: t.receipts.paidAt }).from(t.receipts).where(eq(t.receipts.id, receiptId));
  const events = await database.db.select({ id: t.providerEvents.id }).from(t.providerEvents).where(eq(t.providerEvents.eventId, eventId));
  const audit = await database.db.select({ action: t.auditEvents.action }).from(t.auditEvents).where(eq(t.auditEvents.receiptId, receiptId));
  const mails = await database.db.select({ template: t.messages.template }).from(t.messages).where(eq(t.messages.receiptId, receiptId));
  return {
    status: receipt!.status,
    storedEvents: events.length,
    paidAudits: audit.filter((a) => a.action === "receipt.paid").length,
    paymentMails: mails.filter((m) => m.template === "payment_received").length,
  };
}

describe("faults on the payment path", () => {
  it("the database stops in the middle of a webhook: nothing half-written, and the provider's retry applies it once", async () => {
    const { receiptId, ref } = await pendingReceiptWithAttempt("caida@example.com");
    const delivery = paidEvent(ref);

    // Hold the receipt's row lock from another connection, so the webhook's transaction stops
    // half-way (after its inbox insert, waiting to lock the receipt) while the server goes down.
    const holder = new pg.Client({ connectionString: url });
    holder.on("error", () => {});
    await holder.connect();
    await holder.query("begin");
    await holder.query("select id from receipts where id = $1 for update", [receiptId]);

    const applying = applyProviderEvent(database.db, delivery, "webhook").then(
      () => "applied",
      (error: unknown) => `failed: ${String(error)}`,
    );
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    await expect
      .poll(async () => (await watcher.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'")).rows[0].n, { timeout: 10_000 })
      .toBe(1);
    await watcher.end();

    await postgres.crash();
    expect(await applying).toMatch(/^failed/);
    await holder.end().catch(() => {});
    await postgres.restart();

    // The pool drops its dead connections and opens new ones.
    expect(await books(receiptId, delivery.eventId)).toEqual({ status: "pending", storedEvents: 0, paidAudits: 0, paymentMails: 0 });

    // The provider tries again (it got no 2xx): applied once, then recognised as a duplicate.
    expect(await applyProviderEvent(database.db, delivery, "webhook")).toMatchObject({ result: "applied", changed: true });
    expect(await applyProviderEvent(database.db, delivery, "webhook")).toMatchObject({ result: "duplicate" });
    expect(await books(receiptId, delivery.eventId)).toEqual({ status: "paid", storedEvents: 1, paidAudits: 1, paymentMails: 1 });
  }, 120_000);

  it("the app dies right after a payment is committed: its e-mail is still sent, exactly once", async () => {
    const email = "crash@example.com";
    const { receiptId, ref } = await pendingReceiptWithAttempt(email);
    const delivery = paidEvent(ref);

    // A separate process applies the payment and is killed (SIGKILL) the moment it returns.
    const child = await run(process.execPath, [
      "--import",
      "tsx",
      "--conditions=react-server",
      "scripts/testing/apply-then-crash.ts",
      url,
      JSON.stringify(delivery),
    ]).then(
      () => ({ killed: false, stdout: "", stderr: "" }),
      (error: { signal?: string; stdout?: string; stderr?: string }) => ({
        killed: error.signal === "SIGKILL",
        stdout: error.stdout ?? "",
        stderr: error.stderr ?? "",
      }),
    );
    expect(child.stderr).toBe("");
    expect(child.killed).toBe(true);
    expect(JSON.parse(child.stdout.trim())).toMatchObject({ result: "applied" });
    expect(await books(receiptId, delivery.eventId)).toEqual({ status: "paid", storedEvents: 1, paidAudits: 1, paymentMails: 1 });

    // Another process (the next worker run) delivers what the dead one queued; running it again,
    // and the provider repeating its webhook, send nothing more.
    const transport = createMailTransport(
      { SMTP_URL: smtp.url, MAIL_FROM: undefined, APP_URL: "https://pagos.example.com" },
      { academyName: "Academia", connectionTimeoutMs: 3_000 },
    );
    try {
      const noFiles = async () => [];
      await deliverDueMessages(database.db, { transport, attachmentsFor: noFiles });
      expect(await applyProviderEvent(database.db, delivery, "webhook")).toMatchObject({ result: "duplicate" });
      await deliverDueMessages(database.db, { transport, attachmentsFor: noFiles });
    } finally {
      transport.close();
    }
    await smtp.waitFor((mail) => mail.to.includes(email), 5_000);
    expect(smtp.messages.filter((mail) => mail.to.includes(email))).toHaveLength(1);
    const [row] = await database.db
      .select({ status: t.messages.status })
      .from(t.messages)
      .where(sql`${t.messages.receiptId} = ${receiptId} and ${t.messages.template} = 'payment_received'`);
    expect(row!.status).toBe("sent");
  }, 120_000);
});
