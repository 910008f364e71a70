import "server-only";
import { sql } from "drizzle-orm";
import type { PgInsertValue } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { prepared } from "@/db/queries/prepared";
import { auditEvents, auditSource } from "@/db/schema";

export type AuditSource = (typeof auditSource.enumValues)[number];

export type AuditEntry = {
  source: AuditSource;
  action: string;
  receiptId?: string | null;
  attemptId?: string | null;
  enrollmentId?: string | null;
  staffUserId?: string | null;
  data?: Record<string, unknown>;
};

const columns = ["source", "action", "receiptId", "attemptId", "enrollmentId", "staffUserId", "data"] as const;
/** Up to this many lines in one call use a statement prepared on the connection (every payment writes 1–3). */
const PREPARED_UP_TO = 4;

/** Lines of a receipt's timeline (and of the staff audit log), in order, in one insert. */
export async function recordAudit(db: DbOrTx, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    source: e.source,
    action: e.action,
    receiptId: e.receiptId ?? null,
    attemptId: e.attemptId ?? null,
    enrollmentId: e.enrollmentId ?? null,
    staffUserId: e.staffUserId ?? null,
    data: e.data ?? {},
  }));
  if (rows.length > PREPARED_UP_TO) {
    await db.insert(auditEvents).values(rows);
    return;
  }
  const statement = prepared(db, `audit_insert_${rows.length}`, (tx) =>
    tx
      .insert(auditEvents)
      .values(rows.map((_, i) => Object.fromEntries(columns.map((c) => [c, sql.placeholder(`${c}${i}`)])) as PgInsertValue<typeof auditEvents>)),
  );
  await statement.execute(Object.fromEntries(rows.flatMap((row, i) => columns.map((c) => [`${c}${i}`, row[c]]))));
}
