// Campus access and the overdue policy: when `suspendCampus` is on, a student whose receipt
// becomes overdue has their Moodle account suspended (they cannot log in; nothing is deleted), and
// paying restores it. Suspending is HTTP, done by the reminders job after its transaction; the
// restore starts in the payment's transaction as a durable row change (the account goes back to
// `pending`, audit `campus.restore_queued`), and the provisioning job's next run lifts the
// suspension in Moodle (MoodleProvisioner.provision un-suspends a suspended user).
import "server-only";
import type { Db, DbOrTx } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { activeCampusAccountsOf, markCampusAccountSuspended, requeueSuspendedCampusAccount } from "@/db/queries/campus";
import { hasOtherOverdueReceipt } from "@/db/queries/reminders";
import { MoodleProvisioner, type MoodleConfig } from "./moodle";
import { moodleConfig } from "./provision";

export type SuspensionOptions = {
  /** Moodle connection; undefined reads MOODLE_URL/MOODLE_TOKEN, null turns Moodle off. */
  moodle?: MoodleConfig | null;
};

/** Suspends the active Moodle accounts of the students of these (newly overdue) receipts. */
export async function suspendCampusForOverdue(
  db: Db,
  overdue: readonly { id: string; studentId: string }[],
  options: SuspensionOptions = {},
): Promise<{ suspended: number; failed: number }> {
  const config = await moodleConfig(db, options);
  const result = { suspended: 0, failed: 0 };
  if (!config || overdue.length === 0) return result;
  const provisioner = new MoodleProvisioner(config);
  const accounts = await activeCampusAccountsOf(db, { provider: "moodle", studentIds: [...new Set(overdue.map((r) => r.studentId))] });
  for (const account of accounts) {
    const receiptId = overdue.find((r) => r.studentId === account.studentId)?.id;
    try {
      await provisioner.setSuspended(Number(account.externalUserId), true);
      await db.transaction(async (tx) => {
        // Only an account still active: a payment in the meantime may have queued its restore.
        const recorded = await markCampusAccountSuspended(tx, account.id);
        await recordAudit(tx, {
          source: "system",
          action: "campus.suspended",
          receiptId,
          data: { provider: "moodle", externalUserId: account.externalUserId, recorded },
        });
      });
      result.suspended += 1;
    } catch (error) {
      result.failed += 1;
      await recordAudit(db, {
        source: "system",
        action: "campus.suspend_failed",
        receiptId,
        data: { provider: "moodle", error: error instanceof Error ? error.message : String(error) },
      });
    }
  }
  return result;
}

/**
 * In the payment's transaction: if the student's campus access is suspended and no other
 * overdue receipt of theirs is still unpaid, queue the restore (the provisioning job does the HTTP).
 */
export async function restoreCampusOnPayment(tx: DbOrTx, receipt: { id: string; studentId: string }): Promise<boolean> {
  if (await hasOtherOverdueReceipt(tx, { studentId: receipt.studentId, exceptReceiptId: receipt.id })) return false;
  const restored = await requeueSuspendedCampusAccount(tx, { studentId: receipt.studentId, provider: "moodle" });
  if (restored === 0) return false;
  await recordAudit(tx, { source: "system", action: "campus.restore_queued", receiptId: receipt.id, data: { provider: "moodle" } });
  return true;
}
