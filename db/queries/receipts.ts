import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { receiptNumberSeries } from "@/db/schema";

/**
 * Reserves `count` consecutive numbers of the year's series. The upsert takes the series row
 * lock until the transaction ends, so concurrent issuers queue and numbers never gap or repeat
 * (a rolled-back transaction gives its numbers back).
 */
export async function allocateReceiptNumbers(tx: DbOrTx, year: number, count: number): Promise<number[]> {
  const [row] = await tx
    .insert(receiptNumberSeries)
    .values({ year, lastNumber: count })
    .onConflictDoUpdate({
      target: receiptNumberSeries.year,
      set: { lastNumber: sql`${receiptNumberSeries.lastNumber} + ${count}` },
    })
    .returning({ lastNumber: receiptNumberSeries.lastNumber });
  const last = row!.lastNumber;
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}
