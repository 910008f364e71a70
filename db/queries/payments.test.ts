// The webhook's hot path on a real PostgreSQL: how many statements an applied payment sends, that
// the hot ones go by name (prepared once per connection), and that two copies of the module (Next
// bundles one per route, over one shared pool) agree on those names.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import type { ProviderEvent } from "@/lib/payments/types";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { updateAttempt } from "./payments";

let database: Database;
let studentId: string;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_payment_statements");
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Luis", lastName: "Gómez", email: "luis@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
});
afterAll(() => database.close());
afterEach(() => vi.restoreAllMocks());

let sequence = 0;
/** A pending receipt with a redirected Redsys attempt, written directly (no issuing rules needed here). */
async function pendingReceipt(amount = 7500) {
  const ref = `ord${randomUUID().slice(0, 8)}`;
  const [receipt] = await database.db
    .insert(t.receipts)
    .values({
      number: `2099-T${(sequence += 1)}`,
      seriesYear: 2099,
      seriesNumber: sequence,
      studentId,
      kind: "other",
      concept: "Mensualidad",
      amount,
      currency: "EUR",
      dueDate: "2099-01-05",
      payerName: "Luis Gómez",
      payerEmail: "luis@correo.test",
      status: "pending",
    })
    .returning({ id: t.receipts.id });
  const [attempt] = await database.db
    .insert(t.paymentAttempts)
    .values({ receiptId: receipt!.id, provider: "redsys", method: "redsys", mode: "sandbox", amount, currency: "EUR", status: "redirected", providerRef: ref })
    .returning({ id: t.paymentAttempts.id });
  return { receiptId: receipt!.id, attemptId: attempt!.id, ref, amount };
}

function success(ref: string, amount: number): ProviderEvent {
  return {
    provider: "redsys",
    eventId: `${ref}:0:0000:${amount}`,
    eventType: "notification.0.0000",
    ref: { by: "order", value: ref },
    outcome: { type: "succeeded", amount, currency: "EUR", paymentRef: `auth-${ref}` },
    payload: { Ds_Order: ref },
    rawBody: `Ds_Order=${ref}`,
  };
}

type Sent = { text: string; name?: string };

/** Every statement the pool's connections send while `work` runs. */
async function statementsSentBy(work: () => Promise<unknown>): Promise<Sent[]> {
  const sent: Sent[] = [];
  const original = pg.Client.prototype.query;
  vi.spyOn(pg.Client.prototype, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    if (typeof first === "string") sent.push({ text: first });
    else if (first && typeof first === "object" && "text" in first) sent.push({ text: String(first.text), name: (first as { name?: string }).name });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original);
  await work();
  vi.restoreAllMocks();
  return sent;
}

describe("the webhook's statements", () => {
  it("pays a receipt with the locks, checks and books in 7 statements, the hot ones sent by name", async () => {
    const { applyProviderEvent } = await import("@/lib/after-payment");
    // The first payment on a connection prepares the statements; look at a later one.
    const warm = await pendingReceipt();
    await applyProviderEvent(database.db, success(warm.ref, warm.amount), "webhook");

    const r = await pendingReceipt();
    let result: unknown;
    const sent = await statementsSentBy(async () => {
      result = await applyProviderEvent(database.db, success(r.ref, r.amount), "webhook");
    });
    expect(result).toMatchObject({ result: "applied", changed: true });
    const [receipt] = await database.db.select({ status: t.receipts.status }).from(t.receipts).where(eq(t.receipts.id, r.receiptId));
    expect(receipt?.status).toBe("paid");

    // What a statement does and to which table (a subquery's table aside).
    const shape = (s: Sent) => {
      const head = /^\s*(begin|commit|insert into "\w+"|update "\w+")/i.exec(s.text)?.[1];
      const select = /^\s*select/i.test(s.text) ? `select from ${/(?<!select 1 )from ("\w+")/i.exec(s.text)?.[1]}` : undefined;
      return `${s.name ? "named " : ""}${head ?? select ?? s.text}`;
    };
    // Up to the side effects of the payment (effects.ts: e-mail, reminders, campus), whose
    // statements are theirs to count; then the inbox settles and the transaction commits.
    expect(sent.slice(0, 7).map(shape)).toEqual([
      "begin",
      'named insert into "provider_events"',
      'named select from "payment_attempts"', // finds the attempt and locks its receipt
      'named select from "payment_attempts"', // locks the attempt, and says whether refunds wait for it
      'named update "payment_attempts"',
      'named update "receipts"',
      'named insert into "audit_events"', // attempt.succeeded and receipt.paid, together
    ]);
    expect(sent.slice(-2).map(shape)).toEqual(['named update "provider_events"', "commit"]);
    // No separate look-up of the attempt, nor of deferred refunds when none can wait.
    expect(sent.filter((s) => /from "(payment_attempts|refunds)"/.test(s.text) && !s.name)).toEqual([]);
    for (const s of sent.filter((s) => s.name)) expect(s.name).toMatch(/^q_[0-9a-f]{24}$/);
  });

  it("sends a repeated notification back as a duplicate in 3 statements", async () => {
    const { applyProviderEvent } = await import("@/lib/after-payment");
    const r = await pendingReceipt();
    await applyProviderEvent(database.db, success(r.ref, r.amount), "webhook");
    let result: unknown;
    const sent = await statementsSentBy(async () => {
      result = await applyProviderEvent(database.db, success(r.ref, r.amount), "webhook");
    });
    expect(result).toEqual({ result: "duplicate" });
    expect(sent.map((s) => s.text.trim().split(/\s+/)[0]!.toLowerCase())).toEqual(["begin", "insert", "commit"]);
  });

  it("gives a statement the same name in every copy of the module, so copies share one pool", async () => {
    const first = await import("@/lib/after-payment");
    vi.resetModules();
    const second = await import("@/lib/after-payment");
    const secondQueries = await import("./payments");
    expect(second.applyProviderEvent).not.toBe(first.applyProviderEvent);
    // The second copy prepares its statements in another order than the first did.
    const r0 = await pendingReceipt();
    await secondQueries.lockReceipt(database.db, r0.receiptId);
    await secondQueries.updateAttempt(database.db, r0.attemptId, { failureCode: "x" });
    for (let i = 0; i < 3; i += 1) {
      for (const copy of [first, second]) {
        const r = await pendingReceipt();
        await expect(copy.applyProviderEvent(database.db, success(r.ref, r.amount), "webhook")).resolves.toMatchObject({ result: "applied", changed: true });
      }
    }
  });

  it("writes a patch's nulls and leaves out its undefined keys", async () => {
    const r = await pendingReceipt();
    await updateAttempt(database.db, r.attemptId, { failureCode: "SIS0051", failureMessage: "duplicated order" });
    await updateAttempt(database.db, r.attemptId, { failureCode: null, failureMessage: undefined, status: "pending" });
    const [row] = await database.db.select().from(t.paymentAttempts).where(eq(t.paymentAttempts.id, r.attemptId));
    expect(row).toMatchObject({ failureCode: null, failureMessage: "duplicated order", status: "pending" });
  });
});
