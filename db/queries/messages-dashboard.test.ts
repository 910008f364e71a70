// The dashboard's message list on a real PostgreSQL: keyset pages that neither skip nor repeat
// rows stored in one statement (same created_at to the microsecond), and the filters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { listMessages, listMessageTemplates } from "./messages-dashboard";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_messages_dashboard");
  // Seven messages in one statement: one now(), so one created_at for all of them.
  await database.db.insert(t.messages).values(
    Array.from({ length: 7 }, (_, i) => ({
      template: i < 5 ? "payment_link" : "reminder",
      toAddress: i === 6 ? "Ana_Gil%@Correo.test" : `familia${i}@correo.test`,
      subject: `Asunto ${i}`,
      bodyText: "…",
      dedupeKey: `test:${i}`,
      status: i === 3 ? ("failed" as const) : ("queued" as const),
    })),
  );
});
afterAll(() => database?.close());

describe("listMessages", () => {
  it("pages through rows that share a created_at without skipping or repeating any", async () => {
    const seen: string[] = [];
    let after: { at: string; id: string } | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await listMessages(database.db, { limit: 3, after });
      seen.push(...result.rows.map((r) => r.subject));
      const last = result.rows.at(-1);
      if (!result.hasMore || !last) break;
      after = { at: last.cursorAt, id: last.id };
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it("filters by status, template and part of the address (case-insensitive, % and _ taken literally)", async () => {
    expect((await listMessages(database.db, { status: "failed" })).rows.map((r) => r.subject)).toEqual(["Asunto 3"]);
    expect((await listMessages(database.db, { template: "reminder" })).rows.map((r) => r.subject).sort()).toEqual(["Asunto 5", "Asunto 6"]);
    expect((await listMessages(database.db, { q: "ana_gil%" })).rows.map((r) => r.subject)).toEqual(["Asunto 6"]);
    expect((await listMessages(database.db, { q: "a_a" })).rows).toEqual([]);
    expect(await listMessageTemplates(database.db)).toEqual(["payment_link", "reminder"]);
  });
});
