// Data access for campus provisioning: campus accounts (one per student and provider), the
// enrollments they serve, and the outgoing webhook queue (`webhook_deliveries`).
//
// Deliveries are claimed like the email outbox: one statement moves due rows forward under
// FOR UPDATE SKIP LOCKED, bumping `attempts` and pushing next_attempt_at to the lease's end, so any
// number of workers share the queue and a crashed worker's row comes back after its lease. Each
// outcome update is fenced by (status = 'pending', attempts = the claimed attempt).
import "server-only";
import { and, arrayOverlaps, asc, eq, inArray, isNotNull, lte, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { campusAccounts, courses, enrollments, students, webhookDeliveries, webhookEndpoints } from "@/db/schema";
export type CampusProvider = (typeof campusAccounts.provider.enumValues)[number];
export type CampusStatus = (typeof campusAccounts.status.enumValues)[number];
export type DeliveryStatus = (typeof webhookDeliveries.status.enumValues)[number];

function at(now: Date | undefined): SQL {
  return now ? sql`${now.toISOString()}::timestamptz` : sql`now()`;
}

function later(now: Date | undefined, ms: number): SQL {
  return sql`${at(now)} + make_interval(secs => ${ms}::double precision / 1000)`;
}

export type CampusStudent = { id: string; firstName: string; lastName: string; email: string; locale: string };
export type MappedCourse = { id: string; code: string; name: string; campusCourseId: string };

export type EnrollmentForCampus = {
  enrollmentId: string;
  status: (typeof enrollments.status.enumValues)[number];
  confirmedAt: Date | null;
  student: CampusStudent;
  course: { id: string; code: string; name: string; campusCourseId: string | null };
};

export async function loadEnrollmentForCampus(db: DbOrTx, enrollmentId: string): Promise<EnrollmentForCampus | undefined> {
  const [row] = await db
    .select({
      enrollmentId: enrollments.id,
      status: enrollments.status,
      confirmedAt: enrollments.confirmedAt,
      studentId: students.id,
      firstName: students.firstName,
      lastName: students.lastName,
      email: students.email,
      locale: students.locale,
      courseId: courses.id,
      code: courses.code,
      name: courses.name,
      campusCourseId: courses.campusCourseId,
    })
    .from(enrollments)
    .innerJoin(students, eq(students.id, enrollments.studentId))
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .where(eq(enrollments.id, enrollmentId));
  if (!row) return undefined;
  return {
    enrollmentId: row.enrollmentId,
    status: row.status,
    confirmedAt: row.confirmedAt,
    student: { id: row.studentId, firstName: row.firstName, lastName: row.lastName, email: row.email, locale: row.locale },
    course: { id: row.courseId, code: row.code, name: row.name, campusCourseId: row.campusCourseId },
  };
}

export async function loadStudentForCampus(db: DbOrTx, studentId: string): Promise<CampusStudent | undefined> {
  const [row] = await db
    .select({ id: students.id, firstName: students.firstName, lastName: students.lastName, email: students.email, locale: students.locale })
    .from(students)
    .where(eq(students.id, studentId));
  return row;
}

/** The courses a student is confirmed in that name a campus course. */
export async function mappedConfirmedCourses(db: DbOrTx, studentId: string): Promise<MappedCourse[]> {
  const rows = await db
    .select({ id: courses.id, code: courses.code, name: courses.name, campusCourseId: courses.campusCourseId })
    .from(enrollments)
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .where(and(eq(enrollments.studentId, studentId), eq(enrollments.status, "confirmed"), sql`coalesce(trim(${courses.campusCourseId}), '') <> ''`))
    .orderBy(asc(courses.code));
  return rows.flatMap((r) => (r.campusCourseId ? [{ ...r, campusCourseId: r.campusCourseId.trim() }] : []));
}

/**
 * Marks the student's account with this provider as needing work (creating the row the first
 * time). An active account goes back to pending too: a new course must be enrolled.
 */
export async function markCampusAccountPending(db: DbOrTx, params: { studentId: string; provider: CampusProvider }): Promise<string> {
  const [row] = await db
    .insert(campusAccounts)
    .values({ studentId: params.studentId, provider: params.provider, status: "pending" })
    .onConflictDoUpdate({
      target: [campusAccounts.provider, campusAccounts.studentId],
      set: { status: "pending", updatedAt: sql`now()` },
    })
    .returning({ id: campusAccounts.id });
  return row!.id;
}

export type LockedCampusAccount = { id: string; studentId: string; status: CampusStatus; externalUserId: string | null };

/** Waits for and locks the account row (inside a transaction): one provisioning per student at a time. */
export async function lockCampusAccount(tx: DbOrTx, id: string): Promise<LockedCampusAccount | undefined> {
  const [row] = await tx
    .select({ id: campusAccounts.id, studentId: campusAccounts.studentId, status: campusAccounts.status, externalUserId: campusAccounts.externalUserId })
    .from(campusAccounts)
    .where(eq(campusAccounts.id, id))
    .for("update");
  return row;
}

/** One pending account nobody else is working on (inside a transaction), or undefined. */
export async function claimPendingCampusAccount(tx: DbOrTx, provider: CampusProvider): Promise<LockedCampusAccount | undefined> {
  const [row] = await tx
    .select({ id: campusAccounts.id, studentId: campusAccounts.studentId, status: campusAccounts.status, externalUserId: campusAccounts.externalUserId })
    .from(campusAccounts)
    .where(and(eq(campusAccounts.provider, provider), eq(campusAccounts.status, "pending")))
    .orderBy(asc(campusAccounts.updatedAt))
    .limit(1)
    .for("update", { skipLocked: true });
  return row;
}

export async function recordCampusOutcome(
  db: DbOrTx,
  params: { id: string; status: "active" | "failed"; externalUserId?: string; lastError: string | null },
): Promise<void> {
  await db
    .update(campusAccounts)
    .set({
      status: params.status,
      lastError: params.lastError,
      updatedAt: sql`now()`,
      ...(params.externalUserId !== undefined ? { externalUserId: params.externalUserId } : {}),
    })
    .where(eq(campusAccounts.id, params.id));
}

export type CampusAccountView = {
  id: string;
  provider: CampusProvider;
  status: CampusStatus;
  externalUserId: string | null;
  lastError: string | null;
  updatedAt: Date;
};

export async function campusAccountsOf(db: DbOrTx, studentId: string): Promise<CampusAccountView[]> {
  return db
    .select({
      id: campusAccounts.id,
      provider: campusAccounts.provider,
      status: campusAccounts.status,
      externalUserId: campusAccounts.externalUserId,
      lastError: campusAccounts.lastError,
      updatedAt: campusAccounts.updatedAt,
    })
    .from(campusAccounts)
    .where(eq(campusAccounts.studentId, studentId))
    .orderBy(asc(campusAccounts.provider));
}

// --- Suspension for overdue receipts (lib/campus/suspension.ts) ----------------------------

/** The students' active accounts with this provider that have a campus user id. */
export async function activeCampusAccountsOf(
  db: DbOrTx,
  params: { provider: CampusProvider; studentIds: string[] },
): Promise<{ id: string; studentId: string; externalUserId: string | null }[]> {
  return db
    .select({ id: campusAccounts.id, studentId: campusAccounts.studentId, externalUserId: campusAccounts.externalUserId })
    .from(campusAccounts)
    .where(
      and(
        eq(campusAccounts.provider, params.provider),
        eq(campusAccounts.status, "active"),
        isNotNull(campusAccounts.externalUserId),
        inArray(campusAccounts.studentId, params.studentIds),
      ),
    );
}

/** Records the account as suspended if it is still active; whether it was. */
export async function markCampusAccountSuspended(tx: DbOrTx, id: string): Promise<boolean> {
  const changed = await tx
    .update(campusAccounts)
    .set({ status: "suspended", lastError: null })
    .where(and(eq(campusAccounts.id, id), eq(campusAccounts.status, "active")))
    .returning({ id: campusAccounts.id });
  return changed.length > 0;
}

/** The student's suspended account with this provider goes back to pending; how many did. */
export async function requeueSuspendedCampusAccount(tx: DbOrTx, params: { studentId: string; provider: CampusProvider }): Promise<number> {
  const restored = await tx
    .update(campusAccounts)
    .set({ status: "pending", lastError: null })
    .where(and(eq(campusAccounts.studentId, params.studentId), eq(campusAccounts.provider, params.provider), eq(campusAccounts.status, "suspended")))
    .returning({ id: campusAccounts.id });
  return restored.length;
}

// --- Outgoing webhooks ---------------------------------------------------------------------

/** Active endpoints subscribed to the event (or to every event with "*"). */
export async function endpointsSubscribedTo(db: DbOrTx, eventType: string): Promise<{ id: string }[]> {
  return db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.active, true), arrayOverlaps(webhookEndpoints.events, [eventType, "*"])))
    .orderBy(asc(webhookEndpoints.createdAt));
}

/** Inserts a delivery unless the endpoint already has one for this dedupe key; the new id or undefined. */
export async function insertWebhookDelivery(
  db: DbOrTx,
  values: { endpointId: string; eventType: string; payload: unknown; dedupeKey: string },
): Promise<string | undefined> {
  const [row] = await db
    .insert(webhookDeliveries)
    .values(values)
    .onConflictDoNothing({ target: [webhookDeliveries.endpointId, webhookDeliveries.dedupeKey] })
    .returning({ id: webhookDeliveries.id });
  return row?.id;
}

export type ClaimedDelivery = {
  id: string;
  endpointId: string;
  eventType: string;
  payload: unknown;
  /** This claim's attempt number (1 for the first try); pass it back to the mark* functions. */
  attempts: number;
};

/** Claims up to `limit` due pending deliveries (optionally only those of one dedupe key). */
export async function claimDueDeliveries(db: DbOrTx, params: { now?: Date; limit: number; leaseMs: number; dedupeKey?: string }): Promise<ClaimedDelivery[]> {
  const due = db.$with("due").as(
    db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.status, "pending"),
          lte(webhookDeliveries.nextAttemptAt, at(params.now)),
          params.dedupeKey === undefined ? undefined : eq(webhookDeliveries.dedupeKey, params.dedupeKey),
        ),
      )
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(params.limit)
      .for("update", { skipLocked: true }),
  );
  return db
    .with(due)
    .update(webhookDeliveries)
    .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: later(params.now, params.leaseMs) })
    .where(inArray(webhookDeliveries.id, db.select({ id: due.id }).from(due)))
    .returning({
      id: webhookDeliveries.id,
      endpointId: webhookDeliveries.endpointId,
      eventType: webhookDeliveries.eventType,
      payload: webhookDeliveries.payload,
      attempts: webhookDeliveries.attempts,
    });
}

export async function endpointsByIds(db: DbOrTx, ids: string[]): Promise<{ id: string; url: string; secretEncrypted: string; active: boolean }[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, secretEncrypted: webhookEndpoints.secretEncrypted, active: webhookEndpoints.active })
    .from(webhookEndpoints)
    .where(inArray(webhookEndpoints.id, ids));
}

type Claim = { id: string; attempt: number };

function claimed(claim: Claim) {
  return and(eq(webhookDeliveries.id, claim.id), eq(webhookDeliveries.status, "pending"), eq(webhookDeliveries.attempts, claim.attempt));
}

export async function markDeliveryDelivered(db: DbOrTx, params: Claim & { now?: Date; statusCode: number }): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: "delivered", deliveredAt: at(params.now), lastStatusCode: params.statusCode, lastError: null })
    .where(claimed(params))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

export async function markDeliveryRetry(
  db: DbOrTx,
  params: Claim & { now?: Date; delayMs: number; statusCode: number | null; error: string },
): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ nextAttemptAt: later(params.now, params.delayMs), lastStatusCode: params.statusCode, lastError: params.error })
    .where(claimed(params))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

export async function markDeliveryFailed(db: DbOrTx, params: Claim & { statusCode: number | null; error: string }): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: "failed", lastStatusCode: params.statusCode, lastError: params.error })
    .where(claimed(params))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

/** Staff's retry: failed deliveries of this dedupe key go back to the queue, due now, attempts reset. */
export async function requeueFailedDeliveries(db: DbOrTx, params: { dedupeKey: string; now?: Date }): Promise<number> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: "pending", attempts: 0, nextAttemptAt: at(params.now) })
    .where(and(eq(webhookDeliveries.dedupeKey, params.dedupeKey), eq(webhookDeliveries.status, "failed")))
    .returning({ id: webhookDeliveries.id });
  return rows.length;
}

export type DeliveryView = {
  id: string;
  endpointId: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
};

export async function deliveriesFor(db: DbOrTx, dedupeKey: string): Promise<DeliveryView[]> {
  return db
    .select({
      id: webhookDeliveries.id,
      endpointId: webhookDeliveries.endpointId,
      url: webhookEndpoints.url,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      lastStatusCode: webhookDeliveries.lastStatusCode,
      lastError: webhookDeliveries.lastError,
      deliveredAt: webhookDeliveries.deliveredAt,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.dedupeKey, dedupeKey))
    .orderBy(asc(webhookEndpoints.createdAt));
}

/**
 * The student's webhook "account" mirrors their deliveries: failed if any gave up, pending while
 * any is queued, active once all arrived. Undefined when the student has no deliveries.
 */
export async function webhookStateOfStudent(
  db: DbOrTx,
  studentId: string,
): Promise<{ status: "active" | "pending" | "failed"; lastError: string | null } | undefined> {
  const rows = await db
    .select({ status: webhookDeliveries.status, lastError: webhookDeliveries.lastError, url: webhookEndpoints.url })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(sql`${webhookDeliveries.payload} -> 'data' -> 'student' ->> 'id' = ${studentId}`);
  if (rows.length === 0) return undefined;
  const failed = rows.find((r) => r.status === "failed");
  if (failed) return { status: "failed", lastError: `${failed.url}: ${failed.lastError ?? "failed"}` };
  const pending = rows.find((r) => r.status === "pending");
  if (pending) return { status: "pending", lastError: pending.lastError ? `${pending.url}: ${pending.lastError}` : null };
  return { status: "active", lastError: null };
}

/** Sets the student's account with a provider to a status, creating the row if needed. */
export async function upsertCampusAccount(
  db: DbOrTx,
  params: { studentId: string; provider: CampusProvider; status: CampusStatus; lastError: string | null },
): Promise<void> {
  await db
    .insert(campusAccounts)
    .values({ studentId: params.studentId, provider: params.provider, status: params.status, lastError: params.lastError })
    .onConflictDoUpdate({
      target: [campusAccounts.provider, campusAccounts.studentId],
      set: { status: params.status, lastError: params.lastError, updatedAt: sql`now()` },
    });
}
