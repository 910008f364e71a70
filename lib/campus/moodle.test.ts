// Moodle provisioning against the sandbox's Moodle emulator over HTTP, on a real PostgreSQL:
// account creation and enrolment, idempotency, recorded failures and the staff retry.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import type { MoodleState } from "@/sandbox/moodle/moodle";
import { moodleUsername, type MoodleConfig } from "./moodle";
import { enqueueCampusProvisioning, provisionStudent, retryProvisioning, runCampusProvisioning } from "./provision";

const TOKEN = "campus-test-token";
let database: Database;
let sandbox: Sandbox;
let moodle: MoodleConfig;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_campus_moodle");
  sandbox = await startSandbox({ port: 0, env: {}, log: () => {}, moodle: { token: TOKEN, courses: ["moodle-ing-b1", "moodle-fr-a1", 77] } });
  moodle = { url: sandbox.urls.moodle, token: TOKEN, timeoutMs: 5_000 };
});
afterAll(async () => {
  await sandbox?.close();
  await database?.close();
});
beforeEach(() => sandbox.reset());

async function moodleState(): Promise<MoodleState> {
  return (await (await fetch(`${sandbox.url}/_control/moodle/state`)).json()) as MoodleState;
}

async function setFaults(failNext: number, mode: "http503" | "exception" = "http503", wsfunction?: string): Promise<void> {
  const res = await fetch(`${sandbox.url}/_control/moodle/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ failNext, mode, wsfunction }),
  });
  expect(res.status).toBe(200);
}

async function newStudent(email = `ana.${randomUUID().slice(0, 8)}@correo.test`) {
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Ana", lastName: "Pérez Gil", email })
    .returning({ id: t.students.id, email: t.students.email });
  return student!;
}

async function newCourse(campusCourseId: string | null) {
  const [course] = await database.db
    .insert(t.courses)
    .values({
      code: `C-${randomUUID().slice(0, 8)}`,
      name: "Inglés B1",
      startDate: "2026-09-01",
      endDate: "2027-06-30",
      capacity: 10,
      enrollmentFee: 4000,
      monthlyFee: 6500,
      status: "open",
      campusCourseId,
    })
    .returning({ id: t.courses.id });
  return course!.id;
}

async function confirmedEnrollment(studentId: string, courseId: string, status: "confirmed" | "pending_payment" = "confirmed") {
  const [e] = await database.db
    .insert(t.enrollments)
    .values({ studentId, courseId, status, confirmedAt: status === "confirmed" ? new Date() : null })
    .returning({ id: t.enrollments.id });
  return e!.id;
}

async function account(studentId: string) {
  const [row] = await database.db
    .select()
    .from(t.campusAccounts)
    .where(and(eq(t.campusAccounts.studentId, studentId), eq(t.campusAccounts.provider, "moodle")));
  return row;
}

function courseIdOf(state: MoodleState, idnumber: string): number {
  const course = state.courses.find((c) => c.idnumber === idnumber);
  if (!course) throw new Error(`no course ${idnumber} in the emulator`);
  return course.id;
}

describe("Moodle provisioning", () => {
  it("a confirmed enrollment, enqueued in the payment transaction, becomes a Moodle user enrolled in the mapped course", async () => {
    const student = await newStudent();
    const enrollmentId = await confirmedEnrollment(student.id, await newCourse("moodle-ing-b1"));

    const queued = await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle }));
    expect(queued).toEqual({ moodle: true, webhooks: 0 });
    expect((await account(student.id))?.status).toBe("pending");
    expect((await moodleState()).users).toEqual([]);

    const run = await runCampusProvisioning(database.db, { moodle });
    expect(run.moodle).toEqual({ active: 1, failed: 0 });

    const state = await moodleState();
    expect(state.users).toHaveLength(1);
    const user = state.users[0]!;
    expect(user).toMatchObject({
      username: student.email,
      email: student.email,
      idnumber: student.id,
      firstname: "Ana",
      lastname: "Pérez Gil",
      auth: "manual",
      password: "generated",
    });
    expect(state.enrolments).toEqual([expect.objectContaining({ userid: user.id, courseid: courseIdOf(state, "moodle-ing-b1"), roleid: 5 })]);
    expect(await account(student.id)).toMatchObject({ status: "active", externalUserId: String(user.id), lastError: null });
  });

  it("running again (enqueue, sweep, direct) neither duplicates the user nor fails", async () => {
    const student = await newStudent();
    const enrollmentId = await confirmedEnrollment(student.id, await newCourse("moodle-ing-b1"));
    const first = await provisionStudent(database.db, { enrollmentId }, { moodle });
    expect(first.outcomes).toEqual([expect.objectContaining({ provider: "moodle", status: "active" })]);
    await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle }));
    await database.db.transaction((tx) => enqueueCampusProvisioning(tx, enrollmentId, { moodle }));
    await runCampusProvisioning(database.db, { moodle });
    const second = await provisionStudent(database.db, { enrollmentId }, { moodle });
    expect(second.outcomes).toEqual([{ provider: "moodle", status: "active", externalUserId: first.outcomes[0]!.externalUserId }]);

    const state = await moodleState();
    expect(state.users).toHaveLength(1);
    expect(state.enrolments).toHaveLength(1);
    const rows = await database.db.select().from(t.campusAccounts).where(eq(t.campusAccounts.studentId, student.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "active" });
  });

  it("records a Moodle failure (failed, last_error, timeline) and the staff retry succeeds once Moodle is back", async () => {
    const student = await newStudent();
    const enrollmentId = await confirmedEnrollment(student.id, await newCourse("moodle-ing-b1"));
    await setFaults(100);

    const failed = await provisionStudent(database.db, { enrollmentId }, { moodle });
    expect(failed.outcomes).toEqual([expect.objectContaining({ provider: "moodle", status: "failed", error: expect.stringContaining("HTTP 503") })]);
    expect(await account(student.id)).toMatchObject({ status: "failed", lastError: expect.stringContaining("HTTP 503") });
    const timeline = await database.db.select().from(t.auditEvents).where(eq(t.auditEvents.enrollmentId, enrollmentId));
    expect(timeline.map((e) => e.action)).toContain("campus.provisioning_failed");
    expect((await moodleState()).users).toEqual([]);

    // A failed account is not picked up by the sweep on its own: staff decide.
    expect((await runCampusProvisioning(database.db, { moodle })).moodle).toEqual({ active: 0, failed: 0 });

    await setFaults(0);
    const retried = await retryProvisioning(database.db, enrollmentId, { moodle });
    expect(retried.outcomes).toEqual([expect.objectContaining({ provider: "moodle", status: "active" })]);
    expect(await account(student.id)).toMatchObject({ status: "active", lastError: null });
    const state = await moodleState();
    expect(state.users).toHaveLength(1);
    expect(state.enrolments).toEqual([expect.objectContaining({ courseid: courseIdOf(state, "moodle-ing-b1") })]);
  });

  it("finishes after a failure half-way (user created, enrolment refused) without a second user", async () => {
    const student = await newStudent();
    const enrollmentId = await confirmedEnrollment(student.id, await newCourse("moodle-ing-b1"));
    const wrongToken = await provisionStudent(database.db, { enrollmentId }, { moodle: { ...moodle, token: "wrong" } });
    expect(wrongToken.outcomes[0]).toMatchObject({ status: "failed", error: expect.stringContaining("invalidtoken") });

    await setFaults(1, "exception", "enrol_manual_enrol_users");
    const halfway = await provisionStudent(database.db, { enrollmentId }, { moodle });
    expect(halfway.outcomes[0]).toMatchObject({ status: "failed", error: expect.stringContaining("dmlreadexception") });
    expect(await account(student.id)).toMatchObject({ status: "failed", lastError: expect.stringContaining("enrol_manual_enrol_users") });
    expect((await moodleState()).users).toHaveLength(1);
    expect((await moodleState()).enrolments).toHaveLength(0);

    const ok = await retryProvisioning(database.db, enrollmentId, { moodle });
    expect(ok.outcomes[0]).toMatchObject({ status: "active" });
    const state = await moodleState();
    expect(state.users).toHaveLength(1);
    expect(state.enrolments).toHaveLength(1);
  });

  it("enrols a second course into the same account, maps numeric course ids, and reports an unknown idnumber", async () => {
    const student = await newStudent();
    const first = await confirmedEnrollment(student.id, await newCourse("moodle-ing-b1"));
    await provisionStudent(database.db, { enrollmentId: first }, { moodle });
    const second = await confirmedEnrollment(student.id, await newCourse("77"));
    await database.db.transaction((tx) => enqueueCampusProvisioning(tx, second, { moodle }));
    expect((await account(student.id))?.status).toBe("pending");
    await runCampusProvisioning(database.db, { moodle });
    const state = await moodleState();
    expect(state.users).toHaveLength(1);
    expect(state.enrolments.map((e) => e.courseid).sort((a, b) => a - b)).toEqual([77, courseIdOf(state, "moodle-ing-b1")].sort((a, b) => a - b));

    const third = await confirmedEnrollment(student.id, await newCourse("moodle-nope"));
    const report = await provisionStudent(database.db, { enrollmentId: third }, { moodle });
    expect(report.outcomes[0]).toMatchObject({ status: "failed", error: expect.stringContaining('no course with idnumber "moodle-nope"') });
    expect(await account(student.id)).toMatchObject({ status: "failed", lastError: expect.stringContaining("moodle-nope") });
  });

  it("adopts a hand-made Moodle account with the student's username and email, and never another person's", async () => {
    const student = await newStudent();
    const ws = (wsfunction: string, params: Record<string, string>) =>
      fetch(`${sandbox.urls.moodle}/webservice/rest/server.php`, {
        method: "POST",
        body: new URLSearchParams({ wstoken: TOKEN, wsfunction, moodlewsrestformat: "json", ...params }),
      });
    await ws("core_user_create_users", {
      "users[0][username]": student.email,
      "users[0][firstname]": "Ana",
      "users[0][lastname]": "P",
      "users[0][email]": student.email,
      "users[0][createpassword]": "1",
    });
    const enrollmentId = await confirmedEnrollment(student.id, await newCourse("moodle-ing-b1"));
    const report = await provisionStudent(database.db, { enrollmentId }, { moodle });
    const state = await moodleState();
    expect(state.users).toHaveLength(1);
    expect(report.outcomes[0]).toMatchObject({ status: "active", externalUserId: String(state.users[0]!.id) });
    expect(state.users[0]!.idnumber).toBe(student.id);

    // A sibling with the same (parent's) email: Moodle refuses a second account with that email
    // by default; the failure is recorded, and the sibling is not enrolled as their brother.
    const sibling = await newStudent(student.email);
    const siblingEnrollment = await confirmedEnrollment(sibling.id, await newCourse("moodle-ing-b1"));
    const siblingReport = await provisionStudent(database.db, { enrollmentId: siblingEnrollment }, { moodle });
    expect(siblingReport.outcomes[0]).toMatchObject({ status: "failed", error: expect.stringContaining("Email address already exists") });
    expect((await moodleState()).enrolments).toHaveLength(1);
  });

  it("does nothing for an enrollment that is not confirmed, or a course without a campus id", async () => {
    const student = await newStudent();
    const pending = await confirmedEnrollment(student.id, await newCourse("moodle-ing-b1"), "pending_payment");
    expect(await provisionStudent(database.db, { enrollmentId: pending }, { moodle })).toMatchObject({
      skipped: expect.stringContaining("pending_payment"),
      outcomes: [],
    });
    expect(await database.db.transaction((tx) => enqueueCampusProvisioning(tx, pending, { moodle }))).toEqual({ moodle: false, webhooks: 0 });
    const unmapped = await confirmedEnrollment(student.id, await newCourse(null));
    expect(await database.db.transaction((tx) => enqueueCampusProvisioning(tx, unmapped, { moodle }))).toEqual({ moodle: false, webhooks: 0 });
    expect((await provisionStudent(database.db, { enrollmentId: unmapped }, { moodle })).outcomes).toEqual([]);
    expect(await account(student.id)).toBeUndefined();
    expect((await moodleState()).calls).toEqual([]);
  });
});

describe("moodleUsername", () => {
  it("is the lower-cased email reduced to Moodle's username characters, with a stable suffix on demand", () => {
    const id = "0a1b2c3d-0000-4000-8000-000000000000";
    expect(moodleUsername({ email: " Ána.Pérez+Curso@Correo.TEST ", id })).toBe("ana.perezcurso@correo.test");
    expect(moodleUsername({ email: "ana@correo.test", id }, true)).toBe("ana@correo.test.0a1b2c3d");
    expect(moodleUsername({ email: "ana@correo.test", id })).toMatch(/^[a-z0-9_.@-]+$/);
  });
});
