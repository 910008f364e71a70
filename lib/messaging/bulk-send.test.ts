// Bulk sends of a month's payment links on a real PostgreSQL and a real SMTP server: one send per
// period at a time, a link and an email per pending monthly receipt (none for paid receipts or
// other months), progress counted from the messages, reruns that change nothing, and the crash
// test: 1,000 payers, the sending process killed with SIGKILL half-way and started again, every
// payer mailed exactly one message and the progress at 1000/1000.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import * as t from "@/db/schema";
import { demoAcademy } from "@/lib/demo/seed";
import { settingKeys } from "@/lib/settings/schemas";
import { lookUpPaymentLink } from "@/lib/receipts/payment-links";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from "@/scripts/testing/smtp-server";
import { getBulkSendProgress, runBulkSend, runBulkSends, startPaymentLinksSend } from "./bulk-send";
import { sendingLeaseMs } from "./outbox";
import { handleCronRequest } from "@/lib/jobs/cron";
import { createMailTransport } from "./transport";

const APP_URL = "http://localhost:3000";
let database: Database;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_bulk_send");
  database = await openDatabase({ databaseDriver: "pg", DATABASE_URL: databaseUrl, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
  await database.migrate();
  await database.db.insert(t.settings).values({ key: settingKeys.academy, value: demoAcademy });
});
afterAll(() => database?.close());

let series = 0;
/** `n` payers with a pending monthly receipt for `period`, inserted set-based (1,000 in two statements). */
async function payers(n: number, period: string, tag: string, status: "pending" | "paid" = "pending"): Promise<{ receiptId: string; email: string }[]> {
  const students = await database.db
    .insert(t.students)
    .values(
      Array.from({ length: n }, (_, i) => ({ firstName: `Alumno${i}`, lastName: tag, email: `${tag}-${i}@familia.test`, locale: i % 5 === 0 ? "en" : "es" })),
    )
    .returning({ id: t.students.id, email: t.students.email });
  const receipts = await database.db
    .insert(t.receipts)
    .values(
      students.map((s, i) => {
        series += 1;
        return {
          number: `2099-${String(series).padStart(6, "0")}`,
          seriesYear: 2099,
          seriesNumber: series,
          kind: "monthly" as const,
          studentId: s.id,
          period,
          concept: `Mensualidad ${period}`,
          amount: 8950 + i,
          currency: "EUR",
          dueDate: `${period}-10`,
          status,
          paidAt: status === "paid" ? new Date() : null,
          payerName: `Familia ${i}`,
          payerEmail: s.email,
        };
      }),
    )
    .returning({ id: t.receipts.id, email: t.receipts.payerEmail });
  return receipts.map((r) => ({ receiptId: r.id, email: r.email }));
}

function linkIn(mail: ReceivedMail): string {
  const match = /http:\/\/localhost:3000\/pay\/([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error(`no /pay link in ${mail.subject}`);
  return match[1]!;
}

describe("startPaymentLinksSend and runBulkSend", () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
  });
  afterAll(() => smtp.close());

  it("mails one working link per pending monthly receipt of the period, and a rerun changes nothing", async () => {
    const pending = await payers(7, "2031-01", "ene");
    await payers(2, "2031-01", "pagado", "paid");
    await payers(3, "2031-02", "feb");

    const started = await startPaymentLinksSend(database.db, { period: "2031-01" });
    expect(started).toMatchObject({ total: 7, created: true });
    // A second click while the first send is open gets the same send.
    expect(await startPaymentLinksSend(database.db, { period: "2031-01" })).toEqual({ ...started, created: false });

    // One receipt is cancelled before its turn: it is not mailed and the total follows.
    const cancelled = pending[6]!;
    await database.db.update(t.receipts).set({ status: "cancelled", cancelledAt: new Date() }).where(eq(t.receipts.id, cancelled.receiptId));

    const transport = createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: undefined, APP_URL }, { academyName: demoAcademy.name });
    try {
      const report = await runBulkSend(database.db, started.bulkSendId, { transport, chunkSize: 4 });
      expect(report).toMatchObject({ enqueued: 6, status: "done", delivery: { sent: 6, failed: 0, invalid: 0, retried: 0 } });
      expect(await getBulkSendProgress(database.db, started.bulkSendId)).toMatchObject({ total: 6, sent: 6, queued: 0, failed: 0, invalid: 0, status: "done" });

      const mailed = smtp.messages.filter((m) => m.to[0]?.startsWith("ene-"));
      expect(mailed.map((m) => m.to[0]).sort()).toEqual(
        pending
          .slice(0, 6)
          .map((p) => p.email)
          .sort(),
      );
      expect(smtp.messages.some((m) => /^(pagado|feb)-/.test(m.to[0] ?? ""))).toBe(false);
      for (const mail of mailed) {
        const payer = pending.find((p) => p.email === mail.to[0])!;
        expect(await lookUpPaymentLink(database.db, linkIn(mail))).toEqual({ state: "live", receiptId: payer.receiptId });
      }
      // English-speaking payers get the English copy.
      expect(mailed.find((m) => m.to[0] === "ene-0@familia.test")?.subject).toMatch(/^Your receipt: /);
      expect(mailed.find((m) => m.to[0] === "ene-1@familia.test")?.subject).toMatch(/^Tu recibo: /);

      // Running the finished send again, or the job's sweep, enqueues and mails nothing more.
      expect(await runBulkSend(database.db, started.bulkSendId, { transport })).toMatchObject({ enqueued: 0, status: "done" });
      expect(await runBulkSends(database.db, { transport })).toMatchObject({ sends: 0, enqueued: 0 });
      expect(smtp.messages.filter((m) => m.to[0]?.startsWith("ene-"))).toHaveLength(6);

      // Each receipt's timeline tells the story; the send is in the staff audit log.
      const audit = await database.db.select({ action: t.auditEvents.action }).from(t.auditEvents).where(eq(t.auditEvents.receiptId, pending[0]!.receiptId));
      expect(audit.map((a) => a.action).sort()).toEqual(["message.queued", "payment_link.issued"]);
    } finally {
      transport.close();
    }

    // Once done, the period can be sent again (a new send, e.g. after fixing addresses).
    expect(await startPaymentLinksSend(database.db, { period: "2031-01" })).toMatchObject({ created: true, total: 6 });
    await database.db.update(t.bulkSends).set({ status: "failed" }).where(eq(t.bulkSends.period, "2031-01"));
  });

  it("runs as the send-bulk job through the cron door, as a scheduler would call it", async () => {
    const pending = await payers(3, "2031-05", "cron");
    const { bulkSendId } = await startPaymentLinksSend(database.db, { period: "2031-05" });
    const transport = createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: undefined, APP_URL }, { academyName: demoAcademy.name });
    try {
      const secret = "cron-secret-for-the-test-0123";
      const response = await handleCronRequest(
        new Request("http://localhost/api/cron/send-bulk", { method: "POST", headers: { authorization: `Bearer ${secret}` } }),
        "send-bulk",
        {
          secret,
          db: database.db,
          jobs: { deliver: { transport } },
        },
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ job: "send-bulk", ok: true, report: { sends: 1, enqueued: 3, delivery: { sent: 3 } } });
    } finally {
      transport.close();
    }
    expect(await getBulkSendProgress(database.db, bulkSendId)).toMatchObject({ total: 3, sent: 3, status: "done" });
    expect(
      smtp.messages
        .filter((m) => m.to[0]?.startsWith("cron-"))
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(pending.map((p) => p.email).sort());
  });

  it("refuses a malformed period and a period with nothing to send", async () => {
    await expect(startPaymentLinksSend(database.db, { period: "2031-13" })).rejects.toMatchObject({ code: "invalid_period" });
    await expect(startPaymentLinksSend(database.db, { period: "2040-05" })).rejects.toMatchObject({ code: "nothing_to_send" });
  });
});

describe("a bulk send killed half-way", () => {
  const N = 1000;
  let smtp: TestSmtpServer;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await smtp.close();
  });

  function runChild(bulkSendId: string, clockOffsetMs = 0): { process: ChildProcess; exited: Promise<number | null> } {
    // node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a child process of
    // its own, which a SIGKILL to the CLI would leave running.
    const proc = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", path.resolve("scripts/testing/bulk-send-child.ts")], {
      env: { ...process.env, DATABASE_URL: databaseUrl, SMTP_URL: smtp.url, APP_URL, BULK_SEND_ID: bulkSendId, CLOCK_OFFSET_MS: String(clockOffsetMs) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      proc.on("exit", (code) => {
        if (code) console.error(stderr);
        resolve(code);
      }),
    );
    return { process: proc, exited };
  }

  it("mails each of 1,000 payers exactly once across a SIGKILL and a restart, and reaches 1000/1000", { timeout: 240_000 }, async () => {
    const all = await payers(N, "2032-03", "kill");
    const { bulkSendId, total } = await startPaymentLinksSend(database.db, { period: "2032-03" });
    expect(total).toBe(N);

    // First process: killed without warning once the SMTP server holds about half the mails.
    const first = runChild(bulkSendId);
    child = first.process;
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (smtp.messages.length >= N / 2) {
          clearInterval(timer);
          first.process.kill("SIGKILL");
          resolve();
        }
      }, 5);
      first.exited.then((code) => {
        clearInterval(timer);
        if (smtp.messages.length < N / 2) reject(new Error(`the child ended (code ${code}) before half the mails were sent`));
      });
    });
    await first.exited;
    const atKill = smtp.messages.length;
    const midway = await getBulkSendProgress(database.db, bulkSendId);
    expect(midway?.status).toBe("running");
    expect(midway!.sent).toBeLessThan(N);
    // Killed while still enqueueing too: the restart resumes both the chunks and the delivery.
    expect(midway!.enqueued).toBeLessThan(N);
    expect(atKill).toBeLessThan(N);

    // Second process: a restart. Messages the dead process had claimed are only taken back after
    // the sending lease; this process's clock is set past it rather than waiting ten minutes.
    const second = runChild(bulkSendId, sendingLeaseMs + 60_000);
    child = second.process;
    expect(await second.exited).toBe(0);

    const progress = await getBulkSendProgress(database.db, bulkSendId);
    expect(progress).toMatchObject({ total: N, sent: N, queued: 0, failed: 0, invalid: 0, enqueued: N, status: "done" });

    // Every payer: at least one mail, all of them the same message (one Message-ID, one link), and
    // that link is the receipt's live one.
    const byPayer = new Map<string, ReceivedMail[]>();
    for (const mail of smtp.messages) {
      const to = mail.to[0]!;
      byPayer.set(to, [...(byPayer.get(to) ?? []), mail]);
    }
    expect(byPayer.size).toBe(N);
    const liveLinks = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(t.paymentLinks)
      .where(
        and(
          inArray(
            t.paymentLinks.receiptId,
            all.map((p) => p.receiptId),
          ),
          isNull(t.paymentLinks.revokedAt),
        ),
      );
    expect(liveLinks[0]?.n).toBe(N);
    let copies = 0;
    for (const payer of all) {
      const mails = byPayer.get(payer.email) ?? [];
      expect(new Set(mails.map((m) => m.messageId)).size, payer.email).toBe(1);
      expect(new Set(mails.map(linkIn)).size, payer.email).toBe(1);
      copies += mails.length - 1;
    }
    // The one thing a crash can still do: a mail the server accepted in the instant before its
    // `sent` was recorded goes out again, as the same message (same Message-ID and link). At most
    // the deliverer's in-flight sends (3) can be in that window.
    expect(copies).toBeLessThanOrEqual(3);
    // One audit pair per receipt: nothing was issued twice by the restart.
    const issued = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(t.auditEvents)
      .where(
        and(
          eq(t.auditEvents.action, "payment_link.issued"),
          inArray(
            t.auditEvents.receiptId,
            all.map((p) => p.receiptId),
          ),
        ),
      );
    expect(issued[0]?.n).toBe(N);
    console.log(`bulk send crash test: ${atKill} mails before SIGKILL, ${smtp.messages.length} in all, ${copies} re-sent copies of the same message`);
  });
});
