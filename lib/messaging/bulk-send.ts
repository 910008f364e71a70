// Bulk sends: a month's payment links mailed to every payer as one job with a progress bar.
//
// `startPaymentLinksSend` records the send (a `bulk_sends` row whose total is the pending monthly
// receipts of the period); the caller then nudges the `send-bulk` job (the scheduled sweep picks
// it up within a minute anyway, also in cron mode). `runBulkSend` is what the job does: in chunks,
// each in one transaction holding the send's row lock, it takes the receipts that have no message
// of this send yet, issues a fresh link for each and stores their emails in the outbox (two
// set-based statements per chunk), then lets the outbox deliver what is due.
//
// Resuming is the same code as starting. The "what is left" question is answered from the
// messages themselves (no cursor to get out of step), a chunk's links and emails commit together
// (a crash leaves neither: the payer never gets a link that was revoked by a later chunk), and
// each email's dedupe key is `bulk-send:<send>:<receipt>`, so nothing is enqueued twice. Delivery
// continues from the outbox. For what a crash in the middle of an SMTP conversation can still
// do, see README.md ("Bulk sends").
import "server-only";
import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import {
  bulkSendCounts,
  countPendingMonthlyReceipts,
  findOpenBulkSend,
  getBulkSend,
  insertAuditLines,
  insertBulkMessages,
  insertBulkSend,
  listOpenBulkSendIds,
  lockBulkSend,
  lockBulkSendPeriod,
  markBulkSendRunning,
  nextBulkSendReceipts,
  replacePaymentLinks,
  updateBulkSend,
  type BulkSendProgress,
  type BulkSendStatus,
} from "@/db/queries/messages-dashboard";
import { recordAudit } from "@/db/queries/audit";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { hashLinkToken, paymentUrl } from "@/lib/receipts/payment-links";
import { getAcademyOrProvisional } from "@/lib/settings/read";
import { deliverDueMessages, type DeliveryReport } from "./outbox";
import { renderTemplate } from "./templates";
import type { MailTransport } from "./transport";
import { AppError } from "@/lib/errors";

export const paymentLinksKind = "payment_links";
const periodPattern = /^\d{4}-(0[1-9]|1[0-2])$/;
/** As in payment-links.ts: a link lives this long after the receipt's due date. */
const LINK_DAYS_AFTER_DUE = 90;

export class BulkSendError extends AppError<"invalid_period" | "nothing_to_send"> {
  constructor(code: "invalid_period" | "nothing_to_send", message: string) {
    super(code, message);
    this.name = "BulkSendError";
  }
}

export type StartedBulkSend = {
  bulkSendId: string;
  total: number;
  /** false: a send for this period was already open and is returned instead. */ created: boolean;
};

/**
 * Records a payment-links send for the pending monthly receipts of `period`. A send for the same
 * period still queued or running is returned instead of a second one (two clicks, two staff).
 */
export async function startPaymentLinksSend(db: Db, params: { period: string; staffUserId?: string }): Promise<StartedBulkSend> {
  if (!periodPattern.test(params.period)) throw new BulkSendError("invalid_period", `not a YYYY-MM period: ${JSON.stringify(params.period)}`);
  return db.transaction(async (tx) => {
    await lockBulkSendPeriod(tx, paymentLinksKind, params.period);
    const open = await findOpenBulkSend(tx, paymentLinksKind, params.period);
    if (open) return { bulkSendId: open.id, total: open.total, created: false };
    const total = await countPendingMonthlyReceipts(tx, params.period);
    if (total === 0) throw new BulkSendError("nothing_to_send", `no pending monthly receipts for ${params.period}`);
    const send = await insertBulkSend(tx, { kind: paymentLinksKind, period: params.period, total, createdBy: params.staffUserId });
    await recordAudit(tx, {
      source: params.staffUserId ? "staff" : "system",
      action: "bulk_send.started",
      staffUserId: params.staffUserId ?? null,
      data: { bulkSendId: send.id, kind: paymentLinksKind, period: params.period, total },
    });
    return { bulkSendId: send.id, total, created: true };
  });
}

export type RunBulkSendOptions = {
  /** Sends the emails; without one the run only enqueues (another deliverer sends). */
  transport?: MailTransport;
  /** Receipts per transaction. */
  chunkSize?: number;
  /** A controlled clock for delivery (tests); see deliverDueMessages. */
  now?: Date;
  /** Delivery tuning passed to the outbox. */
  concurrency?: number;
};

export type BulkSendRunReport = { enqueued: number; delivery: DeliveryReport; status: BulkSendStatus };

/**
 * Works one send until everything is enqueued and every due message had its try. Safe to run
 * again at any time, from any process: it resumes where the database stands.
 */
export async function runBulkSend(db: Db, bulkSendId: string, options: RunBulkSendOptions = {}): Promise<BulkSendRunReport> {
  const chunkSize = Math.max(1, options.chunkSize ?? 100);
  const delivery: DeliveryReport = { sent: 0, retried: 0, failed: 0, invalid: 0 };
  let enqueued = 0;

  const deliver = async () => {
    if (!options.transport) return;
    const report = await deliverDueMessages(db, {
      transport: options.transport,
      now: options.now,
      limit: chunkSize,
      batchSize: 10,
      concurrency: options.concurrency,
    });
    for (const key of Object.keys(delivery) as (keyof DeliveryReport)[]) delivery[key] += report[key];
  };

  for (;;) {
    const step = await enqueueNextChunk(db, bulkSendId, chunkSize);
    if (step.kind === "closed") return { enqueued, delivery, status: step.status };
    enqueued += step.count;
    // Interleaved: the first payers get their email while later chunks are still being prepared.
    await deliver();
    if (step.kind === "complete") break;
  }
  // Everything is in the outbox: deliver what is due until nothing due is left for now.
  for (;;) {
    const before = delivery.sent + delivery.retried + delivery.failed + delivery.invalid;
    await deliver();
    if (delivery.sent + delivery.retried + delivery.failed + delivery.invalid === before) break;
  }
  const status = await finishIfDelivered(db, bulkSendId);
  return { enqueued, delivery, status };
}

type ChunkStep = { kind: "closed"; status: BulkSendStatus } | { kind: "more" | "complete"; count: number };

async function enqueueNextChunk(db: Db, bulkSendId: string, chunkSize: number): Promise<ChunkStep> {
  return db.transaction(async (tx) => {
    const send = await lockBulkSend(tx, bulkSendId);
    if (!send) throw new Error(`no bulk send ${bulkSendId}`);
    if (send.status === "done" || send.status === "failed") return { kind: "closed", status: send.status };
    if (send.kind !== paymentLinksKind || !send.period) {
      await updateBulkSend(tx, send.id, { status: "failed", finishedAt: new Date(), lastError: `unknown bulk send kind ${send.kind}` });
      return { kind: "closed", status: "failed" };
    }
    if (send.status === "queued") await markBulkSendRunning(tx, send.id);

    const batch = await nextBulkSendReceipts(tx, { id: send.id, period: send.period }, chunkSize);
    if (batch.length === 0) {
      // Receipts paid or cancelled before their turn are not mailed: the total becomes what was sent.
      const counts = await bulkSendCounts(tx, send.id);
      if (counts.enqueued !== send.total) await updateBulkSend(tx, send.id, { total: counts.enqueued });
      return { kind: "complete", count: 0 };
    }

    const academy = await getAcademyOrProvisional(tx);
    const now = new Date();
    const links = batch.map((r) => {
      const token = randomBytes(32).toString("base64url");
      const expiresAt = new Date(Date.parse(`${r.dueDate}T23:59:59Z`) + LINK_DAYS_AFTER_DUE * 86_400_000);
      return { receipt: r, token, tokenHash: hashLinkToken(token), expiresAt };
    });
    await replacePaymentLinks(
      tx,
      links.map((l) => ({ receiptId: l.receipt.receiptId, tokenHash: l.tokenHash, expiresAt: l.expiresAt })),
      now,
    );
    const rows = links.map(({ receipt: r, token, expiresAt }) => {
      const locale = isLocale(r.locale) ? r.locale : defaultLocale;
      const mail = renderTemplate(
        "payment_link",
        locale,
        {
          recipientName: r.payerName,
          concept: r.concept,
          amount: r.amount,
          currency: r.currency,
          dueDate: r.dueDate,
          link: paymentUrl(token),
          linkExpiresAt: expiresAt,
        },
        academy,
      );
      return {
        template: "payment_link",
        locale,
        toAddress: r.payerEmail.trim(),
        subject: mail.subject,
        bodyText: mail.text,
        bodyHtml: mail.html,
        dedupeKey: `bulk-send:${send.id}:${r.receiptId}`,
        receiptId: r.receiptId,
        bulkSendId: send.id,
      };
    });
    const inserted = await insertBulkMessages(tx, rows);
    await insertAuditLines(
      tx,
      links.flatMap(({ receipt: r, tokenHash, expiresAt }) => {
        const messageId = inserted.find((m) => m.receiptId === r.receiptId)?.id;
        return [
          {
            action: "payment_link.issued",
            receiptId: r.receiptId,
            data: { expiresAt: expiresAt.toISOString(), linkKey: tokenHash.slice(0, 24), bulkSendId: send.id },
          },
          ...(messageId ? [{ action: "message.queued", receiptId: r.receiptId, data: { template: "payment_link", messageId, bulkSendId: send.id } }] : []),
        ];
      }),
    );
    // "complete" only comes from an empty batch, which also settles the total.
    return { kind: "more", count: inserted.length };
  });
}

/** Marks the send done once all of it is enqueued and no message is waiting or being sent. */
async function finishIfDelivered(db: Db, bulkSendId: string): Promise<BulkSendStatus> {
  return db.transaction(async (tx) => {
    const send = await lockBulkSend(tx, bulkSendId);
    if (!send) throw new Error(`no bulk send ${bulkSendId}`);
    if (send.status !== "running") return send.status;
    const counts = await bulkSendCounts(tx, send.id);
    if (counts.queued > 0 || counts.enqueued < send.total) return send.status;
    await updateBulkSend(tx, send.id, { status: "done", finishedAt: new Date() });
    return "done";
  });
}

/** The job: works every open send (queued or running), oldest first. */
export async function runBulkSends(
  db: Db,
  options: RunBulkSendOptions = {},
): Promise<{ sends: number; enqueued: number; delivery: DeliveryReport; errors: number }> {
  const report = { sends: 0, enqueued: 0, delivery: { sent: 0, retried: 0, failed: 0, invalid: 0 } as DeliveryReport, errors: 0 };
  for (const id of await listOpenBulkSendIds(db)) {
    report.sends += 1;
    try {
      const run = await runBulkSend(db, id, options);
      report.enqueued += run.enqueued;
      for (const key of Object.keys(report.delivery) as (keyof DeliveryReport)[]) report.delivery[key] += run.delivery[key];
    } catch (error) {
      report.errors += 1;
      await updateBulkSend(db, id, { lastError: (error instanceof Error ? error.message : String(error)).slice(0, 1000) }).catch(() => {});
      console.error(`Bulk send ${id} failed this run (it resumes on the next):`, error);
    }
  }
  return report;
}

/** Progress for the progress bar: counted from the send's messages. */
export async function getBulkSendProgress(
  db: Db,
  bulkSendId: string,
): Promise<(BulkSendProgress & { status: BulkSendStatus; period: string | null }) | undefined> {
  const send = await getBulkSend(db, bulkSendId);
  if (!send) return undefined;
  const counts = await bulkSendCounts(db, bulkSendId);
  return { ...counts, total: send.total, status: send.status, period: send.period };
}
