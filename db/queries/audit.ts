import "server-only";
import type { DbOrTx } from "@/db/client";
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

/** One line of a receipt's timeline (and of the staff audit log). */
export async function recordAudit(db: DbOrTx, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(auditEvents).values(entries.map((e) => ({ ...e, data: e.data ?? {} })));
}
