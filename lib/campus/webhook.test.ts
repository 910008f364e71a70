// The signed outgoing webhook on a real PostgreSQL against a small node:http receiver: signature
// the receiver verifies, retries with backoff, giving up, the staff retry, and one send per
// attempt when drains run concurrently.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { decodeEncryptionKey } from "@/lib/env";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { waitFor } from "@/sandbox/test-support/wait-for";
import { encryptSecret } from "@/lib/crypto/secrets";
import { enqueueCampusProvisioning, provisionStudent, retryProvisioning, runCampusProvisioning } from "./provision";
import { verifySignature } from "./signature";
import { backoffMs, deliverDueWebhooks, type WebhookOptions } from "./webhook";

const key = decodeEncryptionKey("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100")!;
const SECRET = "whsec_receiver_secret_123";
let database: Database;

type Hit = { rawBody: string; headers: Record<string, string>; at: number };
type Receiver = { url: string; hits: Hit[]; fail: number; hang: boolean; close: () => Promise<void> };

/** Records each POST; answers 500 while `fail` > 0, never answers while `hang`. */
async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: "", hits: [], fail: 0, hang: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      receiver.hits.push({ rawBody: Buffer.concat(chunks).toString("utf8"), headers, at: Date.now() });
      if (receiver.hang) return;
      const status = receiver.fail > 0 ? 500 : 204;
      if (receiver.fail > 0) receiver.fail -= 1;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/academy`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

let receiver: Receiver;
const fast: WebhookOptions = { encryptionKey: key, baseDelayMs: 150, maxAttempts: 4, timeoutMs: 2_000 };

beforeAll(async () => {
  database = await openTestDatabase("academy_test_campus_webhook");
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await database?.close();
});
beforeEach(async () => {
  receiver.hits.length = 0;
  receiver.fail = 0;
  receiver.hang = false;
  // Each test gets its own endpoints: earlier ones are switched off.
  await database.db.update(t.webhookEndpoints).set({ active: false });
});

async function endpoint(url: string, events: string[] = ["enrollment.confirmed"], active = true) {
  const [row] = await database.db
    .insert(t.webhookEndpoints)
    .values({ url, secretEncrypted: encryptSecret(SECRET, key), events, active })
    .returning({ id: t.webhookEndpoints.id });
  return row!.id;
}

async function confirmedEnrollment() {
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Luis", lastName: "García", email: `luis.${randomUUID().slice(0, 6)}@correo.test` })
    .returning({ id: t.students.id });
  const [course] = await database.db
    .insert(t.courses)
    .values({
      code: `W-${randomUUID().slice(0, 8)}`,
      name: "Alemán A2",
      startDate: "2026-09-01",
      endDate: "2027-06-30",
      capacity: 10,
      enrollmentFee: 4000,
      monthlyFee: 6500,
      status: "open",
      campusCourseId: "moodle-de-a2",
    })
    .returning({ id: t.courses.id });
  const [e] = await database.db
    .insert(t.enrollments)
    .values({ studentId: student!.id, courseId: course!.id, status: "confirmed", confirmedAt: new Date() })
    .returning({ id: t.enrollments.id });
  return { enrollmentId: e!.id, studentId: student!.id, courseId: course!.id };
}

async function deliveries(enrollmentId: string) {
  return database.db
    .select()
    .from(t.webhookDeliveries)
    .where(eq(t.webhookDeliveries.dedupeKey, `enrollment.confirmed:${enrollmentId}`));
}

async function webhookAccount(studentId: string) {
  const [row] = await database.db
    .select()
    .from(t.campusAccounts)
    .where(and(eq(t.campusAccounts.studentId, studentId), eq(t.campusAccounts.provider, "webhook")));
  return row;
}

/** Drains until the condition holds: retries become due by the clock, so we poll, never sleep blindly. */
async function drainUntil(probe: () => Promise<boolean>, options: WebhookOptions = fast, what = "deliveries") {
  await waitFor(
    async () => {
      await deliverDueWebhooks(database.db, options);
      return probe();
    },
    { timeoutMs: 15_000, intervalMs: 20, what },
  );
}

describe("outgoing webhook", () => {
  it("delivers enrollment.confirmed signed with the endpoint's secret, only to active subscribed endpoints", async () => {
    await endpoint(receiver.url);
    await endpoint(`${receiver.url}?other-event`, ["receipt.paid"]);
    await endpoint(`${receiver.url}?inactive`, ["enrollment.confirmed"], false);
    const { enrollmentId, studentId, courseId } = await confirmedEnrollment();

    const queued = await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle: null }));
    expect(queued).toEqual({ moodle: false, webhooks: 1 });
    // Enqueueing twice (a replayed payment webhook) queues nothing more.
    await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle: null }));
    expect(await deliveries(enrollmentId)).toHaveLength(1);
    expect(await webhookAccount(studentId)).toMatchObject({ status: "pending" });
    expect(receiver.hits).toHaveLength(0);

    const run = await runCampusProvisioning(database.db, { moodle: null, webhooks: fast });
    expect(run.webhooks).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(receiver.hits).toHaveLength(1);
    const hit = receiver.hits[0]!;
    expect(hit.headers["content-type"]).toBe("application/json");
    expect(verifySignature(SECRET, hit.rawBody, hit.headers["x-academy-signature"])).toBe(true);
    expect(verifySignature("whsec_wrong_secret", hit.rawBody, hit.headers["x-academy-signature"])).toBe(false);
    expect(verifySignature(SECRET, hit.rawBody.replace("Luis", "Lucas"), hit.headers["x-academy-signature"])).toBe(false);

    const body: unknown = JSON.parse(hit.rawBody);
    expect(body).toMatchObject({
      type: "enrollment.confirmed",
      id: hit.headers["x-academy-event-id"],
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: {
        enrollmentId,
        student: { id: studentId, firstName: "Luis", lastName: "García" },
        course: { id: courseId, name: "Alemán A2", campusCourseId: "moodle-de-a2" },
      },
    });
    const [row] = await deliveries(enrollmentId);
    expect(row).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 204, lastError: null });
    expect(row!.deliveredAt).toBeInstanceOf(Date);
    expect(await webhookAccount(studentId)).toMatchObject({ status: "active", lastError: null });

    // Nothing left to send.
    expect(await deliverDueWebhooks(database.db, fast)).toEqual({ delivered: 0, retried: 0, failed: 0 });
  });

  it("retries a 500 with exponential backoff, then delivers the same event", async () => {
    await endpoint(receiver.url);
    const { enrollmentId } = await confirmedEnrollment();
    await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle: null }));
    receiver.fail = 2;

    const first = await deliverDueWebhooks(database.db, fast);
    expect(first).toEqual({ delivered: 0, retried: 1, failed: 0 });
    const [afterFirst] = await deliveries(enrollmentId);
    expect(afterFirst).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, lastError: "HTTP 500" });
    expect(afterFirst!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50);
    // Not due yet: an immediate drain sends nothing.
    expect(await deliverDueWebhooks(database.db, fast)).toEqual({ delivered: 0, retried: 0, failed: 0 });

    await drainUntil(async () => (await deliveries(enrollmentId))[0]?.status === "delivered");
    const [done] = await deliveries(enrollmentId);
    expect(done).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 204 });
    expect(receiver.hits).toHaveLength(3);
    const [a, b, c] = receiver.hits as [Hit, Hit, Hit];
    // Backoff: 150 ms after the first failure, 300 ms after the second.
    expect(b.at - a.at).toBeGreaterThanOrEqual(backoffMs(1, fast) - 20);
    expect(c.at - b.at).toBeGreaterThanOrEqual(backoffMs(2, fast) - 20);
    expect(new Set(receiver.hits.map((h) => h.headers["x-academy-event-id"])).size).toBe(1);
    for (const hit of receiver.hits) expect(verifySignature(SECRET, hit.rawBody, hit.headers["x-academy-signature"])).toBe(true);
  });

  it("gives up after maxAttempts (failed, visible on the account), and the staff retry delivers it", async () => {
    await endpoint(receiver.url);
    const { enrollmentId, studentId } = await confirmedEnrollment();
    await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle: null }));
    receiver.fail = 1_000;
    const options: WebhookOptions = { ...fast, maxAttempts: 3, baseDelayMs: 50 };

    await drainUntil(async () => (await deliveries(enrollmentId))[0]?.status === "failed", options);
    expect((await deliveries(enrollmentId))[0]).toMatchObject({ status: "failed", attempts: 3, lastStatusCode: 500 });
    expect(receiver.hits).toHaveLength(3);
    expect(await webhookAccount(studentId)).toMatchObject({ status: "failed", lastError: expect.stringContaining("HTTP 500") });
    // Given up means given up: no further sends.
    await deliverDueWebhooks(database.db, options);
    expect(receiver.hits).toHaveLength(3);

    receiver.fail = 0;
    const report = await retryProvisioning(database.db, enrollmentId, { moodle: null, webhooks: options });
    expect(report.outcomes).toEqual([{ provider: "webhook", status: "active", externalUserId: null }]);
    expect((await deliveries(enrollmentId))[0]).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 204 });
    expect(await webhookAccount(studentId)).toMatchObject({ status: "active", lastError: null });
    const timeline = await database.db.select().from(t.auditEvents).where(eq(t.auditEvents.enrollmentId, enrollmentId));
    expect(timeline.map((e) => e.action)).toContain("campus.provisioned");
  });

  it("treats no answer in time as a failure to retry", async () => {
    await endpoint(receiver.url);
    const { enrollmentId } = await confirmedEnrollment();
    receiver.hang = true;
    const report = await provisionStudent(database.db, { enrollmentId }, { moodle: null, webhooks: { ...fast, timeoutMs: 200 } });
    expect(report.outcomes).toEqual([expect.objectContaining({ provider: "webhook", status: "pending" })]);
    expect((await deliveries(enrollmentId))[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatusCode: null,
      lastError: expect.stringContaining("no answer within 200 ms"),
    });
  });

  it("does not deliver when the stored secret cannot be decrypted, and says why", async () => {
    await endpoint(receiver.url);
    const { enrollmentId } = await confirmedEnrollment();
    await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle: null }));
    await deliverDueWebhooks(database.db, { ...fast, encryptionKey: Buffer.alloc(32, 7) });
    expect(receiver.hits).toHaveLength(0);
    expect((await deliveries(enrollmentId))[0]).toMatchObject({ status: "pending", lastError: expect.stringContaining("wrong APP_ENCRYPTION_KEY") });
  });

  it("sends each due delivery once when several drains run at the same time", async () => {
    await endpoint(receiver.url);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { enrollmentId } = await confirmedEnrollment();
      await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle: null }));
      ids.push(enrollmentId);
    }
    const results = await Promise.all([1, 2, 3].map(() => deliverDueWebhooks(database.db, { ...fast, batchSize: 2 })));
    expect(results.reduce((n, r) => n + r.delivered, 0)).toBe(6);
    expect(receiver.hits).toHaveLength(6);
    expect(new Set(receiver.hits.map((h) => h.headers["x-academy-event-id"])).size).toBe(6);
    for (const id of ids) expect((await deliveries(id))[0]).toMatchObject({ status: "delivered", attempts: 1 });
  });
});
