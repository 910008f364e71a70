// The enrollment aggregate: every change of an enrollment's status goes through here, decided
// by its state machine and written with the statuses it moves from.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { markEnrollmentCancelled, markEnrollmentConfirmed, markEnrollmentHoldingSeat, markEnrollmentWithdrawn } from "@/db/queries/enrollments";
import { statusesBefore } from "./enrollment-machine";

/** Confirms a pending enrollment (its receipt is paid). Returns whether it was pending. */
export function confirmEnrollment(tx: DbOrTx, enrollmentId: string, at = new Date()): Promise<boolean> {
  return markEnrollmentConfirmed(tx, enrollmentId, statusesBefore("paid"), at);
}

/** Cancels a pending enrollment or a place on the waiting list; the seat hold ends. */
export function cancelEnrollmentStatus(tx: DbOrTx, enrollmentId: string, cancelled: { at: Date; reason: string }): Promise<boolean> {
  return markEnrollmentCancelled(tx, enrollmentId, statusesBefore("cancel"), cancelled);
}

/** A confirmed student leaves. */
export function withdrawEnrollmentStatus(tx: DbOrTx, enrollmentId: string, withdrawn: { at: Date; reason: string }): Promise<boolean> {
  return markEnrollmentWithdrawn(tx, enrollmentId, statusesBefore("withdraw"), withdrawn);
}

/** The first on the waiting list is offered the free seat, held until `holdExpiresAt`. */
export function offerSeat(tx: DbOrTx, enrollmentId: string, hold: { at: Date; holdExpiresAt: Date }): Promise<boolean> {
  return markEnrollmentHoldingSeat(tx, enrollmentId, statusesBefore("offer_seat"), { ...hold, clearCancellation: false });
}

/**
 * A cancelled (or pending) enrollment holds its seat again for an instant, so that the payment
 * that won it back confirms it through the usual path, with its e-mails and campus account.
 */
export function reinstateEnrollment(tx: DbOrTx, enrollmentId: string, at = new Date()): Promise<boolean> {
  return markEnrollmentHoldingSeat(tx, enrollmentId, statusesBefore("reinstate"), {
    at,
    holdExpiresAt: new Date(at.getTime() + 60_000),
    clearCancellation: true,
  });
}
