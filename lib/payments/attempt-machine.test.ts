import { describe, expect, it } from "vitest";
import { attemptEvents, attemptStatuses, transitionAttempt, type AttemptEvent, type AttemptStatus } from "./attempt-machine";

// The whole table, written out by hand: rows are the current status, columns the event.
// A status name means "moves there"; "=" same; "F" already final; "S" stale.
const table: Record<AttemptStatus, Record<AttemptEvent, string>> = {
  created: { redirected: "redirected", pending: "pending", succeeded: "succeeded", failed: "failed", cancelled: "cancelled", expired: "expired" },
  redirected: { redirected: "=", pending: "pending", succeeded: "succeeded", failed: "failed", cancelled: "cancelled", expired: "expired" },
  pending: { redirected: "S", pending: "=", succeeded: "succeeded", failed: "failed", cancelled: "cancelled", expired: "expired" },
  succeeded: { redirected: "F", pending: "F", succeeded: "=", failed: "F", cancelled: "F", expired: "F" },
  failed: { redirected: "F", pending: "F", succeeded: "succeeded", failed: "=", cancelled: "F", expired: "F" },
  cancelled: { redirected: "F", pending: "F", succeeded: "succeeded", failed: "F", cancelled: "=", expired: "F" },
  expired: { redirected: "F", pending: "F", succeeded: "succeeded", failed: "F", cancelled: "F", expired: "=" },
};

describe("transitionAttempt", () => {
  it("covers every status and event", () => {
    expect(Object.keys(table).sort()).toEqual([...attemptStatuses].sort());
    for (const row of Object.values(table)) expect(Object.keys(row).sort()).toEqual([...attemptEvents].sort());
  });

  for (const from of attemptStatuses) {
    for (const event of attemptEvents) {
      const expected = table[from][event];
      it(`${from} + ${event} → ${expected}`, () => {
        const result = transitionAttempt(from, event);
        if (expected === "=") expect(result).toEqual({ kind: "unchanged", status: from, reason: "same" });
        else if (expected === "F") expect(result).toEqual({ kind: "unchanged", status: from, reason: "already_final" });
        else if (expected === "S") expect(result).toEqual({ kind: "unchanged", status: from, reason: "stale" });
        else expect(result).toEqual({ kind: "moved", from, to: expected });
      });
    }
  }

  it("never leaves succeeded, whatever arrives after it", () => {
    for (const event of attemptEvents) {
      const result = transitionAttempt("succeeded", event);
      expect(result.kind).toBe("unchanged");
    }
  });
});
