// Data access for bulk sends (a month's payment links) and the dashboard's mail pages: which
// receipts a send still has to mail, the send's progress counted from its messages, and the
// message list with filters and keyset pages.
//
// Progress is never a counter the job keeps: it is counted from `messages.bulk_send_id` and each
// message's status, so a job that died and a job that resumed agree on it by construction.
import "server-only";
import { and, asc, desc, eq, ilike, inArray, isNull, lt, lte, notExists, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { auditEvents, bulkSends, messages, paymentLinks, receipts, students } from "@/db/schema";

export type MessageStatus = (typeof messages.status.enumValues)[number];
export const messageStatuses = messages.status.enumValues;
export type BulkSendStatus = "queued" | "running" | "done" | "failed";

export type BulkSendRow = {
  id: string;
  kind: string;
  period: string | null;
  status: BulkSendStatus;
  total: number;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  lastError: string | null;
};

const bulkSendColumns = {
  id: bulkSends.id,
  kind: bulkSends.kind,
  period: bulkSends.period,
  status: sql<BulkSendStatus>`${bulkSends.status}`,
  total: bulkSends.total,
  createdBy: bulkSends.createdBy,
  createdAt: bulkSends.createdAt,
  startedAt: bulkSends.startedAt,
  finishedAt: bulkSends.finishedAt,
  lastError: bulkSends.lastError,
};

/** The receipts a payment-links send for `period` is about: pending monthly receipts of that month. */
function pendingMonthly(period: string): SQL {
  return and(eq(receipts.kind, "monthly"), eq(receipts.period, period), eq(receipts.status, "pending"))!;
}

export async function countPendingMonthlyReceipts(db: DbOrTx, period: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(receipts)
    .where(pendingMonthly(period));
  return row?.n ?? 0;
}

/** Serialises starting sends for one period (two clicks at once make one send), until commit. */
export async function lockBulkSendPeriod(tx: DbOrTx, kind: string, period: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`bulk-send:${kind}:${period}`}))`);
}

export async function findOpenBulkSend(db: DbOrTx, kind: string, period: string): Promise<BulkSendRow | undefined> {
  const [row] = await db
    .select(bulkSendColumns)
    .from(bulkSends)
    .where(and(eq(bulkSends.kind, kind), eq(bulkSends.period, period), inArray(bulkSends.status, ["queued", "running"])))
    .orderBy(desc(bulkSends.createdAt))
    .limit(1);
  return row;
}

export async function insertBulkSend(db: DbOrTx, values: { kind: string; period: string; total: number; createdBy?: string }): Promise<BulkSendRow> {
  const [row] = await db
    .insert(bulkSends)
    .values({ kind: values.kind, period: values.period, total: values.total, createdBy: values.createdBy ?? null, status: "queued" })
    .returning(bulkSendColumns);
  return row!;
}

/** Locks the send's row until commit: enqueuers of one send take turns, so a receipt is taken once. */
export async function lockBulkSend(tx: DbOrTx, id: string): Promise<BulkSendRow | undefined> {
  const [row] = await tx.select(bulkSendColumns).from(bulkSends).where(eq(bulkSends.id, id)).for("update");
  return row;
}

export async function getBulkSend(db: DbOrTx, id: string): Promise<BulkSendRow | undefined> {
  const [row] = await db.select(bulkSendColumns).from(bulkSends).where(eq(bulkSends.id, id));
  return row;
}

export async function listOpenBulkSendIds(db: DbOrTx): Promise<string[]> {
  const rows = await db
    .select({ id: bulkSends.id })
    .from(bulkSends)
    .where(inArray(bulkSends.status, ["queued", "running"]))
    .orderBy(asc(bulkSends.createdAt));
  return rows.map((r) => r.id);
}

export async function updateBulkSend(
  db: DbOrTx,
  id: string,
  values: Partial<{ status: BulkSendStatus; total: number; finishedAt: Date; lastError: string | null }>,
): Promise<void> {
  await db.update(bulkSends).set(values).where(eq(bulkSends.id, id));
}

/** A queued send starts running; a send resumed after a crash keeps the time it first started. */
export async function markBulkSendRunning(tx: DbOrTx, id: string): Promise<void> {
  await tx
    .update(bulkSends)
    .set({ status: "running", startedAt: sql`coalesce(${bulkSends.startedAt}, now())` })
    .where(eq(bulkSends.id, id));
}

export type BulkSendCandidate = {
  receiptId: string;
  concept: string;
  amount: number;
  currency: string;
  dueDate: string;
  payerName: string;
  payerEmail: string;
  locale: string;
};

/**
 * The next receipts of the send still without a message of this send (so a resumed job starts
 * where the last commit left off), oldest issued first. Receipts issued after the send started,
 * or paid or cancelled meanwhile, are not taken.
 */
export async function nextBulkSendReceipts(db: DbOrTx, send: { id: string; period: string }, limit: number): Promise<BulkSendCandidate[]> {
  return db
    .select({
      receiptId: receipts.id,
      concept: receipts.concept,
      amount: receipts.amount,
      currency: receipts.currency,
      dueDate: receipts.dueDate,
      payerName: receipts.payerName,
      payerEmail: receipts.payerEmail,
      locale: students.locale,
    })
    .from(receipts)
    .innerJoin(students, eq(students.id, receipts.studentId))
    .where(
      and(
        pendingMonthly(send.period),
        // Compared with the stored timestamp itself: a JS Date keeps milliseconds only, and a
        // receipt issued in the same millisecond as the send (microseconds later) would be missed.
        lte(receipts.issuedAt, sql`(select ${bulkSends.createdAt} from ${bulkSends} where ${bulkSends.id} = ${send.id})`),
        notExists(
          db
            .select({ one: sql`1` })
            .from(messages)
            .where(and(eq(messages.bulkSendId, send.id), eq(messages.receiptId, receipts.id))),
        ),
      ),
    )
    .orderBy(asc(receipts.issuedAt), asc(receipts.id))
    .limit(limit);
}

/** Revokes the live links of these receipts (one statement) and stores the new ones (one statement). */
export async function replacePaymentLinks(tx: DbOrTx, links: { receiptId: string; tokenHash: string; expiresAt: Date }[], now: Date): Promise<void> {
  if (links.length === 0) return;
  await tx
    .update(paymentLinks)
    .set({ revokedAt: now })
    .where(
      and(
        inArray(
          paymentLinks.receiptId,
          links.map((l) => l.receiptId),
        ),
        isNull(paymentLinks.revokedAt),
      ),
    );
  await tx.insert(paymentLinks).values(links);
}

export type NewBulkMessage = {
  template: string;
  locale: string;
  toAddress: string;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  dedupeKey: string;
  receiptId: string;
  bulkSendId: string;
};

/** Inserts a chunk of messages in one statement; a dedupe key already stored is skipped. Returns the new ids by receipt. */
export async function insertBulkMessages(tx: DbOrTx, rows: NewBulkMessage[]): Promise<{ id: string; receiptId: string | null }[]> {
  if (rows.length === 0) return [];
  return tx.insert(messages).values(rows).onConflictDoNothing({ target: messages.dedupeKey }).returning({ id: messages.id, receiptId: messages.receiptId });
}

export async function insertAuditLines(
  tx: DbOrTx,
  rows: { action: string; receiptId: string; staffUserId?: string | null; data: Record<string, unknown> }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insert(auditEvents)
    .values(rows.map((r) => ({ source: "system" as const, action: r.action, receiptId: r.receiptId, staffUserId: r.staffUserId ?? null, data: r.data })));
}

export type BulkSendProgress = {
  total: number;
  /** Accepted by the SMTP server (or stored, without SMTP). */
  sent: number;
  failed: number;
  invalid: number;
  /** Waiting, retrying later, or being sent right now. */
  queued: number;
  /** Messages of the send so far (queued or done). */
  enqueued: number;
};

export async function bulkSendCounts(db: DbOrTx, bulkSendId: string): Promise<Omit<BulkSendProgress, "total">> {
  const rows = await db
    .select({ status: messages.status, n: sql<number>`count(*)::int` })
    .from(messages)
    .where(eq(messages.bulkSendId, bulkSendId))
    .groupBy(messages.status);
  const by = (s: MessageStatus) => rows.find((r) => r.status === s)?.n ?? 0;
  const sent = by("sent");
  const failed = by("failed");
  const invalid = by("invalid_address");
  const queued = by("queued") + by("sending");
  return { sent, failed, invalid, queued, enqueued: sent + failed + invalid + queued };
}

export type BulkSendListItem = BulkSendRow & Omit<BulkSendProgress, "total">;

/** Past and current sends, newest first, each with its counts (one grouped query). */
export async function listBulkSends(db: DbOrTx, limit = 20): Promise<BulkSendListItem[]> {
  const sends = await db.select(bulkSendColumns).from(bulkSends).orderBy(desc(bulkSends.createdAt), desc(bulkSends.id)).limit(limit);
  if (sends.length === 0) return [];
  const counts = await db
    .select({ bulkSendId: messages.bulkSendId, status: messages.status, n: sql<number>`count(*)::int` })
    .from(messages)
    .where(
      inArray(
        messages.bulkSendId,
        sends.map((s) => s.id),
      ),
    )
    .groupBy(messages.bulkSendId, messages.status);
  return sends.map((send) => {
    const by = (s: MessageStatus) => counts.find((c) => c.bulkSendId === send.id && c.status === s)?.n ?? 0;
    const sent = by("sent");
    const failed = by("failed");
    const invalid = by("invalid_address");
    const queued = by("queued") + by("sending");
    return { ...send, sent, failed, invalid, queued, enqueued: sent + failed + invalid + queued };
  });
}

// ---------------------------------------------------------------------------------------------
// The message list.

export type MessageListFilters = {
  status?: MessageStatus;
  template?: string;
  /** Part of the recipient's address (case-insensitive). */
  q?: string;
  bulkSendId?: string;
  /**
   * Keyset cursor: the (created_at, id) of the last row of the previous page. created_at travels
   * as PostgreSQL's own text (microseconds): a JavaScript Date would cut it to milliseconds and
   * skip rows stored in the same statement (a bulk send's chunk shares one now()).
   */
  after?: { at: string; id: string };
  limit?: number;
};

export type MessageListItem = {
  id: string;
  template: string;
  toAddress: string;
  subject: string;
  status: MessageStatus;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
  receiptId: string | null;
  /** created_at as PostgreSQL prints it, for the next page's cursor. */
  cursorAt: string;
};

/** Newest first; `limit + 1` rows are read so the caller knows whether a next page exists. */
export async function listMessages(db: DbOrTx, filters: MessageListFilters): Promise<{ rows: MessageListItem[]; hasMore: boolean }> {
  const limit = filters.limit ?? 50;
  const where: SQL[] = [];
  if (filters.status) where.push(eq(messages.status, filters.status));
  if (filters.template) where.push(eq(messages.template, filters.template));
  if (filters.bulkSendId) where.push(eq(messages.bulkSendId, filters.bulkSendId));
  if (filters.q) where.push(ilike(messages.toAddress, `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (filters.after) {
    const at = filters.after.at;
    where.push(or(lt(messages.createdAt, sql`${at}::timestamptz`), and(eq(messages.createdAt, sql`${at}::timestamptz`), lt(messages.id, filters.after.id)))!);
  }
  const rows = await db
    .select({
      id: messages.id,
      template: messages.template,
      toAddress: messages.toAddress,
      subject: messages.subject,
      status: messages.status,
      attempts: messages.attempts,
      createdAt: messages.createdAt,
      sentAt: messages.sentAt,
      receiptId: messages.receiptId,
      cursorAt: sql<string>`${messages.createdAt}::text`,
    })
    .from(messages)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1);
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** The templates that appear in the outbox, for the filter's choices. */
export async function listMessageTemplates(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectDistinct({ template: messages.template }).from(messages).orderBy(asc(messages.template));
  return rows.map((r) => r.template);
}

/** One message for its page, with its bulk send. */
export async function getMessageDetail(db: DbOrTx, id: string) {
  const [row] = await db
    .select({
      id: messages.id,
      template: messages.template,
      locale: messages.locale,
      toAddress: messages.toAddress,
      subject: messages.subject,
      bodyText: messages.bodyText,
      status: messages.status,
      attempts: messages.attempts,
      nextAttemptAt: messages.nextAttemptAt,
      lastError: messages.lastError,
      deliveryNote: messages.deliveryNote,
      smtpMessageId: messages.smtpMessageId,
      createdAt: messages.createdAt,
      sentAt: messages.sentAt,
      receiptId: messages.receiptId,
      receiptNumber: receipts.number,
      bulkSendId: messages.bulkSendId,
    })
    .from(messages)
    .leftJoin(receipts, eq(receipts.id, messages.receiptId))
    .where(eq(messages.id, id));
  return row;
}
