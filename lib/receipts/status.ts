// The receipt aggregate's status writes outside the payment path (which decides with the same
// machine in lib/payments/apply.ts): every change goes through the receipt's state machine.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { markReceiptCancelled } from "@/db/queries/receipts";
import { transitionReceipt, type ReceiptState } from "@/lib/payments/receipt-machine";

/**
 * Cancels a receipt the caller holds locked. Returns false, changing nothing, when its state
 * machine refuses (it is not pending).
 */
export async function cancelReceiptStatus(tx: DbOrTx, receipt: ReceiptState & { id: string }, cancelled: { at: Date; reason: string }): Promise<boolean> {
  if (transitionReceipt(receipt, { type: "cancel" }).kind !== "moved") return false;
  return markReceiptCancelled(tx, receipt.id, { cancelledAt: cancelled.at, cancelReason: cancelled.reason });
}
