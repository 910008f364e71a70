// The staff dashboard's enrollments: filtered by status and course, searched by student,
// keyset pages newest first (created_at, id), with the enrollment receipt's state so the
// money side shows next to the seat.
import "server-only";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { courses, enrollmentStatus, enrollments, receipts, students } from "@/db/schema";

export type EnrollmentStatus = (typeof enrollmentStatus.enumValues)[number];
export type EnrollmentFilter = { status?: EnrollmentStatus; courseId?: string; q?: string };
export type EnrollmentCursor = { createdAt: string; id: string };

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function conditions(filter: EnrollmentFilter): SQL[] {
  const list: SQL[] = [];
  if (filter.status) list.push(eq(enrollments.status, filter.status));
  if (filter.courseId) list.push(eq(enrollments.courseId, filter.courseId));
  const q = filter.q?.trim();
  if (q) {
    const contains = `%${likeEscape(q)}%`;
    list.push(sql`exists (select 1 from ${students} s where s.id = ${enrollments.studentId}
      and ((s.first_name || ' ' || s.last_name) ilike ${contains} or upper(s.document_number) = ${q.toUpperCase()} or lower(s.email) = ${q.toLowerCase()}))`);
  }
  return list;
}

const createdAtKey = sql<string>`to_char(${enrollments.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export async function listDashboardEnrollments(db: DbOrTx, params: { filter: EnrollmentFilter; after?: EnrollmentCursor; limit: number }) {
  const where = conditions(params.filter);
  if (params.after) where.push(sql`(${enrollments.createdAt}, ${enrollments.id}) < (${params.after.createdAt}::timestamptz, ${params.after.id}::uuid)`);
  const rows = await db
    .select({
      id: enrollments.id,
      status: enrollments.status,
      holdExpiresAt: enrollments.holdExpiresAt,
      createdAt: enrollments.createdAt,
      cancelReason: enrollments.cancelReason,
      studentId: students.id,
      studentName: sql<string>`${students.firstName} || ' ' || ${students.lastName}`,
      courseId: courses.id,
      courseName: courses.name,
      receiptId: receipts.id,
      receiptNumber: receipts.number,
      receiptStatus: receipts.status,
      receiptAmount: receipts.amount,
      receiptCurrency: receipts.currency,
      cursorKey: createdAtKey,
    })
    .from(enrollments)
    .innerJoin(students, eq(students.id, enrollments.studentId))
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .leftJoin(receipts, and(eq(receipts.enrollmentId, enrollments.id), eq(receipts.kind, "enrollment")))
    .where(and(...where))
    .orderBy(desc(enrollments.createdAt), desc(enrollments.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const next: EnrollmentCursor | undefined = rows.length > params.limit && last ? { createdAt: last.cursorKey, id: last.id } : undefined;
  return { rows: page, next };
}

export type EnrollmentListRow = Awaited<ReturnType<typeof listDashboardEnrollments>>["rows"][number];

/** How many enrollments the filter matches, per status. */
export async function countDashboardEnrollments(db: DbOrTx, filter: EnrollmentFilter) {
  const rows = await db
    .select({ status: enrollments.status, count: sql<number>`count(*)::int`.mapWith(Number) })
    .from(enrollments)
    .where(and(...conditions(filter)))
    .groupBy(enrollments.status);
  return { total: rows.reduce((sum, r) => sum + r.count, 0), byStatus: rows };
}
