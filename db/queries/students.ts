// Finding and creating students (and their paying guardians) for a submission; the rules on
// who is the same person live in lib/students/identity.ts.
import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { guardians, students } from "@/db/schema";

/** Until commit, other submissions naming this document wait here: two at once cannot both create it. */
export async function lockStudentDocument(tx: DbOrTx, documentNumber: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`student-document:${documentNumber}`}))`);
}

/** Every student holding this document number (whatever its type), oldest first. */
export async function findStudentsByDocument(tx: DbOrTx, documentNumber: string) {
  return tx
    .select({
      id: students.id,
      firstName: students.firstName,
      lastName: students.lastName,
      email: students.email,
      phone: students.phone,
      birthDate: students.birthDate,
      city: students.city,
    })
    .from(students)
    .where(eq(students.documentNumber, documentNumber))
    .orderBy(asc(students.createdAt), asc(students.id));
}

/** Up to 20 students with this e-mail and name, compared case-insensitively (pass them lower-cased), oldest first. */
export async function findStudentsByEmailAndName(tx: DbOrTx, params: { email: string; firstName: string; lastName: string }): Promise<{ id: string }[]> {
  return tx
    .select({ id: students.id })
    .from(students)
    .where(
      sql`lower(${students.email}) = ${params.email} and lower(${students.firstName}) = ${params.firstName} and lower(${students.lastName}) = ${params.lastName}`,
    )
    .orderBy(asc(students.createdAt), asc(students.id))
    .limit(20);
}

/** The paying guardians on record of these students. */
export async function findPayingGuardians(tx: DbOrTx, studentIds: string[]): Promise<{ studentId: string; email: string; documentNumber: string | null }[]> {
  return tx
    .select({ studentId: guardians.studentId, email: guardians.email, documentNumber: guardians.documentNumber })
    .from(guardians)
    .where(and(inArray(guardians.studentId, studentIds), eq(guardians.isPayer, true)));
}

export async function insertStudent(tx: DbOrTx, values: typeof students.$inferInsert): Promise<string> {
  const [created] = await tx.insert(students).values(values).returning({ id: students.id });
  return created!.id;
}

export async function insertGuardian(tx: DbOrTx, values: typeof guardians.$inferInsert): Promise<void> {
  await tx.insert(guardians).values(values);
}

/** The language the student's messages are written in; undefined when there is no such student. */
export async function getStudentLocale(db: DbOrTx, studentId: string): Promise<string | undefined> {
  const [row] = await db.select({ locale: students.locale }).from(students).where(eq(students.id, studentId));
  return row?.locale;
}
