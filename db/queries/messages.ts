// Data access for the email outbox (`messages`): insert once per dedupe key, claim due messages
// with SKIP LOCKED so any number of deliverers share the queue, and record each outcome.
//
// Every outcome update is fenced by (status = 'sending', attempts = the claimed attempt): if a
// deliverer was presumed dead and its message re-claimed by another, the late writer changes
// nothing and learns so from the `false` it gets back.
import "server-only";
import { and, asc, eq, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { messages } from "@/db/schema";
import type { paymentMethod } from "@/db/schema/enums";

export type MessageStatus = (typeof messages.status.enumValues)[number];
/** How a payment was made, as the e-mails and the receipt PDF name it. */
export type PaymentMethod = (typeof paymentMethod.enumValues)[number];

/**
 * "Now" for the outbox: the caller's clock when given (tests, a controlled clock), else the
 * database's. One clock for every instance avoids app-server skew, and matches the default of
 * next_attempt_at (now(), microseconds) which a JavaScript Date (milliseconds) taken a moment
 * later could still precede.
 */
function at(now: Date | undefined): SQL {
  return now ? sql`${now.toISOString()}::timestamptz` : sql`now()`;
}

function later(now: Date | undefined, ms: number): SQL {
  return sql`${at(now)} + make_interval(secs => ${ms}::double precision / 1000)`;
}

export type NewMessage = {
  template: string;
  locale: string;
  toAddress: string;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  dedupeKey: string;
  receiptId?: string | null;
  enrollmentId?: string | null;
  /** When the message becomes due; the database's now() when omitted. */
  nextAttemptAt?: Date;
  /** References to files made at send time (e.g. the receipt PDF), never the files. */
  attachments?: readonly Record<string, unknown>[];
};

/** Inserts the message unless one with the same dedupe key exists; the new id, or undefined for a duplicate. */
export async function insertMessage(db: DbOrTx, values: NewMessage): Promise<string | undefined> {
  const [row] = await db
    .insert(messages)
    .values({
      template: values.template,
      locale: values.locale,
      toAddress: values.toAddress,
      subject: values.subject,
      bodyText: values.bodyText,
      bodyHtml: values.bodyHtml,
      dedupeKey: values.dedupeKey,
      receiptId: values.receiptId ?? null,
      enrollmentId: values.enrollmentId ?? null,
      ...(values.nextAttemptAt ? { nextAttemptAt: values.nextAttemptAt } : {}),
      ...(values.attachments?.length ? { attachments: values.attachments } : {}),
    })
    .onConflictDoNothing({ target: messages.dedupeKey })
    .returning({ id: messages.id });
  return row?.id;
}

export type ClaimedMessage = {
  id: string;
  template: string;
  locale: string;
  toAddress: string;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  receiptId: string | null;
  enrollmentId: string | null;
  /** This claim's attempt number (1 for the first try); pass it back to the mark* functions. */
  attempts: number;
};

/**
 * Moves up to `limit` due queued messages to `sending` and returns them, in one statement (so in
 * one short transaction of its own). Rows another deliverer is claiming at this instant are
 * skipped, not waited for. While `sending`, next_attempt_at holds the lease's end: a row still
 * `sending` after it is taken as abandoned (see requeueAbandonedMessages).
 */
export async function claimDueMessages(db: DbOrTx, params: { now?: Date; limit: number; leaseMs: number }): Promise<ClaimedMessage[]> {
  const due = db.$with("due").as(
    db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.status, "queued"), lte(messages.nextAttemptAt, at(params.now))))
      .orderBy(asc(messages.nextAttemptAt))
      .limit(params.limit)
      .for("update", { skipLocked: true }),
  );
  return db
    .with(due)
    .update(messages)
    .set({ status: "sending", attempts: sql`${messages.attempts} + 1`, nextAttemptAt: later(params.now, params.leaseMs) })
    .where(inArray(messages.id, db.select({ id: due.id }).from(due)))
    .returning({
      id: messages.id,
      template: messages.template,
      locale: messages.locale,
      toAddress: messages.toAddress,
      subject: messages.subject,
      bodyText: messages.bodyText,
      bodyHtml: messages.bodyHtml,
      receiptId: messages.receiptId,
      enrollmentId: messages.enrollmentId,
      attempts: messages.attempts,
    });
}

/**
 * Messages left `sending` past their lease (their deliverer crashed or hung) go back to the queue,
 * or to `failed` once they have used every attempt. Returns how many were touched.
 */
export async function requeueAbandonedMessages(db: DbOrTx, params: { now?: Date; maxAttempts: number }): Promise<number> {
  const rows = await db
    .update(messages)
    .set({
      status: sql`case when ${messages.attempts} >= ${params.maxAttempts} then 'failed'::message_status else 'queued'::message_status end`,
      lastError: "abandoned while sending (the deliverer stopped before recording the outcome)",
    })
    .where(and(eq(messages.status, "sending"), lte(messages.nextAttemptAt, at(params.now))))
    .returning({ id: messages.id });
  return rows.length;
}

type Claim = { id: string; attempt: number };

function claimed(claim: Claim) {
  return and(eq(messages.id, claim.id), eq(messages.status, "sending"), eq(messages.attempts, claim.attempt));
}

/** The SMTP server accepted it (or, without SMTP, it was stored only: `note` says so). */
export async function markMessageSent(db: DbOrTx, params: Claim & { now?: Date; smtpMessageId: string | null; note?: string }): Promise<boolean> {
  const rows = await db
    .update(messages)
    .set({
      status: "sent",
      sentAt: at(params.now),
      smtpMessageId: params.smtpMessageId,
      lastError: null,
      deliveryNote: params.note ?? null,
    })
    .where(claimed(params))
    .returning({ id: messages.id });
  return rows.length > 0;
}

/** A temporary failure: try again `delayMs` from now. */
export async function markMessageRetry(db: DbOrTx, params: Claim & { now?: Date; delayMs: number; error: string }): Promise<boolean> {
  const rows = await db
    .update(messages)
    .set({ status: "queued", nextAttemptAt: later(params.now, params.delayMs), lastError: params.error })
    .where(claimed(params))
    .returning({ id: messages.id });
  return rows.length > 0;
}

/** Given up: a permanent failure, or every attempt used. */
export async function markMessageFailed(db: DbOrTx, params: Claim & { error: string }): Promise<boolean> {
  const rows = await db.update(messages).set({ status: "failed", lastError: params.error }).where(claimed(params)).returning({ id: messages.id });
  return rows.length > 0;
}

/** The address is malformed or the server refused the recipient for good: never retried. */
export async function markMessageInvalidAddress(db: DbOrTx, params: Claim & { error: string }): Promise<boolean> {
  const rows = await db.update(messages).set({ status: "invalid_address", lastError: params.error }).where(claimed(params)).returning({ id: messages.id });
  return rows.length > 0;
}

/**
 * Staff's "send again" for a failed or invalid-address message (e.g. after the payer's address was
 * corrected): back to the queue with its attempts reset, optionally to a new address.
 */
export async function requeueMessage(db: DbOrTx, params: { id: string; now?: Date; toAddress?: string }): Promise<boolean> {
  const rows = await db
    .update(messages)
    .set({
      status: "queued",
      attempts: 0,
      nextAttemptAt: at(params.now),
      lastError: null,
      ...(params.toAddress ? { toAddress: params.toAddress } : {}),
    })
    .where(and(eq(messages.id, params.id), inArray(messages.status, ["failed", "invalid_address"])))
    .returning({ id: messages.id });
  return rows.length > 0;
}

export type MessageSummary = {
  id: string;
  template: string;
  locale: string;
  toAddress: string;
  subject: string;
  status: MessageStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  deliveryNote: string | null;
  smtpMessageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
};

const summaryColumns = {
  id: messages.id,
  template: messages.template,
  locale: messages.locale,
  toAddress: messages.toAddress,
  subject: messages.subject,
  status: messages.status,
  attempts: messages.attempts,
  nextAttemptAt: messages.nextAttemptAt,
  lastError: messages.lastError,
  deliveryNote: messages.deliveryNote,
  smtpMessageId: messages.smtpMessageId,
  createdAt: messages.createdAt,
  sentAt: messages.sentAt,
};

/** The receipt's emails and their delivery status, oldest first (the receipt's timeline). */
export async function listMessagesForReceipt(db: DbOrTx, receiptId: string): Promise<MessageSummary[]> {
  return db.select(summaryColumns).from(messages).where(eq(messages.receiptId, receiptId)).orderBy(asc(messages.createdAt), asc(messages.id));
}

/** One message with its stored bodies: what the dashboard shows when no SMTP server is configured. */
export async function getMessage(
  db: DbOrTx,
  id: string,
): Promise<
  (MessageSummary & { bodyText: string; bodyHtml: string | null; dedupeKey: string; receiptId: string | null; enrollmentId: string | null }) | undefined
> {
  const [row] = await db
    .select({
      ...summaryColumns,
      bodyText: messages.bodyText,
      bodyHtml: messages.bodyHtml,
      dedupeKey: messages.dedupeKey,
      receiptId: messages.receiptId,
      enrollmentId: messages.enrollmentId,
    })
    .from(messages)
    .where(eq(messages.id, id));
  return row;
}

/** One message by its dedupe key (e.g. to show whether `receipt-paid:<id>` went out). */
export async function getMessageIdByDedupeKey(db: DbOrTx, dedupeKey: string): Promise<string | undefined> {
  const [row] = await db.select({ id: messages.id }).from(messages).where(eq(messages.dedupeKey, dedupeKey));
  return row?.id;
}
