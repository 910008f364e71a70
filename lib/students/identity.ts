// Who a submission is about. A public form (or an API client) names a student by document, but a
// document number is not a secret (its letter is a checksum of the digits), so it never grants
// the right to change anyone's data:
// - the same document with the stored e-mail (and, for a minor, a guardian already on record
//   with the same document and e-mail) is the same person, reused exactly as stored;
// - anything else with that document is a separate record, and staff get a review item with both
//   versions.
// Either way the caller's answer is the one a newcomer gets, so nobody learns from it whether a
// document is enrolled anywhere.
import "server-only";
import type { Tx } from "@/db/client";
import { flagForAttention } from "@/db/queries/payments";
import {
  findPayingGuardians,
  findStudentsByDocument,
  findStudentsByEmailAndName,
  insertGuardian,
  insertStudent,
  lockStudentDocument,
} from "@/db/queries/students";

type DocumentType = "dni" | "nie" | "passport";

export type StudentDetails = {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string | null;
  documentType?: DocumentType;
  documentNumber?: string;
  birthDate?: string | null;
  address?: string | null;
  postcode?: string | null;
  city?: string | null;
  locale?: string;
};

export type GuardianDetails = {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  documentType: DocumentType;
  documentNumber: string;
  relationship: string;
};

export type MatchedStudent =
  | { id: string; kind: "existing" | "new" }
  /** A separate record for a document that someone else already holds with other details. */
  | { id: string; kind: "separate"; evidence: Record<string, unknown> };

const lower = (value: string) => value.trim().toLowerCase();

/**
 * The student for these details (and the paying guardian, for a minor), never changing a stored
 * one. A "separate" match must be put before staff with `flagIdentityConflict` once the caller
 * knows which receipt it led to.
 */
export async function matchOrCreateStudent(tx: Tx, details: StudentDetails, source: "enrollment" | "api", guardian?: GuardianDetails): Promise<MatchedStudent> {
  const documentType = details.documentNumber ? details.documentType : undefined;
  const documentNumber = documentType ? details.documentNumber : undefined;
  if (!documentType || !documentNumber) {
    // No document (a young child, an API client): the same e-mail and name (siblings share e-mails).
    const candidates = await findByEmailAndName(tx, details);
    const same = await sameGuardian(tx, candidates, guardian);
    if (same) return { id: same.id, kind: "existing" };
    return { id: await createStudent(tx, { ...details, documentType: undefined, documentNumber: undefined }, guardian), kind: "new" };
  }

  // Submissions naming the same document take turns, so two at once cannot both create it.
  await lockStudentDocument(tx, documentNumber);
  // By number whatever the type: a DNI given as a passport is still that DNI.
  const holders = await findStudentsByDocument(tx, documentNumber);
  const candidates = holders.filter(
    (s) => lower(s.email) === lower(details.email) && (!s.birthDate || !details.birthDate || s.birthDate === details.birthDate),
  );
  const same = await sameGuardian(tx, candidates, guardian);
  if (same) return { id: same.id, kind: "existing" };

  const id = await createStudent(tx, { ...details, documentType, documentNumber }, guardian);
  if (holders.length === 0) return { id, kind: "new" };
  return {
    id,
    kind: "separate",
    evidence: {
      source,
      document: `${documentType.toUpperCase()} ${documentNumber}`,
      existing: holders.map((s) => ({
        studentId: s.id,
        name: `${s.firstName} ${s.lastName}`,
        email: s.email,
        phone: s.phone,
        birthDate: s.birthDate,
        city: s.city,
      })),
      submitted: {
        studentId: id,
        name: `${details.firstName} ${details.lastName}`,
        email: details.email,
        phone: details.phone ?? null,
        birthDate: details.birthDate ?? null,
        city: details.city ?? null,
        ...(guardian && { guardian: { name: `${guardian.firstName} ${guardian.lastName}`, email: guardian.email, document: guardian.documentNumber } }),
      },
    },
  };
}

/** Puts a "separate" match before staff, with both versions, on the receipt it led to (if any). */
export async function flagIdentityConflict(tx: Tx, match: MatchedStudent, receiptId?: string): Promise<void> {
  if (match.kind !== "separate") return;
  await flagForAttention(tx, { kind: "identity_conflict", receiptId, evidence: match.evidence });
}

/**
 * The first candidate whose paying guardian on record is the one submitted (same document and
 * e-mail), or who has none on record when none is submitted: leaving the guardian out (say, with
 * an adult's birth date) never matches a minor whose guardian is on record.
 */
async function sameGuardian<T extends { id: string }>(tx: Tx, candidates: T[], guardian: GuardianDetails | undefined): Promise<T | undefined> {
  if (candidates.length === 0) return undefined;
  const onRecord = await findPayingGuardians(
    tx,
    candidates.map((c) => c.id),
  );
  return candidates.find((c) => {
    const theirs = onRecord.filter((g) => g.studentId === c.id);
    if (!guardian) return theirs.length === 0;
    return theirs.some((g) => g.documentNumber === guardian.documentNumber && lower(g.email) === lower(guardian.email));
  });
}

async function findByEmailAndName(tx: Tx, details: StudentDetails): Promise<{ id: string }[]> {
  return findStudentsByEmailAndName(tx, { email: lower(details.email), firstName: lower(details.firstName), lastName: lower(details.lastName) });
}

async function createStudent(tx: Tx, details: StudentDetails, guardian?: GuardianDetails): Promise<string> {
  const id = await insertStudent(tx, {
    firstName: details.firstName,
    lastName: details.lastName,
    email: details.email,
    phone: details.phone ?? null,
    documentType: details.documentType ?? null,
    documentNumber: details.documentNumber ?? null,
    birthDate: details.birthDate ?? null,
    address: details.address ?? null,
    postcode: details.postcode ?? null,
    city: details.city ?? null,
    ...(details.locale && { locale: details.locale }),
  });
  if (guardian) await insertGuardian(tx, { studentId: id, ...guardian, isPayer: true });
  return id;
}
