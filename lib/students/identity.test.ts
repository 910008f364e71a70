// An attacker who knows an enrolled student's document (the letter is a checksum of the digits)
// submits the public enrollment and the API with it, on a real PostgreSQL: nothing of the victim
// changes, the answer is the one a newcomer gets, and staff are asked to review both versions.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { createReceipt } from "@/lib/api/receipts";
import { submitEnrollment, type EnrollmentRequest } from "@/lib/enrollment/submit";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_identity");
});
afterAll(() => database.close());

async function course() {
  const [row] = await database.db
    .insert(t.courses)
    .values({
      code: `ID-${randomUUID().slice(0, 8)}`,
      name: "Francés A1",
      startDate: "2026-09-01",
      endDate: "2027-06-30",
      capacity: 10,
      enrollmentFee: 4000,
      monthlyFee: 6500,
      status: "open",
    })
    .returning({ id: t.courses.id });
  return row!.id;
}

let next = 30_000_000;
function dni() {
  const n = next++;
  return `${n}${"TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]}`;
}

function enrollment(
  courseId: string,
  student: Partial<EnrollmentRequest["student"]> & { documentNumber: string },
  extra: Partial<EnrollmentRequest> = {},
): EnrollmentRequest {
  return {
    submissionKey: randomUUID(),
    courseId,
    student: {
      firstName: "Marta",
      lastName: "Vidal",
      documentType: "dni",
      email: "marta@correo.test",
      phone: "+34612345678",
      birthDate: "1994-02-03",
      postcode: "46004",
      city: "Valencia",
      address: "Calle Mayor 1",
      ...student,
    },
    consents: { dataProtection: true, terms: true, imageRights: false },
    method: "redsys",
    locale: "es",
    joinWaitlist: false,
    ...extra,
  };
}

async function studentsWith(documentNumber: string) {
  return database.db.select().from(t.students).where(eq(t.students.documentNumber, documentNumber)).orderBy(t.students.createdAt);
}

async function openConflicts(receiptId?: string) {
  const items = await database.db.select().from(t.attentionItems).where(eq(t.attentionItems.kind, "identity_conflict"));
  return items.filter((i) => i.resolvedAt === null && (receiptId === undefined || i.receiptId === receiptId));
}

describe("a document is not proof of identity", () => {
  it("an enrollment with a victim's document and the attacker's e-mail changes nothing of the victim's and answers as for a newcomer", async () => {
    const courseId = await course();
    const document = dni();
    const victimFirst = await submitEnrollment(database.db, enrollment(courseId, { documentNumber: document }));
    expect(victimFirst.kind).toBe("held");
    const [victimBefore] = await studentsWith(document);

    const attack = enrollment(courseId, {
      documentNumber: document,
      email: "atacante@correo.test",
      phone: "+34699999999",
      address: "Otra calle 9",
      city: "Madrid",
      postcode: "28001",
    });
    const answer = await submitEnrollment(database.db, attack);
    // The same answer a new student gets: a seat held on a receipt of its own, not the victim's.
    expect(answer.kind).toBe("held");
    if (answer.kind !== "held" || victimFirst.kind !== "held") throw new Error("expected held");
    expect(answer.receiptId).not.toBe(victimFirst.receiptId);

    const [victimAfter, separate] = await studentsWith(document);
    expect(victimAfter).toEqual(victimBefore);
    expect(separate).toMatchObject({ email: "atacante@correo.test", city: "Madrid" });
    const [victimReceipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, victimFirst.receiptId));
    expect(victimReceipt).toMatchObject({ payerEmail: "marta@correo.test", status: "pending" });

    const [item] = await openConflicts(answer.receiptId);
    expect(item!.evidence).toMatchObject({
      source: "enrollment",
      existing: [{ studentId: victimBefore!.id, email: "marta@correo.test" }],
      submitted: { studentId: separate!.id, email: "atacante@correo.test" },
    });
  });

  it("the same document and e-mail is the same person, reused exactly as stored", async () => {
    const courseA = await course();
    const courseB = await course();
    const document = dni();
    await submitEnrollment(database.db, enrollment(courseA, { documentNumber: document }));
    const [before] = await studentsWith(document);
    const again = await submitEnrollment(
      database.db,
      enrollment(courseB, { documentNumber: document, email: "MARTA@correo.test", phone: "+34600000000", city: "Castelló" }),
    );
    expect(again.kind).toBe("held");
    const rows = await studentsWith(document);
    expect(rows).toEqual([before]);
    expect(await openConflicts()).not.toContainEqual(expect.objectContaining({ evidence: expect.objectContaining({ document: `DNI ${document}` }) }));
  });

  it("a minor's stored guardian is never replaced: another guardian makes a separate record for review", async () => {
    const courseId = await course();
    const document = dni();
    const guardian = {
      firstName: "Rosa",
      lastName: "Vidal",
      documentType: "dni" as const,
      documentNumber: dni(),
      email: "rosa@correo.test",
      phone: "+34611111111",
      relationship: "madre",
    };
    const minor = { documentNumber: document, birthDate: "2014-05-06", email: "familia@correo.test" };
    await submitEnrollment(database.db, enrollment(courseId, minor, { guardian }));
    const [child] = await studentsWith(document);

    const attacker = { ...guardian, firstName: "Falso", documentNumber: dni(), email: "atacante2@correo.test" };
    const answer = await submitEnrollment(database.db, enrollment(await course(), minor, { guardian: attacker }));
    expect(answer.kind).toBe("held");
    const payers = await database.db.select().from(t.guardians).where(eq(t.guardians.studentId, child!.id));
    expect(payers.map((g) => g.email)).toEqual(["rosa@correo.test"]);
    const rows = await studentsWith(document);
    expect(rows).toHaveLength(2);
    if (answer.kind !== "held") throw new Error("expected held");
    const [receipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, answer.receiptId));
    expect(receipt).toMatchObject({ studentId: rows[1]!.id, payerEmail: "atacante2@correo.test" });
    expect(await openConflicts(answer.receiptId)).toHaveLength(1);
  });

  it("leaving the guardian out, or giving the DNI as a passport, never matches the stored minor", async () => {
    const document = dni();
    const guardian = {
      firstName: "Elena",
      lastName: "Soler",
      documentType: "dni" as const,
      documentNumber: dni(),
      email: "elena@correo.test",
      phone: "+34622222222",
      relationship: "madre",
    };
    const minor = { documentNumber: document, birthDate: "2013-01-02", email: "casa@correo.test" };
    await submitEnrollment(database.db, enrollment(await course(), minor, { guardian }));
    const [child] = await studentsWith(document);
    // An "adult" with the child's document and e-mail: no guardian step, so no guardian to check.
    const asAdult = await submitEnrollment(database.db, enrollment(await course(), { ...minor, birthDate: "1990-01-02" }));
    const asPassport = await submitEnrollment(
      database.db,
      enrollment(await course(), { ...minor, documentType: "passport" }, { guardian: { ...guardian, email: "otra@correo.test" } }),
    );
    for (const answer of [asAdult, asPassport]) {
      if (answer.kind !== "held") throw new Error(`expected held, got ${answer.kind}`);
      const [receipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, answer.receiptId));
      expect(receipt!.studentId).not.toBe(child!.id);
      expect(await openConflicts(answer.receiptId)).toHaveLength(1);
    }
    expect((await studentsWith(document))[0]).toEqual(child);
  });

  it("the API's matched-or-created student follows the same rule", async () => {
    const document = dni();
    const body = (email: string) => ({
      student: { firstName: "Joan", lastName: "Puig", email, documentNumber: document },
      concept: "Libro",
      amount: 2500,
      currency: "EUR",
      dueDate: "2026-12-20",
    });
    const first = await createReceipt(database.db, body("joan@correo.test"));
    const [stored] = await studentsWith(document);
    const second = await createReceipt(database.db, body("otro@correo.test"));
    const rows = await studentsWith(document);
    expect(rows[0]).toEqual(stored);
    expect(rows).toHaveLength(2);
    expect(await openConflicts(second.id)).toHaveLength(1);
    const third = await createReceipt(database.db, body("joan@correo.test"));
    const receipts = await database.db
      .select({ id: t.receipts.id, studentId: t.receipts.studentId })
      .from(t.receipts)
      .where(eq(t.receipts.studentId, stored!.id));
    expect(receipts.map((r) => r.id).sort()).toEqual([first.id, third.id].sort());
  });

  it("two submissions of one new document at once make one record", async () => {
    const courseId = await course();
    const document = dni();
    const results = await Promise.all(
      [1, 2, 3].map(() => submitEnrollment(database.db, enrollment(courseId, { documentNumber: document, email: "a@correo.test" }))),
    );
    expect(results.map((r) => r.kind)).toEqual(["held", "held", "held"]);
    expect(await studentsWith(document)).toHaveLength(1);
  });
});
