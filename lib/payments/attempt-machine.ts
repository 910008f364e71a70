// The payment attempt's state machine, pure. One attempt is one provider order.
//
//   created → redirected → pending → succeeded | failed | cancelled | expired
//
// Providers deliver late, twice and out of order, so every event is answered from any state:
// either a move, or "unchanged" with the reason. Money is the truth: a success reported after
// we gave up on the attempt (failed, cancelled, expired) still wins, since the payer was charged.

export const attemptStatuses = ["created", "redirected", "pending", "succeeded", "failed", "cancelled", "expired"] as const;
export type AttemptStatus = (typeof attemptStatuses)[number];

export const attemptEvents = ["redirected", "pending", "succeeded", "failed", "cancelled", "expired"] as const;
export type AttemptEvent = (typeof attemptEvents)[number];

export type AttemptTransition =
  { kind: "moved"; from: AttemptStatus; to: AttemptStatus } | { kind: "unchanged"; status: AttemptStatus; reason: "same" | "already_final" | "stale" };

const open: readonly AttemptStatus[] = ["created", "redirected", "pending"];
const rank: Record<AttemptStatus, number> = {
  created: 0,
  redirected: 1,
  pending: 2,
  succeeded: 3,
  failed: 3,
  cancelled: 3,
  expired: 3,
};

export function isFinalAttempt(status: AttemptStatus): boolean {
  return !open.includes(status);
}

export function transitionAttempt(from: AttemptStatus, event: AttemptEvent): AttemptTransition {
  const to: AttemptStatus = event;
  if (from === to) return { kind: "unchanged", status: from, reason: "same" };
  if (from === "succeeded") return { kind: "unchanged", status: from, reason: "already_final" };
  if (to === "succeeded") return { kind: "moved", from, to };
  if (isFinalAttempt(from)) return { kind: "unchanged", status: from, reason: "already_final" };
  // A late "redirected" after the provider already said "pending" must not move it back.
  if (rank[to] < rank[from]) return { kind: "unchanged", status: from, reason: "stale" };
  return { kind: "moved", from, to };
}
