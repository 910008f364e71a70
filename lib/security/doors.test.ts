// The public doors' limits on a real PostgreSQL, with the default settings: sign-in counted before
// the password is checked (parallel guesses included), an account slowed down but never locked by
// strangers, and payment starts limited per address and per receipt.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { beginSignIn, clearSignInFailures, hitCheckout } from "./doors";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_doors");
  // As under `npm start`: X-Forwarded-For holds the connection's address (scripts/start.mjs).
  (globalThis as Record<symbol, unknown>)[Symbol.for("academy-pay.connection-address-header")] = true;
});
afterAll(async () => {
  await database?.close();
});

const account = () => `admin-${randomUUID()}@academia.test`;

describe("sign-in", () => {
  it("counts guesses sent in parallel before any password is checked: five go through", async () => {
    const email = account();
    const gates = await Promise.all(Array.from({ length: 20 }, () => beginSignIn(database.db, email, "203.0.113.10")));
    expect(gates.filter((g) => g.refusedFor === undefined)).toHaveLength(5);
    // The fifth used the allowance up: a wrong password there already shows the wait.
    expect(gates.filter((g) => g.waitIfWrong !== undefined)).toHaveLength(1);
  });

  it("wrong passwords from one address stop that address, not the account's owner elsewhere", async () => {
    const email = account();
    for (let i = 0; i < 5; i++) expect((await beginSignIn(database.db, email, "203.0.113.20")).refusedFor).toBeUndefined();
    const attacker = await beginSignIn(database.db, email, "203.0.113.20");
    expect(attacker.refusedFor).toBeGreaterThan(14 * 60);
    const owner = await beginSignIn(database.db, email, "198.51.100.7");
    expect(owner.refusedFor).toBeUndefined();
  });

  it("strangers from many addresses slow the account down to one try per interval of at most 30 s, never a lock", async () => {
    const email = account();
    const gates = [];
    for (let i = 0; i < 60; i++) gates.push(await beginSignIn(database.db, email, `192.0.2.${i + 1}`));
    expect(gates.slice(0, 5).every((g) => g.refusedFor === undefined)).toBe(true);
    const waits = gates.slice(5).flatMap((g) => (g.refusedFor === undefined ? [] : [g.refusedFor]));
    expect(waits.length).toBeGreaterThan(40);
    expect(Math.max(...waits)).toBeLessThanOrEqual(30);
  });

  it("a successful sign-in clears the account's count, and only failures add up on a shared address", async () => {
    const email = account();
    for (let i = 0; i < 4; i++) await beginSignIn(database.db, email, "203.0.113.30");
    await clearSignInFailures(database.db, email, "203.0.113.30");
    for (let i = 0; i < 5; i++) expect((await beginSignIn(database.db, email, "203.0.113.30")).refusedFor).toBeUndefined();
    // A whole office behind one address signs in all day: successes never use the address's allowance up.
    for (let i = 0; i < 80; i++) {
      const colleague = account();
      expect((await beginSignIn(database.db, colleague, "203.0.113.31")).refusedFor).toBeUndefined();
      await clearSignInFailures(database.db, colleague, "203.0.113.31");
    }
  });
});

describe("payment starts", () => {
  const from = (address: string) => new Headers({ "x-forwarded-for": address });

  it("one link cannot create provider orders without end, whatever addresses it comes from", async () => {
    const receiptId = randomUUID();
    const results = [];
    for (let i = 0; i < 31; i++) results.push(await hitCheckout(database.db, from(`198.51.100.${i + 1}`), receiptId));
    expect(results.slice(0, 30).every((r) => r.allowed)).toBe(true);
    expect(results[30]!.allowed).toBe(false);
  });

  it("a flood from one address does not stop another address's payment", async () => {
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await hitCheckout(database.db, from("203.0.113.99"), randomUUID()));
    expect(results.filter((r) => !r.allowed)).toHaveLength(5);
    expect((await hitCheckout(database.db, from("203.0.113.100"), randomUUID())).allowed).toBe(true);
  });
});
