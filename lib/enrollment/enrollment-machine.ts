// The enrollment's state machine, pure.
//
//   pending_payment → confirmed → withdrawn
//   pending_payment → cancelled (hold expired, payment failed, staff)
//   waitlisted → pending_payment (a seat is offered) | cancelled
//   cancelled → pending_payment (a late payment or staff win the seat back, for an instant)

export const enrollmentStatuses = ["pending_payment", "confirmed", "cancelled", "withdrawn", "waitlisted"] as const;
export type EnrollmentStatus = (typeof enrollmentStatuses)[number];

export type EnrollmentEvent = "paid" | "cancel" | "withdraw" | "offer_seat" | "reinstate";

export type EnrollmentTransition = { kind: "moved"; from: EnrollmentStatus; to: EnrollmentStatus } | { kind: "refused"; status: EnrollmentStatus };

const moves: Record<EnrollmentEvent, Partial<Record<EnrollmentStatus, EnrollmentStatus>>> = {
  paid: { pending_payment: "confirmed" },
  cancel: { pending_payment: "cancelled", waitlisted: "cancelled" },
  withdraw: { confirmed: "withdrawn" },
  offer_seat: { waitlisted: "pending_payment" },
  reinstate: { cancelled: "pending_payment", pending_payment: "pending_payment" },
};

export function transitionEnrollment(status: EnrollmentStatus, event: EnrollmentEvent): EnrollmentTransition {
  const to = moves[event][status];
  return to ? { kind: "moved", from: status, to } : { kind: "refused", status };
}

/** The statuses an event moves an enrollment from (the guard its status write carries). */
export function statusesBefore(event: EnrollmentEvent): EnrollmentStatus[] {
  return Object.keys(moves[event]) as EnrollmentStatus[];
}
