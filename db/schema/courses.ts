// Courses and the enrollments (and waiting list) that fill their seats.
import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { courseStatus, discountKind, enrollmentStatus, paymentMethod } from "./enums";
import { students } from "./people";

export const courses = pgTable(
  "courses",
  {
    id: uuid().primaryKey().defaultRandom(),
    code: text().notNull().unique(),
    name: text().notNull(),
    description: text().notNull().default(""),
    level: text(),
    schedule: text().notNull().default(""),
    startDate: date({ mode: "string" }).notNull(),
    endDate: date({ mode: "string" }).notNull(),
    capacity: integer().notNull(),
    /** Matrícula, charged once on enrollment, in minor units. */
    enrollmentFee: integer().notNull(),
    monthlyFee: integer().notNull(),
    currency: text().notNull().default("EUR"),
    /** Whether the enrollment receipt also carries the first month. */
    firstMonthOnEnrollment: boolean().notNull().default(true),
    status: courseStatus().notNull().default("draft"),
    /** Ages (in completed years on the course's start date) the course is for; null: any. */
    minAge: integer(),
    maxAge: integer(),
    campusCourseId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("courses_capacity_check", sql`${t.capacity} > 0`),
    check("courses_fees_check", sql`${t.enrollmentFee} >= 0 and ${t.monthlyFee} >= 0`),
    check("courses_currency_check", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("courses_dates_check", sql`${t.endDate} >= ${t.startDate}`),
    check(
      "courses_ages_check",
      sql`(${t.minAge} is null or ${t.minAge} between 0 and 120) and (${t.maxAge} is null or ${t.maxAge} between 0 and 120) and (${t.minAge} is null or ${t.maxAge} is null or ${t.minAge} <= ${t.maxAge})`,
    ),
  ],
);

export const enrollments = pgTable(
  "enrollments",
  {
    id: uuid().primaryKey().defaultRandom(),
    studentId: uuid()
      .notNull()
      .references(() => students.id),
    courseId: uuid()
      .notNull()
      .references(() => courses.id),
    status: enrollmentStatus().notNull(),
    /** A pending enrollment keeps its seat until then. */
    holdExpiresAt: timestamp({ withTimezone: true }),
    paymentMethod: paymentMethod(),
    discountKind: discountKind(),
    discountValue: integer(),
    /** The wizard's submission key: a double click or a second tab finds the same enrollment. */
    submissionKey: text().unique(),
    dataProtectionAcceptedAt: timestamp({ withTimezone: true }),
    termsAcceptedAt: timestamp({ withTimezone: true }),
    imageRightsAccepted: boolean().notNull().default(false),
    confirmedAt: timestamp({ withTimezone: true }),
    cancelledAt: timestamp({ withTimezone: true }),
    cancelReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One live enrollment of a student in a course.
    uniqueIndex("enrollments_live_key")
      .on(t.studentId, t.courseId)
      .where(sql`${t.status} in ('pending_payment', 'confirmed', 'waitlisted')`),
    index("enrollments_course_status_idx").on(t.courseId, t.status),
    index("enrollments_hold_idx")
      .on(t.holdExpiresAt)
      .where(sql`${t.status} = 'pending_payment'`),
    check(
      "enrollments_discount_check",
      sql`(${t.discountKind} is null and ${t.discountValue} is null)
        or (${t.discountKind} = 'percent' and ${t.discountValue} between 1 and 100)
        or (${t.discountKind} = 'fixed' and ${t.discountValue} > 0)`,
    ),
  ],
);
