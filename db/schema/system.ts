// Messages (email outbox), the audit trail, API keys, settings, campus accounts and outgoing webhooks.
import { sql } from "drizzle-orm";
import { bigserial, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { enrollments } from "./courses";
import { auditSource, campusProvider, campusStatus, deliveryStatus, messageStatus } from "./enums";
import { staffUsers, students } from "./people";
import { paymentAttempts } from "./payments";
import { receipts } from "./receipts";

export const messages = pgTable(
  "messages",
  {
    id: uuid().primaryKey().defaultRandom(),
    template: text().notNull(),
    locale: text().notNull().default("es"),
    toAddress: text().notNull(),
    subject: text().notNull(),
    bodyText: text().notNull(),
    bodyHtml: text(),
    receiptId: uuid().references(() => receipts.id),
    enrollmentId: uuid().references(() => enrollments.id),
    /** Why this message exists (e.g. receipt-paid:<id>): the same cause never mails twice. */
    dedupeKey: text().notNull().unique(),
    status: messageStatus().notNull().default("queued"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    /** Why a message counts as delivered without SMTP (e.g. stored only: no SMTP_URL). */
    deliveryNote: text(),
    /** The bulk send (e.g. a month's payment links) this message belongs to, for its progress bar. */
    bulkSendId: uuid().references(() => bulkSends.id),
    /** References to what is attached at send time (e.g. { kind: "receipt_pdf", receiptId }), never file bytes. */
    attachments: jsonb().notNull().default([]),
    smtpMessageId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("messages_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'queued'`),
    index("messages_receipt_idx").on(t.receiptId),
    index("messages_bulk_send_idx").on(t.bulkSendId, t.status),
  ],
);

/**
 * A job that mails many payers at once (a month's payment links). Its messages point back to it;
 * progress is counted from them, so a restarted job resumes where the outbox stands.
 */
export const bulkSends = pgTable(
  "bulk_sends",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text().notNull(),
    /** YYYY-MM the send is about, when it is about a month. */
    period: text(),
    status: text().notNull().default("queued"),
    total: integer().notNull().default(0),
    createdBy: uuid().references(() => staffUsers.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    lastError: text(),
  },
  (t) => [
    check("bulk_sends_status_check", sql`${t.status} in ('queued', 'running', 'done', 'failed')`),
    check("bulk_sends_total_check", sql`${t.total} >= 0`),
    index("bulk_sends_created_idx").on(t.createdAt),
  ],
);

/** Each time monthly receipts were issued for a period: by the schedule or by staff, and what it made. */
export const billingRuns = pgTable(
  "billing_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    period: text().notNull(),
    source: auditSource().notNull(),
    issuedCount: integer().notNull(),
    issuedTotal: integer().notNull(),
    createdBy: uuid().references(() => staffUsers.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("billing_runs_period_check", sql`${t.period} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check("billing_runs_counts_check", sql`${t.issuedCount} >= 0 and ${t.issuedTotal} >= 0`),
    index("billing_runs_period_idx").on(t.period, t.createdAt),
  ],
);

/** Fixed-window counters for rate limits on public doors (sign-in, enrollment, payment links, API). */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text().primaryKey(),
    windowStartedAt: timestamp({ withTimezone: true }).notNull(),
    hits: integer().notNull(),
  },
  (t) => [check("rate_limits_hits_check", sql`${t.hits} >= 0`), index("rate_limits_window_idx").on(t.windowStartedAt)],
);

/** Who did what, when: the receipt's timeline and the staff audit log. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    source: auditSource().notNull(),
    action: text().notNull(),
    staffUserId: uuid().references(() => staffUsers.id),
    receiptId: uuid().references(() => receipts.id),
    attemptId: uuid().references(() => paymentAttempts.id),
    enrollmentId: uuid().references(() => enrollments.id),
    data: jsonb().notNull().default({}),
  },
  (t) => [
    index("audit_events_receipt_idx").on(t.receiptId, t.occurredAt),
    index("audit_events_enrollment_idx").on(t.enrollmentId, t.occurredAt),
    index("audit_events_staff_idx").on(t.staffUserId, t.occurredAt),
  ],
);

export const apiKeys = pgTable("api_keys", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  /** The first characters of the key, shown to tell keys apart; the key itself is never stored. */
  prefix: text().notNull(),
  keyHash: text().notNull().unique(),
  createdBy: uuid().references(() => staffUsers.id),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp({ withTimezone: true }),
  revokedAt: timestamp({ withTimezone: true }),
});

/** Academy identity, enabled methods, policies, schedules; secrets inside are encrypted. */
export const settings = pgTable("settings", {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid().references(() => staffUsers.id),
});

export const campusAccounts = pgTable(
  "campus_accounts",
  {
    id: uuid().primaryKey().defaultRandom(),
    studentId: uuid()
      .notNull()
      .references(() => students.id),
    provider: campusProvider().notNull(),
    externalUserId: text(),
    status: campusStatus().notNull().default("pending"),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("campus_accounts_student_key").on(t.provider, t.studentId)],
);

export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: uuid().primaryKey().defaultRandom(),
  url: text().notNull(),
  /** HMAC key, encrypted with APP_ENCRYPTION_KEY. */
  secretEncrypted: text().notNull(),
  events: text()
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  active: boolean().notNull().default(true),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    endpointId: uuid()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventType: text().notNull(),
    payload: jsonb().notNull(),
    dedupeKey: text().notNull(),
    status: deliveryStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastStatusCode: integer(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_dedupe_key").on(t.endpointId, t.dedupeKey),
    index("webhook_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);
