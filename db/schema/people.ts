// Students, their guardians (a minor's guardian is the payer) and the staff who run the academy.
import { sql } from "drizzle-orm";
import { boolean, check, date, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { documentType, staffRole } from "./enums";

export const staffUsers = pgTable(
  "staff_users",
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    role: staffRole().notNull().default("staff"),
    active: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp({ withTimezone: true }),
    passwordChangedAt: timestamp({ withTimezone: true }),
    /** Set for a password someone else chose (a first admin, a reset): changed at the next sign-in. */
    mustChangePassword: boolean().notNull().default(false),
  },
  (t) => [uniqueIndex("staff_users_email_key").on(sql`lower(${t.email})`), check("staff_users_email_check", sql`${t.email} like '%_@_%'`)],
);

export const students = pgTable(
  "students",
  {
    id: uuid().primaryKey().defaultRandom(),
    firstName: text().notNull(),
    lastName: text().notNull(),
    email: text().notNull(),
    phone: text(),
    documentType: documentType(),
    documentNumber: text(),
    birthDate: date({ mode: "string" }),
    address: text(),
    postcode: text(),
    city: text(),
    locale: text().notNull().default("es"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Not unique: a document is not proof of identity (its letter is a checksum), so the same
    // document with other contact details is another record, held for staff to review.
    index("students_document_idx").on(t.documentType, t.documentNumber),
    index("students_email_idx").on(sql`lower(${t.email})`),
    index("students_name_idx").on(t.lastName, t.firstName),
    check("students_document_check", sql`(${t.documentType} is null) = (${t.documentNumber} is null)`),
  ],
);

export const guardians = pgTable(
  "guardians",
  {
    id: uuid().primaryKey().defaultRandom(),
    studentId: uuid()
      .notNull()
      .references(() => students.id, { onDelete: "cascade" }),
    firstName: text().notNull(),
    lastName: text().notNull(),
    email: text().notNull(),
    phone: text(),
    documentType: documentType(),
    documentNumber: text(),
    relationship: text(),
    isPayer: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("guardians_student_idx").on(t.studentId)],
);
