// Manual payments, cancellation and link resends on a real PostgreSQL: a receipt is paid once,
// even when two staff members record the same cash at the same moment.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { issueReceipt } from "@/lib/receipts/issue";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { resendPaymentLink } from "@/lib/receipts/resend-link";
import { cancelReceipt, recordManualPayment } from "./manual";

let database: Database;
let studentId: string;
let staffUserId: string;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_manual");
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Ana", lastName: "Pérez Gil", email: "ana@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
  const [staff] = await database.db
    .insert(t.staffUsers)
    .values({ email: "pablo@academia.test", name: "Pablo", passwordHash: "x", role: "staff" })
    .returning({ id: t.staffUsers.id });
  staffUserId = staff!.id;
});
afterAll(() => database.close());

async function pendingReceipt(amount = 6500) {
  return database.db.transaction((tx) =>
    issueReceipt(
      tx,
      { studentId, kind: "other", concept: "Libro", amount, currency: "EUR", dueDate: "2026-12-05", payer: { name: "Ana Pérez", email: "ana@correo.test" } },
      "api",
    ),
  );
}

async function state(receiptId: string) {
  const [receipt] = await database.db
    .select({ status: t.receipts.status, paidMethod: t.receipts.paidMethod, paidAt: t.receipts.paidAt })
    .from(t.receipts)
    .where(eq(t.receipts.id, receiptId));
  const attempts = await database.db
    .select({ provider: t.paymentAttempts.provider, method: t.paymentAttempts.method, status: t.paymentAttempts.status, amount: t.paymentAttempts.amount })
    .from(t.paymentAttempts)
    .where(eq(t.paymentAttempts.receiptId, receiptId));
  const audit = await database.db
    .select({ action: t.auditEvents.action, source: t.auditEvents.source, staffUserId: t.auditEvents.staffUserId })
    .from(t.auditEvents)
    .where(eq(t.auditEvents.receiptId, receiptId))
    .orderBy(t.auditEvents.id);
  const messages = await database.db.select({ template: t.messages.template }).from(t.messages).where(eq(t.messages.receiptId, receiptId));
  return { receipt: receipt!, attempts, audit, messages };
}

describe("recordManualPayment", () => {
  it("pays a pending receipt once, with a manual attempt, a staff audit trail and the payer's e-mail", async () => {
    const receipt = await pendingReceipt();
    await recordManualPayment(database.db, { receiptId: receipt.id, method: "cash", note: "En secretaría", staffUserId });
    const after = await state(receipt.id);
    expect(after.receipt).toMatchObject({ status: "paid", paidMethod: "cash" });
    expect(after.receipt.paidAt).toBeInstanceOf(Date);
    expect(after.attempts).toEqual([{ provider: "manual", method: "cash", status: "succeeded", amount: 6500 }]);
    expect(after.audit.filter((a) => a.source === "staff").map((a) => [a.action, a.staffUserId])).toEqual([
      ["attempt.succeeded", staffUserId],
      ["receipt.paid", staffUserId],
      ["message.queued", null],
    ]);
    expect(after.messages).toEqual([{ template: "payment_received" }]);

    await expect(recordManualPayment(database.db, { receiptId: receipt.id, method: "transfer", staffUserId })).rejects.toMatchObject({
      code: "receipt_not_payable",
    });
    expect((await state(receipt.id)).attempts).toHaveLength(1);
  });

  it("refuses a cancelled receipt and an unknown one", async () => {
    const receipt = await pendingReceipt();
    await cancelReceipt(database.db, { receiptId: receipt.id, reason: "Duplicado", staffUserId });
    await expect(recordManualPayment(database.db, { receiptId: receipt.id, method: "cash", staffUserId })).rejects.toMatchObject({
      code: "receipt_not_payable",
    });
    const after = await state(receipt.id);
    expect(after.receipt.status).toBe("cancelled");
    expect(after.attempts).toHaveLength(0);
    await expect(recordManualPayment(database.db, { receiptId: "00000000-0000-4000-8000-000000000000", method: "cash", staffUserId })).rejects.toMatchObject({
      code: "receipt_not_found",
    });
  });

  it("pays once when the same payment is recorded concurrently", async () => {
    const receipt = await pendingReceipt(12000);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => recordManualPayment(database.db, { receiptId: receipt.id, method: i % 2 ? "cash" : "transfer", staffUserId })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "receipt_not_payable" });
    const after = await state(receipt.id);
    expect(after.receipt.status).toBe("paid");
    expect(after.attempts).toHaveLength(1);
    expect(after.audit.filter((a) => a.action === "receipt.paid")).toHaveLength(1);
    expect(after.messages).toHaveLength(1);
  });
});

describe("cancelReceipt and resendPaymentLink", () => {
  it("cancels only pending receipts and revokes the live link", async () => {
    const receipt = await pendingReceipt();
    await resendPaymentLink(database.db, { receiptId: receipt.id, staffUserId });
    await cancelReceipt(database.db, { receiptId: receipt.id, reason: "Baja", staffUserId });
    const links = await database.db.select({ revokedAt: t.paymentLinks.revokedAt }).from(t.paymentLinks).where(eq(t.paymentLinks.receiptId, receipt.id));
    expect(links.every((l) => l.revokedAt !== null)).toBe(true);
    await expect(cancelReceipt(database.db, { receiptId: receipt.id, reason: "Otra vez", staffUserId })).rejects.toMatchObject({ code: "receipt_not_payable" });
    await expect(resendPaymentLink(database.db, { receiptId: receipt.id, staffUserId })).rejects.toMatchObject({ code: "receipt_not_payable" });
  });

  it("each resend issues a new link, revokes the old one and queues one e-mail", async () => {
    const receipt = await pendingReceipt();
    const first = await resendPaymentLink(database.db, { receiptId: receipt.id, staffUserId });
    const second = await resendPaymentLink(database.db, { receiptId: receipt.id, staffUserId });
    expect(first.messageId).toBeTruthy();
    expect(second.messageId).toBeTruthy();
    expect(second.messageId).not.toBe(first.messageId);
    const links = await database.db.select({ revokedAt: t.paymentLinks.revokedAt }).from(t.paymentLinks).where(eq(t.paymentLinks.receiptId, receipt.id));
    expect(links.filter((l) => l.revokedAt === null)).toHaveLength(1);
    expect(links).toHaveLength(2);
    expect((await state(receipt.id)).messages).toEqual([{ template: "payment_link" }, { template: "payment_link" }]);
  });
});
