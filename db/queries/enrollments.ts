import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { enrollments } from "@/db/schema";

// --- the enrollment's status ----------------------------------------------------------------
//
// The only statements that change `enrollments.status`. Callers decide with the enrollment's
// state machine (lib/enrollment/enrollment-machine.ts, through lib/enrollment/status.ts) and
// pass the statuses it moves from: a row that moved meanwhile is left alone, and the answer says so.

type Status = (typeof enrollments.$inferSelect)["status"];

async function moveStatus(tx: DbOrTx, id: string, from: Status[], set: Partial<typeof enrollments.$inferInsert>): Promise<boolean> {
  const rows = await tx
    .update(enrollments)
    .set({ ...set, updatedAt: set.updatedAt ?? new Date() })
    .where(and(eq(enrollments.id, id), inArray(enrollments.status, from)))
    .returning({ id: enrollments.id });
  return rows.length > 0;
}

export function markEnrollmentConfirmed(tx: DbOrTx, id: string, from: Status[], at: Date): Promise<boolean> {
  return moveStatus(tx, id, from, { status: "confirmed", confirmedAt: at, holdExpiresAt: null, updatedAt: at });
}

export function markEnrollmentCancelled(tx: DbOrTx, id: string, from: Status[], cancelled: { at: Date; reason: string }): Promise<boolean> {
  return moveStatus(tx, id, from, {
    status: "cancelled",
    cancelledAt: cancelled.at,
    cancelReason: cancelled.reason,
    holdExpiresAt: null,
    updatedAt: cancelled.at,
  });
}

export function markEnrollmentWithdrawn(tx: DbOrTx, id: string, from: Status[], withdrawn: { at: Date; reason: string }): Promise<boolean> {
  return moveStatus(tx, id, from, { status: "withdrawn", cancelledAt: withdrawn.at, cancelReason: withdrawn.reason, updatedAt: withdrawn.at });
}

/** Back to (or on to) pending payment, holding a seat until `holdExpiresAt`; a past cancellation is cleared. */
export function markEnrollmentHoldingSeat(
  tx: DbOrTx,
  id: string,
  from: Status[],
  hold: { at: Date; holdExpiresAt: Date; clearCancellation: boolean },
): Promise<boolean> {
  return moveStatus(tx, id, from, {
    status: "pending_payment",
    holdExpiresAt: hold.holdExpiresAt,
    ...(hold.clearCancellation ? { cancelledAt: null, cancelReason: null } : {}),
    updatedAt: hold.at,
  });
}
