// Reminders and the overdue policy on a real PostgreSQL and a real SMTP server, with a controlled
// clock: the calendar walked day by day around a due date (nothing is sent after the payment),
// a late run that sends only the latest due reminder, a reminder still queued when the receipt is
// paid, the overdue mark with its audit line and one staff digest, and the settings read from the
// database.
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import * as t from "@/db/schema";
import { reminderSettingsSchema, settingKeys, type ReminderSettings } from "@/lib/settings/schemas";
import { calendarDate } from "@/lib/dates";
import { demoAcademy } from "@/lib/demo/seed";
import { deliverDueMessages } from "@/lib/messaging/outbox";
import { createMailTransport, type MailTransport } from "@/lib/messaging/transport";
import { recordManualPayment } from "@/lib/payments/manual";
import { issueReceipt } from "@/lib/receipts/issue";
import { lookUpPaymentLink } from "@/lib/receipts/payment-links";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startTestSmtpServer, type TestSmtpServer } from "@/scripts/testing/smtp-server";
import { addDays, latestDueOffset, sendReminders } from "./reminders";

let database: Database;
let smtp: TestSmtpServer;
let transport: MailTransport;
let staffUserId: string;

const settings: ReminderSettings = reminderSettingsSchema.parse({ offsetsDays: [-3, 0, 7], overdueAfterDays: 1, notifyStaff: true, suspendCampus: false });

beforeAll(async () => {
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_reminders");
  database = await openDatabase({ databaseDriver: "pg", DATABASE_URL: url, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
  await database.migrate();
  await database.db.insert(t.settings).values({ key: settingKeys.academy, value: demoAcademy });
  const [staff] = await database.db
    .insert(t.staffUsers)
    .values({ email: "sec@academia.test", name: "Sec", passwordHash: "x", role: "staff" })
    .returning({ id: t.staffUsers.id });
  staffUserId = staff!.id;
  smtp = await startTestSmtpServer();
  transport = createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: undefined, APP_URL: "http://localhost:3000" }, { academyName: demoAcademy.name });
});
afterAll(async () => {
  transport?.close();
  await smtp?.close();
  await database?.close();
});
beforeEach(async () => {
  // Each test starts with no pending receipts from the others (they would be reminded too).
  await database.db.update(t.receipts).set({ status: "cancelled", cancelledAt: new Date() }).where(eq(t.receipts.status, "pending"));
});

/** 09:00 in Madrid on `date` (08:00 UTC in winter, 07:00 in summer; either is that date in Madrid). */
function morningOf(date: string): Date {
  return new Date(`${date}T07:30:00Z`);
}

let serial = 0;
async function pendingReceipt(dueDate: string, email: string) {
  serial += 1;
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Ana", lastName: `Gil ${serial}`, email })
    .returning({ id: t.students.id });
  return database.db.transaction((tx) =>
    issueReceipt(
      tx,
      {
        studentId: student!.id,
        kind: "monthly",
        period: `2030-${String((serial % 12) + 1).padStart(2, "0")}`,
        concept: `Mensualidad ${serial}`,
        amount: 8950,
        currency: "EUR",
        dueDate,
        payer: { name: "Ana Gil", email },
      },
      "system",
    ),
  );
}

async function remindersOf(receiptId: string) {
  return database.db
    .select({ dedupeKey: t.messages.dedupeKey, status: t.messages.status, subject: t.messages.subject, lastError: t.messages.lastError })
    .from(t.messages)
    .where(and(eq(t.messages.receiptId, receiptId), like(t.messages.dedupeKey, "reminder:%")))
    .orderBy(t.messages.createdAt);
}

const realToday = calendarDate(new Date());

describe("latestDueOffset", () => {
  it("takes the latest offset whose date has come, never one before the receipt was issued", () => {
    const base = { dueDate: "2030-05-10", issuedOn: "2030-05-01", offsetsDays: [-3, 0, 7] };
    expect(latestDueOffset({ ...base, today: "2030-05-06" })).toBeUndefined();
    expect(latestDueOffset({ ...base, today: "2030-05-07" })).toBe(-3);
    expect(latestDueOffset({ ...base, today: "2030-05-12" })).toBe(0);
    expect(latestDueOffset({ ...base, today: "2030-06-30" })).toBe(7);
    expect(latestDueOffset({ ...base, issuedOn: "2030-05-09", today: "2030-05-09" })).toBeUndefined();
    expect(addDays("2030-02-27", 3)).toBe("2030-03-02");
  });
});

describe("sendReminders with a controlled clock", () => {
  it("walks from 5 days before the due date to 10 after: reminders at -3 and 0, overdue at +1, payment at +2, nothing after", async () => {
    const due = addDays(realToday, 20);
    const paid = await pendingReceipt(due, "paga@familia.test");
    const control = await pendingReceipt(due, "nopaga@familia.test");

    const log: { day: number; paidReminders: number; controlReminders: number; overdue: number; digest: boolean }[] = [];
    for (let day = -5; day <= 10; day++) {
      const now = morningOf(addDays(due, day));
      if (day === 2) await recordManualPayment(database.db, { receiptId: paid.id, method: "transfer", staffUserId });
      const before = { paid: (await remindersOf(paid.id)).length, control: (await remindersOf(control.id)).length };
      const report = await sendReminders(database.db, { now, settings });
      await deliverDueMessages(database.db, { transport, now });
      log.push({
        day,
        paidReminders: (await remindersOf(paid.id)).length - before.paid,
        controlReminders: (await remindersOf(control.id)).length - before.control,
        overdue: report.overdue,
        digest: report.digestQueued,
      });
    }

    expect(log.filter((d) => d.paidReminders > 0).map((d) => d.day)).toEqual([-3, 0]);
    // The unpaid receipt shows that day +7 would have sent one.
    expect(log.filter((d) => d.controlReminders > 0).map((d) => d.day)).toEqual([-3, 0, 7]);
    expect(log.filter((d) => d.overdue > 0)).toEqual([{ day: 1, paidReminders: 0, controlReminders: 0, overdue: 2, digest: true }]);

    // What the payers' mailboxes hold: the paying family got exactly two reminders, both before it paid.
    const toPayer = smtp.messages.filter((m) => m.to[0] === "paga@familia.test");
    expect(toPayer.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Recordatorio: Mensualidad \d+ vence el /),
      expect.stringMatching(/^Recordatorio: Mensualidad \d+ vence hoy/),
      expect.stringMatching(/^Pago recibido: /),
    ]);
    const toControl = smtp.messages.filter((m) => m.to[0] === "nopaga@familia.test");
    expect(toControl.map((m) => m.subject)).toEqual([
      expect.stringMatching(/vence el /),
      expect.stringMatching(/vence hoy/),
      expect.stringMatching(/^Recibo vencido: /),
    ]);
    // The last reminder's link is the receipt's live link.
    const token = /\/pay\/([A-Za-z0-9_-]+)/.exec(toControl[2]!.text)?.[1];
    expect(await lookUpPaymentLink(database.db, token!)).toEqual({ state: "live", receiptId: control.id });

    // Staff: one digest, naming both receipts.
    const digests = smtp.messages.filter((m) => m.to[0] === demoAcademy.email);
    expect(digests).toHaveLength(1);
    expect(digests[0]!.subject).toMatch(/^2 recibos han vencido sin pagar/);
    expect(digests[0]!.text).toContain(paid.number);
    expect(digests[0]!.text).toContain(control.number);

    const [overdue] = await database.db.select({ overdueAt: t.receipts.overdueAt }).from(t.receipts).where(eq(t.receipts.id, control.id));
    expect(overdue?.overdueAt?.toISOString()).toBe(morningOf(addDays(due, 1)).toISOString());
    const audit = await database.db.select({ action: t.auditEvents.action }).from(t.auditEvents).where(eq(t.auditEvents.receiptId, control.id));
    expect(audit.filter((a) => a.action === "receipt.overdue")).toHaveLength(1);
  });

  it("a run after days of downtime sends only the latest due reminder, and reruns send nothing", async () => {
    const due = addDays(realToday, 20);
    const receipt = await pendingReceipt(due, "tarde@familia.test");
    const late = morningOf(addDays(due, 9));
    expect(await sendReminders(database.db, { now: late, settings })).toMatchObject({ reminders: 1, overdue: 1 });
    expect((await remindersOf(receipt.id)).map((m) => m.dedupeKey)).toEqual([`reminder:${receipt.id}:7`]);
    expect(await sendReminders(database.db, { now: late, settings })).toMatchObject({ reminders: 0, overdue: 0, digestQueued: false });
    expect(await sendReminders(database.db, { now: morningOf(addDays(due, 12)), settings })).toMatchObject({ reminders: 0, overdue: 0 });
    expect(await remindersOf(receipt.id)).toHaveLength(1);
  });

  it("a reminder still waiting in the outbox when the receipt is paid is never sent", async () => {
    const due = addDays(realToday, 20);
    const receipt = await pendingReceipt(due, "justo@familia.test");
    await sendReminders(database.db, { now: morningOf(due), settings });
    expect((await remindersOf(receipt.id)).map((m) => m.status)).toEqual(["queued"]);
    await recordManualPayment(database.db, { receiptId: receipt.id, method: "cash", staffUserId });
    expect(await remindersOf(receipt.id)).toEqual([
      expect.objectContaining({ status: "failed", lastError: "not sent: the receipt was paid before this reminder went out" }),
    ]);
    await deliverDueMessages(database.db, { transport, now: morningOf(due) });
    expect(smtp.messages.filter((m) => m.to[0] === "justo@familia.test").map((m) => m.subject)).toEqual([expect.stringMatching(/^Pago recibido/)]);
  });

  it("reads the schedule and policy from the settings: disabled reminders send nothing, staff digests can be off", async () => {
    const due = addDays(realToday, 20);
    const receipt = await pendingReceipt(due, "ajustes@familia.test");
    await database.db
      .insert(t.settings)
      .values({ key: settingKeys.reminders, value: { enabled: false, offsetsDays: [-3, 0, 7], overdueAfterDays: 5, notifyStaff: false } })
      .onConflictDoUpdate({ target: t.settings.key, set: { value: { enabled: false, offsetsDays: [-3, 0, 7], overdueAfterDays: 5, notifyStaff: false } } });
    try {
      expect(await sendReminders(database.db, { now: morningOf(addDays(due, 4)) })).toMatchObject({ reminders: 0, overdue: 0 });
      expect(await sendReminders(database.db, { now: morningOf(addDays(due, 5)) })).toMatchObject({ reminders: 0, overdue: 1, digestQueued: false });
      expect(await remindersOf(receipt.id)).toEqual([]);
    } finally {
      await database.db.delete(t.settings).where(eq(t.settings.key, settingKeys.reminders));
    }
  });
});
