// Receipt numbers under concurrency, on a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "@/scripts/testing/postgres";
import type { Database } from "../client";
import { allocateReceiptNumbers } from "./receipts";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_numbering");
});
afterAll(() => database.close());

describe("allocateReceiptNumbers", () => {
  it("hands out gapless, unique numbers to concurrent transactions, and gives back rolled-back ones", async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) =>
        database.db.transaction(async (tx) => {
          const numbers = await allocateReceiptNumbers(tx, 2031, 1 + (i % 3));
          if (i % 5 === 0) throw new Error("rolled back on purpose");
          return numbers;
        }),
      ),
    );
    const kept = outcomes.flatMap((o) => (o.status === "fulfilled" ? o.value : []));
    const sorted = [...kept].sort((a, b) => a - b);
    expect(sorted).toEqual(Array.from({ length: kept.length }, (_, i) => i + 1));
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(5);
  });

  it("keeps one series per year", async () => {
    expect(await allocateReceiptNumbers(database.db, 2032, 2)).toEqual([1, 2]);
    expect(await allocateReceiptNumbers(database.db, 2032, 1)).toEqual([3]);
  });
});
