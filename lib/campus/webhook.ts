// Generic signed outgoing webhook: each active endpoint subscribed to `enrollment.confirmed` gets
// one durable `webhook_deliveries` row per enrollment (dedupe key), POSTed as JSON with
// `X-Academy-Signature` (see signature.ts) and `X-Academy-Event-Id`. A 2xx answer is delivered;
// anything else (or no answer in time) is retried with exponential backoff until maxAttempts,
// then the delivery is failed and shows on the student's webhook campus account.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db/client";
import {
  claimDueDeliveries,
  endpointsByIds,
  endpointsSubscribedTo,
  insertWebhookDelivery,
  markDeliveryDelivered,
  markDeliveryFailed,
  markDeliveryRetry,
  upsertCampusAccount,
  webhookStateOfStudent,
  type ClaimedDelivery,
} from "@/db/queries/campus";
import { appEncryptionKey, decryptSecret } from "@/lib/crypto/secrets";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signPayload } from "./signature";
import { CampusError, type CampusProvisioner, type CampusStudent, type ProvisionRequest, type ProvisionResult, type TriggerCourse } from "./types";

export const ENROLLMENT_CONFIRMED = "enrollment.confirmed";
/** The webhook result's detail when nobody listens (nothing to record). */
export const NO_ENDPOINT = "no endpoint subscribed";

export type WebhookOptions = {
  /** APP_ENCRYPTION_KEY decoded; default from the environment. */
  encryptionKey?: Buffer;
  /** Attempts before giving up (default 8: about 2 hours with the default delays). */
  maxAttempts?: number;
  /** Delay after the first failure; doubles each time (default 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a receiver may take to answer (default 10 s). */
  timeoutMs?: number;
  /** How many deliveries one drain claims at a time (default 20), and at most how many batches (default 50). */
  batchSize?: number;
  maxBatches?: number;
  fetch?: typeof fetch;
  /** A controlled clock (tests); default the database's now(). */
  now?: () => Date;
};

/** What receivers get. `id` is stable across retries so they can de-duplicate. */
export type EnrollmentConfirmedEvent = {
  type: typeof ENROLLMENT_CONFIRMED;
  id: string;
  occurredAt: string;
  data: {
    enrollmentId: string;
    student: { id: string; firstName: string; lastName: string; email: string };
    course: { id: string; code: string; name: string; campusCourseId: string | null };
  };
};

const payloadStudentSchema = z.object({ data: z.object({ student: z.object({ id: z.string() }) }) });

export function enrollmentDedupeKey(enrollmentId: string): string {
  return `${ENROLLMENT_CONFIRMED}:${enrollmentId}`;
}

/** Delay before the attempt after `attempt` (1-based) failed: base · 2^(attempt-1), capped. */
export function backoffMs(attempt: number, options: Pick<WebhookOptions, "baseDelayMs" | "maxDelayMs"> = {}): number {
  const base = options.baseDelayMs ?? 30_000;
  const max = options.maxDelayMs ?? 6 * 3600_000;
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

/**
 * Queues the event for every subscribed endpoint (idempotent: one row per endpoint and
 * enrollment). Returns how many endpoints are subscribed.
 */
export async function enqueueEnrollmentWebhooks(
  db: DbOrTx,
  request: { enrollmentId: string; student: CampusStudent; course: TriggerCourse },
  occurredAt: Date = new Date(),
): Promise<number> {
  const endpoints = await endpointsSubscribedTo(db, ENROLLMENT_CONFIRMED);
  const event: EnrollmentConfirmedEvent = {
    type: ENROLLMENT_CONFIRMED,
    id: `evt_${randomUUID()}`,
    occurredAt: occurredAt.toISOString(),
    data: {
      enrollmentId: request.enrollmentId,
      student: { id: request.student.id, firstName: request.student.firstName, lastName: request.student.lastName, email: request.student.email },
      course: request.course,
    },
  };
  for (const endpoint of endpoints) {
    await insertWebhookDelivery(db, {
      endpointId: endpoint.id,
      eventType: ENROLLMENT_CONFIRMED,
      payload: event,
      dedupeKey: enrollmentDedupeKey(request.enrollmentId),
    });
  }
  return endpoints.length;
}

export type DrainResult = { delivered: number; retried: number; failed: number };

/**
 * Sends the deliveries that are due (all, or only one enrollment's), claiming them with
 * FOR UPDATE SKIP LOCKED so concurrent drains never send the same attempt twice.
 */
export async function deliverDueWebhooks(db: Db, options: WebhookOptions & { enrollmentId?: string } = {}): Promise<DrainResult> {
  const result: DrainResult = { delivered: 0, retried: 0, failed: 0 };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const touchedStudents = new Set<string>();
  // Bounded: with very short retry delays a drain could otherwise keep re-claiming the same rows.
  for (let round = 0; round < (options.maxBatches ?? 50); round++) {
    const now = options.now?.();
    const batch = await claimDueDeliveries(db, {
      now,
      limit: options.batchSize ?? 20,
      // The lease outlives the request: a worker that dies mid-request frees the row afterwards.
      leaseMs: timeoutMs + 30_000,
      dedupeKey: options.enrollmentId === undefined ? undefined : enrollmentDedupeKey(options.enrollmentId),
    });
    if (batch.length === 0) break;
    const endpoints = new Map((await endpointsByIds(db, [...new Set(batch.map((d) => d.endpointId))])).map((e) => [e.id, e]));
    await Promise.all(
      batch.map(async (delivery) => {
        const outcome = await attempt(delivery, endpoints.get(delivery.endpointId), { ...options, timeoutMs });
        const claim = { id: delivery.id, attempt: delivery.attempts, now: options.now?.() };
        if (outcome.ok) {
          if (await markDeliveryDelivered(db, { ...claim, statusCode: outcome.statusCode })) result.delivered += 1;
        } else if (outcome.final || delivery.attempts >= maxAttempts) {
          if (await markDeliveryFailed(db, { ...claim, statusCode: outcome.statusCode, error: outcome.error })) result.failed += 1;
        } else if (
          await markDeliveryRetry(db, { ...claim, statusCode: outcome.statusCode, error: outcome.error, delayMs: backoffMs(delivery.attempts, options) })
        ) {
          result.retried += 1;
        }
        const student = payloadStudentSchema.safeParse(delivery.payload);
        if (student.success) touchedStudents.add(student.data.data.student.id);
      }),
    );
  }
  for (const studentId of touchedStudents) await refreshWebhookAccount(db, studentId);
  return result;
}

/** Mirrors the student's deliveries onto their `webhook` campus account (what staff see). */
export async function refreshWebhookAccount(db: DbOrTx, studentId: string): Promise<void> {
  const state = await webhookStateOfStudent(db, studentId);
  if (state) await upsertCampusAccount(db, { studentId, provider: "webhook", ...state });
}

type AttemptOutcome = { ok: true; statusCode: number } | { ok: false; final: boolean; statusCode: number | null; error: string };

async function attempt(
  delivery: ClaimedDelivery,
  endpoint: { url: string; secretEncrypted: string; active: boolean } | undefined,
  options: WebhookOptions & { timeoutMs: number },
): Promise<AttemptOutcome> {
  if (!endpoint) return { ok: false, final: true, statusCode: null, error: "endpoint deleted" };
  if (!endpoint.active) return { ok: false, final: true, statusCode: null, error: "endpoint deactivated" };
  const key = options.encryptionKey ?? appEncryptionKey();
  if (!key) return { ok: false, final: false, statusCode: null, error: "APP_ENCRYPTION_KEY is not set: cannot read the endpoint secret" };
  let secret: string;
  try {
    secret = decryptSecret(endpoint.secretEncrypted, key);
  } catch (error) {
    // Retrying helps once the key is fixed; until then every attempt fails the same way.
    return { ok: false, final: false, statusCode: null, error: error instanceof Error ? error.message : String(error) };
  }
  const body = JSON.stringify(delivery.payload);
  const eventId = z.object({ id: z.string() }).safeParse(delivery.payload);
  const timestamp = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  try {
    const res = await (options.fetch ?? fetch)(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "academy-pay-webhooks/1",
        [SIGNATURE_HEADER]: signPayload(secret, body, timestamp),
        [EVENT_ID_HEADER]: eventId.success ? eventId.data.id : delivery.id,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The answer's body is irrelevant; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status };
    return { ok: false, final: false, statusCode: res.status, error: `HTTP ${res.status}` };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === "TimeoutError"
        ? `no answer within ${options.timeoutMs} ms`
        : error instanceof Error
          ? error.message
          : String(error);
    return { ok: false, final: false, statusCode: null, error: reason };
  }
}

/**
 * The webhook as a campus adapter: queue the event for this enrollment and try it right away.
 * Active when every endpoint took it; pending while retries are scheduled; a CampusError when a
 * delivery gave up.
 */
export class WebhookProvisioner implements CampusProvisioner {
  readonly provider = "webhook" as const;

  constructor(
    private readonly db: Db,
    private readonly options: WebhookOptions = {},
  ) {}

  async provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const { trigger } = request;
    if (!trigger) throw new CampusError("the webhook announces an enrollment: none given", false);
    const subscribed = await enqueueEnrollmentWebhooks(this.db, { ...trigger, student: request.student });
    if (subscribed === 0) return { externalUserId: null, status: "active", detail: NO_ENDPOINT };
    await deliverDueWebhooks(this.db, { ...this.options, enrollmentId: trigger.enrollmentId });
    const state = await webhookStateOfStudent(this.db, request.student.id);
    if (state?.status === "failed") throw new CampusError(state.lastError ?? "webhook delivery failed", true);
    return { externalUserId: null, status: state?.status ?? "pending", detail: state?.lastError ?? undefined };
  }
}
