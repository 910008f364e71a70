// The staff dashboard's students: search by name, document or e-mail in keyset pages (by
// surname, name, id: the students_name_idx order), and one student's page (data, guardians,
// enrollments, receipts, campus accounts).
import "server-only";
import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { campusAccounts, courses, enrollments, guardians, receipts, students } from "@/db/schema";

export type StudentCursor = { lastName: string; firstName: string; id: string };

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function searchCondition(q: string | undefined): SQL | undefined {
  const text = q?.trim();
  if (!text) return undefined;
  const contains = `%${likeEscape(text)}%`;
  // Documents and e-mails match whole (index on the document key and on lower(email)); names by part.
  return sql`(
    (${students.firstName} || ' ' || ${students.lastName}) ilike ${contains}
    or upper(${students.documentNumber}) = ${text.toUpperCase().replace(/[\s-]/g, "")}
    or lower(${students.email}) = ${text.toLowerCase()}
    or ${students.email} ilike ${contains}
    or exists (select 1 from ${guardians} g where g.student_id = ${students.id}
      and ((g.first_name || ' ' || g.last_name) ilike ${contains} or lower(g.email) = ${text.toLowerCase()}))
  )`;
}

/** Qualified by hand: drizzle leaves a single table's columns bare in select lists (see dashboard-courses.ts). */
const studentId = sql.raw(`"students"."id"`);

export async function listDashboardStudents(db: DbOrTx, params: { q?: string; after?: StudentCursor; limit: number }) {
  const conditions: SQL[] = [];
  const search = searchCondition(params.q);
  if (search) conditions.push(search);
  if (params.after) {
    conditions.push(
      sql`(${students.lastName}, ${students.firstName}, ${students.id}) > (${params.after.lastName}, ${params.after.firstName}, ${params.after.id}::uuid)`,
    );
  }
  const rows = await db
    .select({
      id: students.id,
      firstName: students.firstName,
      lastName: students.lastName,
      email: students.email,
      documentNumber: students.documentNumber,
      phone: students.phone,
      liveEnrollments:
        sql<number>`(select count(*)::int from ${enrollments} e where e.student_id = ${studentId} and e.status in ('pending_payment', 'confirmed'))`.mapWith(
          Number,
        ),
      pendingReceipts: sql<number>`(select count(*)::int from ${receipts} r where r.student_id = ${studentId} and r.status = 'pending')`.mapWith(Number),
    })
    .from(students)
    .where(and(...conditions))
    .orderBy(asc(students.lastName), asc(students.firstName), asc(students.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const next: StudentCursor | undefined = rows.length > params.limit && last ? { lastName: last.lastName, firstName: last.firstName, id: last.id } : undefined;
  return { rows: page, next };
}

export type StudentListRow = Awaited<ReturnType<typeof listDashboardStudents>>["rows"][number];

export async function getDashboardStudent(db: DbOrTx, studentId: string) {
  const [student] = await db
    .select({
      id: students.id,
      firstName: students.firstName,
      lastName: students.lastName,
      email: students.email,
      phone: students.phone,
      documentType: students.documentType,
      documentNumber: students.documentNumber,
      birthDate: students.birthDate,
      address: students.address,
      postcode: students.postcode,
      city: students.city,
      locale: students.locale,
      createdAt: students.createdAt,
    })
    .from(students)
    .where(eq(students.id, studentId));
  if (!student) return undefined;
  const [guardianRows, enrollmentRows, receiptRows, campusRows] = await Promise.all([
    db
      .select({
        id: guardians.id,
        firstName: guardians.firstName,
        lastName: guardians.lastName,
        email: guardians.email,
        phone: guardians.phone,
        documentNumber: guardians.documentNumber,
        relationship: guardians.relationship,
        isPayer: guardians.isPayer,
      })
      .from(guardians)
      .where(eq(guardians.studentId, studentId))
      .orderBy(asc(guardians.createdAt)),
    db
      .select({
        id: enrollments.id,
        status: enrollments.status,
        courseId: courses.id,
        courseName: courses.name,
        courseCode: courses.code,
        holdExpiresAt: enrollments.holdExpiresAt,
        confirmedAt: enrollments.confirmedAt,
        cancelledAt: enrollments.cancelledAt,
        cancelReason: enrollments.cancelReason,
        createdAt: enrollments.createdAt,
      })
      .from(enrollments)
      .innerJoin(courses, eq(courses.id, enrollments.courseId))
      .where(eq(enrollments.studentId, studentId))
      .orderBy(desc(enrollments.createdAt)),
    db
      .select({
        id: receipts.id,
        number: receipts.number,
        concept: receipts.concept,
        amount: receipts.amount,
        refundedAmount: receipts.refundedAmount,
        currency: receipts.currency,
        status: receipts.status,
        dueDate: receipts.dueDate,
        issuedAt: receipts.issuedAt,
      })
      .from(receipts)
      .where(eq(receipts.studentId, studentId))
      .orderBy(desc(receipts.issuedAt), desc(receipts.id)),
    db
      .select({
        id: campusAccounts.id,
        provider: campusAccounts.provider,
        status: campusAccounts.status,
        externalUserId: campusAccounts.externalUserId,
        lastError: campusAccounts.lastError,
      })
      .from(campusAccounts)
      .where(eq(campusAccounts.studentId, studentId)),
  ]);
  return { ...student, guardians: guardianRows, enrollments: enrollmentRows, receipts: receiptRows, campus: campusRows };
}

export type DashboardStudent = NonNullable<Awaited<ReturnType<typeof getDashboardStudent>>>;
