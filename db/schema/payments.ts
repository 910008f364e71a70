// Tries to pay (attempts), the provider's webhook inbox, refunds and the "needs attention" list.
import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { attemptStatus, attentionKind, auditSource, eventOutcome, paymentMethod, provider, providerMode, refundStatus } from "./enums";
import { staffUsers } from "./people";
import { receipts } from "./receipts";

export const paymentAttempts = pgTable(
  "payment_attempts",
  {
    id: uuid().primaryKey().defaultRandom(),
    receiptId: uuid()
      .notNull()
      .references(() => receipts.id),
    provider: provider().notNull(),
    method: paymentMethod().notNull(),
    mode: providerMode().notNull(),
    /** What we asked the provider to charge: a success for anything else is flagged, never paid. */
    amount: integer().notNull(),
    currency: text().notNull(),
    status: attemptStatus().notNull().default("created"),
    /** The provider's order: Stripe session id, PayPal order id, Redsys Ds_Order. New for every attempt. */
    providerRef: text(),
    /** The provider's payment: Stripe payment intent, PayPal capture id, Redsys authorisation code. */
    providerPaymentRef: text(),
    failureCode: text(),
    failureMessage: text(),
    finalizedBy: auditSource(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finalizedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("payment_attempts_provider_ref_key").on(t.provider, t.providerRef),
    index("payment_attempts_receipt_idx").on(t.receiptId),
    index("payment_attempts_open_idx")
      .on(t.updatedAt)
      .where(sql`${t.status} in ('created', 'redirected', 'pending')`),
    check("payment_attempts_amount_check", sql`${t.amount} > 0`),
    check("payment_attempts_currency_check", sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

/** The webhook inbox: every verified delivery, stored raw once. Duplicates stop at the unique key. */
export const providerEvents = pgTable(
  "provider_events",
  {
    id: uuid().primaryKey().defaultRandom(),
    provider: provider().notNull(),
    eventId: text().notNull(),
    eventType: text().notNull(),
    attemptId: uuid().references(() => paymentAttempts.id),
    payload: jsonb().notNull(),
    rawBody: text().notNull(),
    outcome: eventOutcome().notNull().default("received"),
    error: text(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("provider_events_event_key").on(t.provider, t.eventId), index("provider_events_attempt_idx").on(t.attemptId)],
);

export const refunds = pgTable(
  "refunds",
  {
    id: uuid().primaryKey().defaultRandom(),
    receiptId: uuid()
      .notNull()
      .references(() => receipts.id),
    attemptId: uuid().references(() => paymentAttempts.id),
    provider: provider().notNull(),
    amount: integer().notNull(),
    currency: text().notNull(),
    status: refundStatus().notNull().default("pending"),
    providerRef: text(),
    /** Our key for the provider call, so a retried request never refunds twice. */
    idempotencyKey: text().notNull().unique(),
    reason: text(),
    source: auditSource().notNull(),
    createdBy: uuid().references(() => staffUsers.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("refunds_provider_ref_key").on(t.provider, t.providerRef),
    index("refunds_receipt_idx").on(t.receiptId),
    check("refunds_amount_check", sql`${t.amount} > 0`),
  ],
);

/** What staff must look at: money that arrived but could not be applied as a normal payment. */
export const attentionItems = pgTable(
  "attention_items",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: attentionKind().notNull(),
    receiptId: uuid().references(() => receipts.id),
    attemptId: uuid().references(() => paymentAttempts.id),
    providerEventId: uuid().references(() => providerEvents.id),
    evidence: jsonb().notNull().default({}),
    resolvedAt: timestamp({ withTimezone: true }),
    resolvedBy: uuid().references(() => staffUsers.id),
    resolution: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("attention_items_open_idx")
      .on(t.createdAt)
      .where(sql`${t.resolvedAt} is null`),
    // One item per cause: replays of the same event do not pile up.
    uniqueIndex("attention_items_cause_key").on(t.kind, t.attemptId, t.providerEventId),
  ],
);
