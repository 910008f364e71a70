// Campus provisioning, end to end: what the payment path enqueues inside its transaction when an
// enrollment is confirmed (durable rows, no HTTP), what a job or staff's retry button runs later
// (the HTTP calls), and where outcomes are recorded (`campus_accounts`, `webhook_deliveries`,
// the enrollment's audit timeline).
//
// One `campus_accounts` row per student and provider (the schema's unique key): the Moodle row
// covers every mapped course the student is confirmed in, so provisioning always re-enrols all of
// them (harmless in Moodle) and a new enrollment just sets the row back to pending.
import type { Db, DbOrTx } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import {
  campusAccountsOf,
  claimPendingCampusAccount,
  deliveriesFor,
  loadEnrollmentForCampus,
  loadStudentForCampus,
  lockCampusAccount,
  mappedConfirmedCourses,
  markCampusAccountPending,
  recordCampusOutcome,
  requeueFailedDeliveries,
  type CampusAccountView,
  type DeliveryView,
  type EnrollmentForCampus,
  type LockedCampusAccount,
} from "@/db/queries/campus";
import { readSetting } from "@/db/queries/settings";
import { settingKeys } from "@/lib/settings/schemas";
import { storedCampusSchema } from "@/lib/settings/forms";
import { env } from "@/lib/env";
import { appEncryptionKey, decryptSecret } from "@/lib/crypto/secrets";
import { MoodleProvisioner, type MoodleConfig } from "./moodle";
import { CampusError, type CampusProvider, type ProvisionRequest } from "./types";
import {
  deliverDueWebhooks,
  enqueueEnrollmentWebhooks,
  enrollmentDedupeKey,
  NO_ENDPOINT,
  refreshWebhookAccount,
  WebhookProvisioner,
  type DrainResult,
  type WebhookOptions,
} from "./webhook";

export type CampusOptions = {
  /** Moodle connection; undefined reads MOODLE_URL/MOODLE_TOKEN, null turns Moodle off. */
  moodle?: MoodleConfig | null;
  webhooks?: WebhookOptions;
};

export type ProviderOutcome = {
  provider: CampusProvider;
  status: "active" | "pending" | "failed";
  externalUserId: string | null;
  error?: string;
};

export type ProvisionReport = {
  enrollmentId: string;
  /** Why nothing ran (enrollment not confirmed); absent when provisioning ran. */
  skipped?: string;
  outcomes: ProviderOutcome[];
};

/**
 * The Moodle connection: the options' (tests), else the one an admin saved in Settings → Campus
 * (its token encrypted with APP_ENCRYPTION_KEY), else MOODLE_URL/MOODLE_TOKEN.
 */
export async function moodleConfig(db: DbOrTx, options: Pick<CampusOptions, "moodle"> = {}): Promise<MoodleConfig | undefined> {
  if (options.moodle !== undefined) return options.moodle ?? undefined;
  const stored = storedCampusSchema.safeParse(await readSetting(db, settingKeys.campus));
  const key = appEncryptionKey();
  if (stored.success && key) {
    try {
      return { url: stored.data.moodleUrl, token: decryptSecret(stored.data.tokenEncrypted, key) };
    } catch {
      console.error("The saved campus token does not open with APP_ENCRYPTION_KEY: using the environment's Moodle settings.");
    }
  }
  const { MOODLE_URL, MOODLE_TOKEN } = env();
  return MOODLE_URL && MOODLE_TOKEN ? { url: MOODLE_URL, token: MOODLE_TOKEN } : undefined;
}

/**
 * Called by the payment path inside the transaction that confirms the enrollment: records the
 * work to do (Moodle account pending, one webhook delivery per subscribed endpoint) so it
 * survives a crash and commits or rolls back with the confirmation. Idempotent.
 */
export async function enqueueCampusProvisioning(
  tx: DbOrTx,
  enrollmentId: string,
  options: Pick<CampusOptions, "moodle"> = {},
): Promise<{ moodle: boolean; webhooks: number }> {
  const enrollment = await loadEnrollmentForCampus(tx, enrollmentId);
  if (!enrollment) throw new CampusError(`enrollment ${enrollmentId} not found`, false);
  if (enrollment.status !== "confirmed") return { moodle: false, webhooks: 0 };
  const moodle = (await moodleConfig(tx, options)) !== undefined && enrollment.course.campusCourseId !== null && enrollment.course.campusCourseId.trim() !== "";
  if (moodle) await markCampusAccountPending(tx, { studentId: enrollment.student.id, provider: "moodle" });
  const webhooks = await enqueueEnrollmentWebhooks(
    tx,
    { enrollmentId, student: enrollment.student, course: enrollment.course },
    enrollment.confirmedAt ?? new Date(),
  );
  if (webhooks > 0) await refreshWebhookAccount(tx, enrollment.student.id);
  return { moodle, webhooks };
}

/**
 * Runs every configured provisioner for a confirmed enrollment now and records the outcomes.
 * Failures do not throw: they are recorded (`failed` + `last_error`) and returned.
 */
export async function provisionStudent(db: Db, params: { enrollmentId: string }, options: CampusOptions = {}): Promise<ProvisionReport> {
  const enrollment = await loadEnrollmentForCampus(db, params.enrollmentId);
  if (!enrollment) throw new CampusError(`enrollment ${params.enrollmentId} not found`, false);
  if (enrollment.status !== "confirmed") {
    return { enrollmentId: params.enrollmentId, skipped: `enrollment is ${enrollment.status}, not confirmed`, outcomes: [] };
  }
  const outcomes: ProviderOutcome[] = [];
  const moodle = await moodleConfig(db, options);
  if (moodle && enrollment.course.campusCourseId) {
    const accountId = await markCampusAccountPending(db, { studentId: enrollment.student.id, provider: "moodle" });
    const outcome = await db.transaction(async (tx) => {
      const account = await lockCampusAccount(tx, accountId);
      return account ? provisionMoodleAccount(tx, account, new MoodleProvisioner(moodle)) : undefined;
    });
    if (outcome) outcomes.push(outcome);
  }

  const webhook = new WebhookProvisioner(db, options.webhooks);
  try {
    const result = await webhook.provision(requestOf(enrollment));
    if (result.detail !== NO_ENDPOINT) outcomes.push({ provider: "webhook", status: result.status, externalUserId: null, error: result.detail });
  } catch (error) {
    outcomes.push({ provider: "webhook", status: "failed", externalUserId: null, error: errorText(error) });
  }

  if (outcomes.length > 0) {
    await recordAudit(
      db,
      ...outcomes.map((o) => ({
        source: "system" as const,
        action: o.status === "failed" ? "campus.provisioning_failed" : "campus.provisioned",
        enrollmentId: params.enrollmentId,
        data: { provider: o.provider, status: o.status, externalUserId: o.externalUserId, ...(o.error ? { error: o.error } : {}) },
      })),
    );
  }
  return { enrollmentId: params.enrollmentId, outcomes };
}

/** Staff's retry button: failed webhook deliveries go back to the queue, then everything runs again. */
export async function retryProvisioning(db: Db, enrollmentId: string, options: CampusOptions = {}): Promise<ProvisionReport> {
  await requeueFailedDeliveries(db, { dedupeKey: enrollmentDedupeKey(enrollmentId) });
  return provisionStudent(db, { enrollmentId }, options);
}

/**
 * The background sweep (for a job or cron route): provisions pending Moodle accounts, one per
 * transaction, skipping rows another worker holds, then sends due webhook deliveries.
 */
export async function runCampusProvisioning(
  db: Db,
  options: CampusOptions & { maxAccounts?: number } = {},
): Promise<{ moodle: { active: number; failed: number }; webhooks: DrainResult }> {
  const moodle = { active: 0, failed: 0 };
  const config = await moodleConfig(db, options);
  if (config) {
    const provisioner = new MoodleProvisioner(config);
    for (let i = 0; i < (options.maxAccounts ?? 100); i++) {
      const outcome = await db.transaction(async (tx) => {
        const account = await claimPendingCampusAccount(tx, "moodle");
        return account ? provisionMoodleAccount(tx, account, provisioner) : undefined;
      });
      if (!outcome) break;
      moodle[outcome.status === "failed" ? "failed" : "active"] += 1;
    }
  }
  const webhooks = await deliverDueWebhooks(db, options.webhooks);
  return { moodle, webhooks };
}

/** What staff see for an enrollment: the student's campus accounts and this enrollment's deliveries. */
export async function campusStatus(db: DbOrTx, enrollmentId: string): Promise<{ accounts: CampusAccountView[]; deliveries: DeliveryView[] } | undefined> {
  const enrollment = await loadEnrollmentForCampus(db, enrollmentId);
  if (!enrollment) return undefined;
  return { accounts: await campusAccountsOf(db, enrollment.student.id), deliveries: await deliveriesFor(db, enrollmentDedupeKey(enrollmentId)) };
}

/** Provisions a locked account row inside its transaction; the outcome is written before commit. */
async function provisionMoodleAccount(tx: DbOrTx, account: LockedCampusAccount, provisioner: MoodleProvisioner): Promise<ProviderOutcome> {
  const student = await loadStudentForCampus(tx, account.studentId);
  const courses = await mappedConfirmedCourses(tx, account.studentId);
  if (!student) {
    await recordCampusOutcome(tx, { id: account.id, status: "failed", lastError: "student not found" });
    return { provider: "moodle", status: "failed", externalUserId: account.externalUserId, error: "student not found" };
  }
  try {
    const result = await provisioner.provision({ student, courses });
    await recordCampusOutcome(tx, { id: account.id, status: "active", externalUserId: result.externalUserId ?? undefined, lastError: null });
    return { provider: "moodle", status: "active", externalUserId: result.externalUserId };
  } catch (error) {
    const message = errorText(error);
    await recordCampusOutcome(tx, { id: account.id, status: "failed", lastError: message });
    return { provider: "moodle", status: "failed", externalUserId: account.externalUserId, error: message };
  }
}

function requestOf(enrollment: EnrollmentForCampus): ProvisionRequest {
  const { campusCourseId } = enrollment.course;
  return {
    student: enrollment.student,
    trigger: { enrollmentId: enrollment.enrollmentId, course: enrollment.course },
    courses: campusCourseId ? [{ ...enrollment.course, campusCourseId }] : [],
  };
}

function errorText(error: unknown): string {
  if (error instanceof CampusError) return error.message;
  // Unexpected: keep the whole story for whoever reads last_error.
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
