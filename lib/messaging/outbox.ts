// The email outbox. `enqueueMessage` renders a template and stores it in the caller's transaction,
// so an email exists if and only if the change that caused it committed (a paid receipt and its
// "payment received" email land together, or neither does); its dedupe key makes the same cause
// never mail twice. `deliverDueMessages` sends what is due, from any number of workers at once,
// and records each outcome: sent, retried later with backoff, failed, or invalid address.
//
// Delivery guarantee, honestly: a message is claimed (status `sending`) in its own short statement
// before it is sent, so two deliverers never send the same claimed message. But SMTP and the
// database cannot commit together: if a deliverer dies after the server accepted a message and
// before it recorded `sent`, the claim's lease runs out and the message is sent again. That is
// at-least-once delivery with a duplicate only after a crash in that window; the re-sent copy keeps
// the same Message-ID (derived from the row id), so mail clients and servers that deduplicate by
// Message-ID show it once. A late outcome from a deliverer whose lease expired is ignored (the
// updates are fenced by the attempt number).
import "server-only";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db/client";
import {
  claimDueMessages,
  insertMessage,
  markMessageFailed,
  markMessageInvalidAddress,
  markMessageRetry,
  markMessageSent,
  requeueAbandonedMessages,
  type ClaimedMessage,
} from "@/db/queries/messages";
import { getAcademyOrProvisional } from "@/lib/settings/read";
import type { Locale } from "@/lib/i18n/config";
import { attachmentsForMessage, type AttachmentRef } from "./attachments";
import { renderTemplate, type AcademyIdentity, type MailAttachment, type TemplateData, type TemplateName } from "./templates";
import { classifySendError, messageIdDomain, type MailTransport } from "./transport";

export type EnqueueMessageInput = {
  [K in TemplateName]: {
    template: K;
    locale: Locale;
    /** One recipient address. A malformed one is stored anyway and ends as `invalid_address`, visible to staff. */
    to: string;
    data: TemplateData[K];
    /** Why this message exists, e.g. `receipt-paid:<receiptId>`: a second enqueue with it is a no-op. */
    dedupeKey: string;
    receiptId?: string;
    enrollmentId?: string;
    /** Defaults to the academy stored in settings (read in the same transaction). */
    academy?: AcademyIdentity;
    /** Not before this instant (e.g. a reminder scheduled for a date); now when omitted. */
    sendAfter?: Date;
    /** Files made and attached when the message is sent (e.g. the receipt PDF); only references are stored. */
    attachments?: AttachmentRef[];
  };
}[TemplateName];

/**
 * Renders and stores the message in `tx` (pass the caller's transaction). Returns the new
 * message's id, or undefined when a message with the same dedupe key already exists.
 */
export async function enqueueMessage(tx: DbOrTx, input: EnqueueMessageInput): Promise<string | undefined> {
  const academy = input.academy ?? (await getAcademyOrProvisional(tx));
  const rendered = renderTemplate(input.template, input.locale, input.data, academy);
  return insertMessage(tx, {
    template: input.template,
    locale: input.locale,
    toAddress: input.to.trim(),
    subject: rendered.subject,
    bodyText: rendered.text,
    bodyHtml: rendered.html,
    dedupeKey: input.dedupeKey,
    receiptId: input.receiptId,
    enrollmentId: input.enrollmentId,
    nextAttemptAt: input.sendAfter,
    attachments: input.attachments,
  });
}

const MINUTE = 60_000;

/** Waits after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final. */
export const retryDelaysMs: readonly number[] = [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE];
export const maxAttempts = retryDelaysMs.length + 1;
/** How long a claimed message may stay `sending` before it is taken as abandoned and re-queued. */
export const sendingLeaseMs = 10 * MINUTE;

export type DeliveryOptions = {
  transport: MailTransport;
  /** A controlled clock (tests): what "due" means and when retries fall. The database's clock when omitted. */
  now?: Date;
  /** Most messages this call handles (it claims them in batches until none are due). */
  limit?: number;
  /** Messages claimed per round trip; small batches spread the work over concurrent deliverers. */
  batchSize?: number;
  /** Messages sent in parallel by this deliverer. */
  concurrency?: number;
  /**
   * Files to attach, computed at send time (the outbox stores no file contents): e.g. the receipt
   * PDF for `payment_received`. A throw counts as a temporary failure. By default, the files the
   * message's stored references name (see attachments.ts).
   */
  attachmentsFor?: (message: ClaimedMessage) => Promise<MailAttachment[] | undefined>;
};

export type DeliveryReport = { sent: number; retried: number; failed: number; invalid: number };

const emailAddress = z.email();

/**
 * Sends the due messages. Safe to run on several workers or instances at once: each message is
 * claimed by exactly one of them (SELECT … FOR UPDATE SKIP LOCKED in one short statement).
 */
export async function deliverDueMessages(db: Db, options: DeliveryOptions): Promise<DeliveryReport> {
  const { now } = options;
  const limit = options.limit ?? 200;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 10, limit));
  const concurrency = Math.max(1, options.concurrency ?? 3);
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, invalid: 0 };

  await requeueAbandonedMessages(db, { now, maxAttempts });

  let handled = 0;
  while (handled < limit) {
    const batch = await claimDueMessages(db, { now, limit: Math.min(batchSize, limit - handled), leaseMs: sendingLeaseMs });
    if (batch.length === 0) break;
    handled += batch.length;
    await forEachLimited(batch, concurrency, async (message) => {
      const outcome = await deliverOne(db, message, options);
      report[outcome] += 1;
    });
  }
  return report;
}

type Outcome = keyof DeliveryReport;

async function deliverOne(db: Db, message: ClaimedMessage, options: DeliveryOptions): Promise<Outcome> {
  const claim = { id: message.id, attempt: message.attempts };
  if (!emailAddress.safeParse(message.toAddress).success) {
    await markMessageInvalidAddress(db, { ...claim, error: `not a valid email address: ${JSON.stringify(message.toAddress)}` });
    return "invalid";
  }
  const { transport, now } = options;
  try {
    const attachments = options.attachmentsFor ? await options.attachmentsFor(message) : await attachmentsForMessage(db, message.id);
    const result = await transport.send({
      from: transport.from,
      to: message.toAddress,
      subject: message.subject,
      text: message.bodyText,
      html: message.bodyHtml ?? undefined,
      messageId: `<${message.id}@${messageIdDomain(transport.from)}>`,
      attachments,
    });
    await markMessageSent(db, { ...claim, now, smtpMessageId: result.messageId, note: result.note });
    return "sent";
  } catch (error) {
    const failure = classifySendError(error);
    if (failure.kind === "invalid_address") {
      await markMessageInvalidAddress(db, { ...claim, error: failure.message });
      return "invalid";
    }
    if (failure.kind === "permanent" || message.attempts >= maxAttempts) {
      await markMessageFailed(db, { ...claim, error: failure.message });
      return "failed";
    }
    const delayMs = retryDelaysMs[message.attempts - 1] ?? retryDelaysMs[retryDelaysMs.length - 1]!;
    await markMessageRetry(db, { ...claim, now, delayMs, error: failure.message });
    return "retried";
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
