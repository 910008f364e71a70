// The outbox end to end, on a real PostgreSQL and a real SMTP server: one row per dedupe key,
// stored with the caller's transaction; delivery with the right subject, recipient and body;
// retries with backoff after a temporary failure and exactly one delivery in the end; permanent
// recipient rejections never retried; abandoned claims recovered; and two deliverers on separate
// connection pools sharing 50 messages with each one received exactly once.
import { createServer, type Socket } from "node:net";
import { count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { claimDueMessages, getMessage, listMessagesForReceipt, markMessageSent, requeueMessage } from "@/db/queries/messages";
import { messages, receipts, settings, students } from "@/db/schema";
import { demoAcademy } from "@/lib/demo/seed";
import { settingKeys } from "@/lib/settings/schemas";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from "@/scripts/testing/smtp-server";
import { deliverDueMessages, enqueueMessage, maxAttempts, retryDelaysMs, sendingLeaseMs, type EnqueueMessageInput } from "./outbox";
import { createMailTransport, storedOnlyNote, type MailTransport } from "./transport";

const APP_URL = "https://pagos.academiasol.es";
const MINUTE = 60_000;

let database: Database;
let smtp: TestSmtpServer;
let transport: MailTransport;

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set: run the tests through vitest (its global setup starts PostgreSQL).");
  return url;
}

async function openTestDb(url: string): Promise<Database> {
  return openDatabase({ databaseDriver: "pg", DATABASE_URL: url, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
}

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await createTestDatabase(serverUrl(), "academy_test_messaging");
  database = await openTestDb(databaseUrl);
  await database.migrate();
  await database.db.insert(settings).values({ key: settingKeys.academy, value: demoAcademy });
});
afterAll(async () => {
  await database?.close();
});

beforeEach(async () => {
  await database.db.delete(messages);
  smtp = await startTestSmtpServer();
  transport = smtpTransport(smtp.url);
});
afterEach(async () => {
  transport.close();
  await smtp.close();
});

function smtpTransport(url: string): MailTransport {
  return createMailTransport({ SMTP_URL: url, MAIL_FROM: undefined, APP_URL }, { academyName: demoAcademy.name, connectionTimeoutMs: 3_000 });
}

type PaymentLinkInput = Extract<EnqueueMessageInput, { template: "payment_link" }>;

let counter = 0;
function paymentLink(to: string, more: Partial<PaymentLinkInput> = {}): PaymentLinkInput {
  counter += 1;
  return {
    template: "payment_link",
    locale: "es",
    to,
    dedupeKey: `payment-link:test-${counter}`,
    data: {
      recipientName: "Marta García",
      concept: `Mensualidad ${counter}`,
      amount: 123456,
      currency: "EUR",
      dueDate: "2027-03-05",
      link: `${APP_URL}/pay/tok_${counter}`,
    },
    ...more,
  };
}

async function row(id: string) {
  const message = await getMessage(database.db, id);
  if (!message) throw new Error(`message ${id} is gone`);
  return message;
}

const nbsp = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");
const to = (address: string) => (mail: ReceivedMail) => mail.to.includes(address);

describe("enqueueMessage", () => {
  it("stores one row per dedupe key, however many times it is called", async () => {
    const input = paymentLink("ana@example.com");
    const first = await enqueueMessage(database.db, input);
    const second = await enqueueMessage(database.db, { ...input, data: { ...input.data, concept: "changed" } });
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBeUndefined();
    const rows = await database.db.select({ n: count() }).from(messages).where(eq(messages.dedupeKey, input.dedupeKey));
    expect(rows).toEqual([{ n: 1 }]);
    const stored = await row(first!);
    expect(stored.status).toBe("queued");
    expect(nbsp(stored.bodyText)).toContain("1.234,56 €");
    // The academy came from settings, read in the same transaction.
    expect(stored.bodyText).toContain(demoAcademy.taxId);
  });

  it("stores nothing when the caller's transaction rolls back", async () => {
    const input = paymentLink("ben@example.com");
    await expect(
      database.db.transaction(async (tx) => {
        await enqueueMessage(tx, input);
        throw new Error("the payment update failed");
      }),
    ).rejects.toThrow("the payment update failed");
    expect(await database.db.select({ id: messages.id }).from(messages).where(eq(messages.dedupeKey, input.dedupeKey))).toEqual([]);
  });

  it("lists a receipt's messages for its timeline", async () => {
    const [student] = await database.db
      .insert(students)
      .values({ firstName: "Marta", lastName: "García", email: "marta@example.com" })
      .returning({ id: students.id });
    const [receipt] = await database.db
      .insert(receipts)
      .values({
        number: `2099-${String(counter).padStart(6, "0")}`,
        seriesYear: 2099,
        seriesNumber: 1000 + counter,
        kind: "other",
        studentId: student!.id,
        concept: "Material",
        amount: 2500,
        dueDate: "2099-01-31",
        payerName: "Marta García",
        payerEmail: "marta@example.com",
      })
      .returning({ id: receipts.id });
    const a = await enqueueMessage(database.db, paymentLink("marta@example.com", { receiptId: receipt!.id }));
    const b = await enqueueMessage(database.db, paymentLink("marta@example.com", { receiptId: receipt!.id }));
    await enqueueMessage(database.db, paymentLink("other@example.com"));
    const listed = await listMessagesForReceipt(database.db, receipt!.id);
    expect(listed.map((m) => m.id).sort()).toEqual([a, b].sort());
    expect(listed.every((m) => m.status === "queued" && m.toAddress === "marta@example.com")).toBe(true);
  });
});

describe("deliverDueMessages", () => {
  it("delivers to the SMTP server with the stored subject, recipient and body, and records it", async () => {
    const id = await enqueueMessage(database.db, paymentLink("ana@example.com"));
    const stored = await row(id!);

    expect(await deliverDueMessages(database.db, { transport })).toEqual({ sent: 1, retried: 0, failed: 0, invalid: 0 });

    const mail = await smtp.waitFor(to("ana@example.com"), 5_000);
    expect(mail.subject).toBe(stored.subject);
    expect(mail.to).toEqual(["ana@example.com"]);
    expect(mail.envelope.to).toEqual(["ana@example.com"]);
    expect(mail.from).toBe("no-reply@pagos.academiasol.es");
    expect(mail.fromName).toBe(demoAcademy.name);
    expect(nbsp(mail.text)).toContain("Importe: 1.234,56 €");
    expect(mail.text).toContain(`${APP_URL}/pay/tok_`);
    expect(mail.html).toContain(`href="${APP_URL}/pay/tok_`);

    const sent = await row(id!);
    expect(sent.status).toBe("sent");
    expect(sent.attempts).toBe(1);
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(sent.smtpMessageId).toBe(mail.messageId);
    expect(mail.messageId).toBe(`<${id}@pagos.academiasol.es>`);

    // Nothing left to send: a second run sends nothing and the server still holds one message.
    expect(await deliverDueMessages(database.db, { transport })).toEqual({ sent: 0, retried: 0, failed: 0, invalid: 0 });
    expect(smtp.messages).toHaveLength(1);
  });

  it("retries a temporary failure (451 on DATA) after the backoff, then delivers exactly once", async () => {
    const t0 = new Date(Date.now() + MINUTE);
    smtp.failNext(1);
    const id = await enqueueMessage(database.db, paymentLink("carla@example.com"));

    expect(await deliverDueMessages(database.db, { transport, now: t0 })).toMatchObject({ sent: 0, retried: 1 });
    expect(smtp.failedData).toBe(1);
    const retried = await row(id!);
    expect(retried.status).toBe("queued");
    expect(retried.attempts).toBe(1);
    expect(retried.lastError).toMatch(/451/);
    expect(retried.nextAttemptAt.getTime()).toBe(t0.getTime() + retryDelaysMs[0]!);
    expect(smtp.messages).toHaveLength(0);

    // Not due yet.
    expect(await deliverDueMessages(database.db, { transport, now: new Date(t0.getTime() + 30_000) })).toMatchObject({ sent: 0, retried: 0 });
    // Due: delivered.
    const t1 = new Date(t0.getTime() + retryDelaysMs[0]!);
    expect(await deliverDueMessages(database.db, { transport, now: t1 })).toMatchObject({ sent: 1, retried: 0 });
    await smtp.waitFor(to("carla@example.com"), 5_000);
    // And never again, however late it gets.
    expect(await deliverDueMessages(database.db, { transport, now: new Date(t1.getTime() + 24 * 60 * MINUTE) })).toMatchObject({ sent: 0 });
    expect(smtp.messages.filter(to("carla@example.com"))).toHaveLength(1);
    const done = await row(id!);
    expect(done.status).toBe("sent");
    expect(done.attempts).toBe(2);
  });

  it("backs off 1 min, 5 min, 30 min, 2 h while the server is unreachable, then gives up", async () => {
    // A port that answered a moment ago and is now closed: connection refused.
    const gone = await startTestSmtpServer();
    await gone.close();
    const unreachable = smtpTransport(gone.url);
    try {
      const id = await enqueueMessage(database.db, paymentLink("dani@example.com"));
      let now = new Date(Date.now() + MINUTE);
      const waits: number[] = [];
      for (let attempt = 1; attempt < maxAttempts; attempt += 1) {
        expect(await deliverDueMessages(database.db, { transport: unreachable, now })).toMatchObject({ retried: 1 });
        const message = await row(id!);
        expect(message.lastError).toMatch(/ECONNREFUSED|connect/i);
        waits.push(message.nextAttemptAt.getTime() - now.getTime());
        now = message.nextAttemptAt;
      }
      expect(waits).toEqual([1, 5, 30, 120].map((m) => m * MINUTE));
      expect(await deliverDueMessages(database.db, { transport: unreachable, now })).toMatchObject({ failed: 1, retried: 0 });
      const failed = await row(id!);
      expect(failed.status).toBe("failed");
      expect(failed.attempts).toBe(maxAttempts);
      // Failed is final until staff re-queue it.
      expect(await deliverDueMessages(database.db, { transport, now: new Date(now.getTime() + 48 * 60 * MINUTE) })).toMatchObject({ sent: 0 });
      expect(await requeueMessage(database.db, { id: id!, now })).toBe(true);
      expect(await deliverDueMessages(database.db, { transport, now })).toMatchObject({ sent: 1 });
      await smtp.waitFor(to("dani@example.com"), 5_000);
    } finally {
      unreachable.close();
    }
  });

  it("flags a recipient the server rejects (550 on RCPT TO) as invalid_address and never retries it", async () => {
    smtp.reject("nadie@example.com");
    const bad = await enqueueMessage(database.db, paymentLink("nadie@example.com"));
    const good = await enqueueMessage(database.db, paymentLink("eva@example.com"));
    const now = new Date(Date.now() + MINUTE);

    expect(await deliverDueMessages(database.db, { transport, now })).toEqual({ sent: 1, retried: 0, failed: 0, invalid: 1 });
    const flagged = await row(bad!);
    expect(flagged.status).toBe("invalid_address");
    expect(flagged.lastError).toMatch(/550/);
    expect(flagged.attempts).toBe(1);
    expect((await row(good!)).status).toBe("sent");

    expect(await deliverDueMessages(database.db, { transport, now: new Date(now.getTime() + 3 * 60 * MINUTE) })).toEqual({
      sent: 0,
      retried: 0,
      failed: 0,
      invalid: 0,
    });
    expect(smtp.messages.filter(to("nadie@example.com"))).toHaveLength(0);
    expect((await row(bad!)).attempts).toBe(1);
  });

  it("flags a malformed address without bothering the server", async () => {
    const id = await enqueueMessage(database.db, paymentLink("marta.garcia@@correo"));
    expect(await deliverDueMessages(database.db, { transport })).toMatchObject({ invalid: 1, sent: 0 });
    expect((await row(id!)).status).toBe("invalid_address");
    expect(smtp.messages).toHaveLength(0);
  });

  it("attaches the files attachmentsFor returns (the receipt PDF for payment_received)", async () => {
    const pdf = Buffer.from("%PDF-1.7\n% a receipt\n%%EOF\n");
    const id = await enqueueMessage(database.db, {
      template: "payment_received",
      locale: "en",
      to: "fran@example.com",
      dedupeKey: `receipt-paid:test-${counter++}`,
      data: {
        concept: "Enrolment fee",
        amount: 4000,
        currency: "EUR",
        method: "bizum",
        paidAt: new Date("2027-03-02T09:15:00Z"),
        receiptNumber: "2027-000042",
        receiptAttached: true,
      },
    });
    const report = await deliverDueMessages(database.db, {
      transport,
      attachmentsFor: async (message) =>
        message.template === "payment_received" && message.id === id
          ? [{ filename: "recibo-2027-000042.pdf", contentType: "application/pdf", content: pdf }]
          : undefined,
    });
    expect(report).toEqual({ sent: 1, retried: 0, failed: 0, invalid: 0 });
    const mail = await smtp.waitFor(to("fran@example.com"), 5_000);
    expect(mail.subject).toContain("Payment received: Enrolment fee");
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: "recibo-2027-000042.pdf", contentType: "application/pdf" });
    expect(mail.attachments[0]!.content.equals(pdf)).toBe(true);
  });

  it("without SMTP_URL keeps the message in the database and marks it sent with a note", async () => {
    const storeOnly = createMailTransport({ SMTP_URL: undefined, MAIL_FROM: undefined, APP_URL }, { academyName: demoAcademy.name });
    const id = await enqueueMessage(database.db, paymentLink("gala@example.com"));
    expect(await deliverDueMessages(database.db, { transport: storeOnly })).toMatchObject({ sent: 1 });
    const stored = await row(id!);
    expect(stored.status).toBe("sent");
    expect(stored.smtpMessageId).toBeNull();
    expect(stored.deliveryNote).toBe(storedOnlyNote);
    expect(stored.lastError).toBeNull();
    expect(stored.bodyHtml).toContain("Academia Sol de Idiomas");
    expect(smtp.messages).toHaveLength(0);
  });

  it("re-queues a message whose deliverer died while sending, once its lease is over, and ignores the dead one's late word", async () => {
    const id = await enqueueMessage(database.db, paymentLink("hugo@example.com"));
    const t0 = new Date(Date.now() + MINUTE);
    // A deliverer claims it and then "crashes" (never records an outcome).
    const [claimed] = await claimDueMessages(database.db, { now: t0, limit: 10, leaseMs: sendingLeaseMs });
    expect(claimed?.id).toBe(id);
    expect((await row(id!)).status).toBe("sending");

    // Within the lease nobody else touches it.
    expect(await deliverDueMessages(database.db, { transport, now: new Date(t0.getTime() + sendingLeaseMs - 1_000) })).toMatchObject({ sent: 0 });
    expect(smtp.messages).toHaveLength(0);

    // After it, another deliverer takes it over and sends it.
    expect(await deliverDueMessages(database.db, { transport, now: new Date(t0.getTime() + sendingLeaseMs) })).toMatchObject({ sent: 1 });
    await smtp.waitFor(to("hugo@example.com"), 5_000);
    const sent = await row(id!);
    expect(sent.status).toBe("sent");
    expect(sent.attempts).toBe(2);

    // The first deliverer wakes up and tries to record its (stale) claim: nothing changes.
    expect(await markMessageSent(database.db, { id: id!, attempt: claimed!.attempts, now: t0, smtpMessageId: "<stale@x>" })).toBe(false);
    expect((await row(id!)).smtpMessageId).toBe(sent.smtpMessageId);
  });

  it("gives up on an abandoned message that has used every attempt instead of re-queuing it", async () => {
    const id = await enqueueMessage(database.db, paymentLink("ivan@example.com"));
    await database.db
      .update(messages)
      .set({ attempts: maxAttempts - 1 })
      .where(eq(messages.id, id!));
    const t0 = new Date(Date.now() + MINUTE);
    const [claimed] = await claimDueMessages(database.db, { now: t0, limit: 10, leaseMs: sendingLeaseMs });
    expect(claimed?.attempts).toBe(maxAttempts);
    expect(await deliverDueMessages(database.db, { transport, now: new Date(t0.getTime() + sendingLeaseMs) })).toMatchObject({ sent: 0 });
    const given = await row(id!);
    expect(given.status).toBe("failed");
    expect(given.lastError).toMatch(/abandoned/);
    expect(smtp.messages).toHaveLength(0);
  });

  it("retries when the server accepts the connection but never greets (a timeout)", async () => {
    const silent = createServer(() => {});
    const sockets = new Set<Socket>();
    silent.on("connection", (socket) => sockets.add(socket));
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, "127.0.0.1", () => {
        const address = silent.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      }),
    );
    const slow = createMailTransport(
      { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: undefined, APP_URL },
      { academyName: demoAcademy.name, greetingTimeoutMs: 300 },
    );
    try {
      const id = await enqueueMessage(database.db, paymentLink("julia@example.com"));
      expect(await deliverDueMessages(database.db, { transport: slow })).toMatchObject({ retried: 1, sent: 0 });
      const retried = await row(id!);
      expect(retried.status).toBe("queued");
      expect(retried.lastError).toMatch(/greeting|timeout/i);
    } finally {
      slow.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("shares 50 messages between two concurrent deliverers on separate pools: each received exactly once", async () => {
    const second = await openTestDb(databaseUrl);
    const otherTransport = smtpTransport(smtp.url);
    try {
      const addresses = Array.from({ length: 50 }, (_, i) => `alumno${i}@example.com`);
      await database.db.transaction(async (tx) => {
        for (const address of addresses) await enqueueMessage(tx, paymentLink(address));
      });

      const [a, b] = await Promise.all([
        deliverDueMessages(database.db, { transport, batchSize: 2 }),
        deliverDueMessages(second.db, { transport: otherTransport, batchSize: 2 }),
      ]);
      expect(a.sent + b.sent).toBe(50);
      expect(a.retried + b.retried + a.failed + b.failed + a.invalid + b.invalid).toBe(0);
      // Both did part of the work (SKIP LOCKED let them claim different batches side by side).
      expect(a.sent).toBeGreaterThan(0);
      expect(b.sent).toBeGreaterThan(0);

      const received = smtp.messages.flatMap((m) => m.to).sort();
      expect(received).toEqual([...addresses].sort());
      expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(50);
      const statuses = await database.db
        .select({ status: messages.status, attempts: messages.attempts, n: count() })
        .from(messages)
        .groupBy(messages.status, messages.attempts);
      expect(statuses).toEqual([{ status: "sent", attempts: 1, n: 50 }]);
    } finally {
      otherTransport.close();
      await second.close();
    }
  });
});

describe("claimDueMessages", () => {
  it("never hands one message to two of 12 claimers racing on two pools", async () => {
    const second = await openTestDb(databaseUrl);
    try {
      await database.db.transaction(async (tx) => {
        for (let i = 0; i < 60; i += 1) await enqueueMessage(tx, paymentLink(`race${i}@example.com`));
      });
      const claimer = async (db: Database["db"]) => {
        const ids: string[] = [];
        for (;;) {
          const batch = await claimDueMessages(db, { limit: 2, leaseMs: sendingLeaseMs });
          if (batch.length === 0) return ids;
          ids.push(...batch.map((m) => m.id));
        }
      };
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => claimer(i % 2 ? second.db : database.db)));
      const all = claims.flat();
      expect(all).toHaveLength(60);
      expect(new Set(all).size).toBe(60);
      const attempts = await database.db.select({ attempts: messages.attempts, n: count() }).from(messages).groupBy(messages.attempts);
      expect(attempts).toEqual([{ attempts: 1, n: 60 }]);
    } finally {
      await second.close();
    }
  });
});

describe("the test SMTP server", () => {
  it("times out waitFor when nothing matching arrives", async () => {
    await expect(smtp.waitFor(to("never@example.com"), 200)).rejects.toThrow(/No matching mail arrived within 200 ms/);
  });
});
