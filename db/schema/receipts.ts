// What is owed (receipts), the links to pay it, and the yearly numbering series.
import { sql } from "drizzle-orm";
import { check, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { enrollments } from "./courses";
import { paymentMethod, receiptKind, receiptStatus } from "./enums";
import { paymentAttempts } from "./payments";
import { students } from "./people";

/** The last number handed out per year; a row lock on it makes numbers gapless under concurrency. */
export const receiptNumberSeries = pgTable(
  "receipt_number_series",
  {
    year: integer().primaryKey(),
    lastNumber: integer().notNull().default(0),
  },
  (t) => [check("receipt_number_series_check", sql`${t.lastNumber} >= 0`)],
);

export const receipts = pgTable(
  "receipts",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Display number, e.g. 2026-000123: year and sequence, assigned once. */
    number: text().notNull().unique(),
    seriesYear: integer().notNull(),
    seriesNumber: integer().notNull(),
    kind: receiptKind().notNull(),
    studentId: uuid()
      .notNull()
      .references(() => students.id),
    enrollmentId: uuid().references(() => enrollments.id),
    /** YYYY-MM, for monthly receipts. */
    period: text(),
    concept: text().notNull(),
    amount: integer().notNull(),
    /** What a discount (e.g. siblings) took off the fee; amount is what is owed after it. */
    discountAmount: integer().notNull().default(0),
    currency: text().notNull().default("EUR"),
    dueDate: date({ mode: "string" }).notNull(),
    status: receiptStatus().notNull().default("pending"),
    payerName: text().notNull(),
    payerEmail: text().notNull(),
    payerDocument: text(),
    paidAt: timestamp({ withTimezone: true }),
    paidMethod: paymentMethod(),
    /** The payment that paid it: a refund of any other payment leaves the receipt as it is. */
    paidAttemptId: uuid().references((): AnyPgColumn => paymentAttempts.id),
    refundedAmount: integer().notNull().default(0),
    cancelledAt: timestamp({ withTimezone: true }),
    cancelReason: text(),
    overdueAt: timestamp({ withTimezone: true }),
    issuedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("receipts_series_key").on(t.seriesYear, t.seriesNumber),
    uniqueIndex("receipts_enrollment_period_key").on(t.enrollmentId, t.period),
    uniqueIndex("receipts_enrollment_fee_key")
      .on(t.enrollmentId)
      .where(sql`${t.kind} = 'enrollment'`),
    index("receipts_status_due_idx").on(t.status, t.dueDate),
    index("receipts_student_idx").on(t.studentId),
    index("receipts_issued_idx").on(t.issuedAt, t.id),
    check("receipts_amount_check", sql`${t.amount} > 0`),
    check("receipts_currency_check", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("receipts_period_check", sql`${t.period} is null or ${t.period} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check("receipts_monthly_period_check", sql`(${t.kind} = 'monthly') = (${t.period} is not null)`),
    check("receipts_refunded_check", sql`${t.refundedAmount} between 0 and ${t.amount}`),
    check("receipts_paid_check", sql`(${t.status} in ('pending', 'cancelled')) = (${t.paidAt} is null)`),
    check("receipts_discount_check", sql`${t.discountAmount} >= 0`),
    check("receipts_number_check", sql`${t.seriesNumber} > 0`),
  ],
);

/** Capability links to pay a receipt from home: random tokens, stored hashed, one live per receipt. */
export const paymentLinks = pgTable(
  "payment_links",
  {
    id: uuid().primaryKey().defaultRandom(),
    receiptId: uuid()
      .notNull()
      .references(() => receipts.id, { onDelete: "cascade" }),
    tokenHash: text().notNull().unique(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payment_links_live_key")
      .on(t.receiptId)
      .where(sql`${t.revokedAt} is null`),
  ],
);
