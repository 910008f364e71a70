// The overdue policy's campus side against the sandbox's Moodle over HTTP, on a real PostgreSQL:
// a receipt that becomes overdue suspends the student's Moodle user (with `suspendCampus` on),
// paying it queues the restore in the payment's transaction, and the provisioning run lifts the
// suspension in Moodle. Each step leaves its audit line on the receipt.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { reminderSettingsSchema, settingKeys } from "@/lib/settings/schemas";
import { demoAcademy } from "@/lib/demo/seed";
import { recordManualPayment } from "@/lib/payments/manual";
import { issueReceipt } from "@/lib/receipts/issue";
import { addDays, sendReminders } from "@/lib/reminders/reminders";
import { calendarDate } from "@/lib/dates";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import type { MoodleState } from "@/sandbox/moodle/moodle";
import type { MoodleConfig } from "./moodle";
import { runCampusProvisioning } from "./provision";

const TOKEN = "campus-suspension-token";
let database: Database;
let sandbox: Sandbox;
let moodle: MoodleConfig;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_campus_suspension");
  await database.db.insert(t.settings).values({ key: settingKeys.academy, value: demoAcademy });
  sandbox = await startSandbox({ port: 0, env: {}, log: () => {}, moodle: { token: TOKEN, courses: ["moodle-ing-b1"] } });
  moodle = { url: sandbox.urls.moodle, token: TOKEN, timeoutMs: 5_000 };
});
afterAll(async () => {
  await sandbox?.close();
  await database?.close();
});

/** Whether the emulator's user with this idnumber is suspended (it must exist). */
async function isSuspended(idnumber: string): Promise<boolean> {
  const state = (await (await fetch(`${sandbox.url}/_control/moodle/state`)).json()) as MoodleState;
  const user = state.users.find((u) => u.idnumber === idnumber);
  if (!user) throw new Error(`no Moodle user with idnumber ${idnumber}`);
  return user.suspended === true;
}

async function campusAccount(studentId: string) {
  const [row] = await database.db
    .select({ status: t.campusAccounts.status })
    .from(t.campusAccounts)
    .where(and(eq(t.campusAccounts.studentId, studentId), eq(t.campusAccounts.provider, "moodle")));
  return row;
}

describe("campus access and the overdue policy", () => {
  it("suspends the Moodle user when the receipt becomes overdue and restores it after payment", async () => {
    const [student] = await database.db
      .insert(t.students)
      .values({ firstName: "Lucía", lastName: "Martín", email: `lucia.${randomUUID().slice(0, 8)}@correo.test` })
      .returning({ id: t.students.id, email: t.students.email });
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
        campusCourseId: "moodle-ing-b1",
      })
      .returning({ id: t.courses.id });
    await database.db.insert(t.enrollments).values({ studentId: student!.id, courseId: course!.id, status: "confirmed", confirmedAt: new Date() });
    await database.db.insert(t.campusAccounts).values({ studentId: student!.id, provider: "moodle", status: "pending" });
    expect((await runCampusProvisioning(database.db, { moodle })).moodle).toEqual({ active: 1, failed: 0 });
    expect(await isSuspended(student!.id)).toBe(false);

    const due = addDays(calendarDate(new Date()), 15);
    const receipt = await database.db.transaction((tx) =>
      issueReceipt(
        tx,
        {
          studentId: student!.id,
          kind: "monthly",
          period: "2030-01",
          concept: "Mensualidad",
          amount: 6500,
          currency: "EUR",
          dueDate: due,
          payer: { name: "Lucía Martín", email: student!.email },
        },
        "system",
      ),
    );
    const settings = reminderSettingsSchema.parse({ offsetsDays: [], overdueAfterDays: 3, notifyStaff: false, suspendCampus: true });

    // Two days after the due date: not overdue yet, nothing suspended.
    expect(await sendReminders(database.db, { now: new Date(`${addDays(due, 2)}T09:00:00Z`), settings, campus: { moodle } })).toMatchObject({
      overdue: 0,
      campusSuspended: 0,
    });
    expect(await isSuspended(student!.id)).toBe(false);

    const report = await sendReminders(database.db, { now: new Date(`${addDays(due, 3)}T09:00:00Z`), settings, campus: { moodle } });
    expect(report).toMatchObject({ overdue: 1, campusSuspended: 1, campusFailed: 0 });
    expect(await isSuspended(student!.id)).toBe(true);
    expect(await campusAccount(student!.id)).toEqual({ status: "suspended" });

    await recordManualPayment(database.db, { receiptId: receipt.id, method: "transfer", staffUserId: await staffUser() });
    expect(await campusAccount(student!.id)).toEqual({ status: "pending" });
    expect((await runCampusProvisioning(database.db, { moodle })).moodle).toEqual({ active: 1, failed: 0 });
    expect(await isSuspended(student!.id)).toBe(false);
    expect(await campusAccount(student!.id)).toEqual({ status: "active" });

    const audit = await database.db
      .select({ action: t.auditEvents.action })
      .from(t.auditEvents)
      .where(eq(t.auditEvents.receiptId, receipt.id))
      .orderBy(t.auditEvents.id);
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["receipt.overdue", "campus.suspended", "receipt.paid", "campus.restore_queued"]));
    expect(actions.indexOf("campus.suspended")).toBeLessThan(actions.indexOf("campus.restore_queued"));
  });
});

async function staffUser(): Promise<string> {
  const [staff] = await database.db
    .insert(t.staffUsers)
    .values({ email: `staff.${randomUUID().slice(0, 8)}@academia.test`, name: "Staff", passwordHash: "x", role: "staff" })
    .returning({ id: t.staffUsers.id });
  return staff!.id;
}
