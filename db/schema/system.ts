// Messages (email outbox), the audit trail, API keys, settings, campus accounts and outgoing webhooks.
import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
    /** References to what is attached at send time (e.g. { kind: "receipt_pdf", receiptId }), never file bytes. */
    attachments: jsonb().notNull().default([]),
    smtpMessageId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("messages_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'queued'`),
    index("messages_receipt_idx").on(t.receiptId),
  ],
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
  events: text().array().notNull().default(sql`'{}'::text[]`),
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
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);
