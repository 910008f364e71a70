import { describe, expect, it } from "vitest";
import { enrollmentStatuses, statusesBefore, transitionEnrollment, type EnrollmentEvent } from "./enrollment-machine";

describe("enrollment state machine", () => {
  it("confirms only a pending enrollment when its receipt is paid", () => {
    expect(transitionEnrollment("pending_payment", "paid")).toEqual({ kind: "moved", from: "pending_payment", to: "confirmed" });
    for (const status of enrollmentStatuses.filter((s) => s !== "pending_payment")) expect(transitionEnrollment(status, "paid").kind).toBe("refused");
  });

  it("cancels a pending enrollment or a place on the waiting list, never a confirmed one", () => {
    expect(transitionEnrollment("pending_payment", "cancel")).toMatchObject({ kind: "moved", to: "cancelled" });
    expect(transitionEnrollment("waitlisted", "cancel")).toMatchObject({ kind: "moved", to: "cancelled" });
    expect(transitionEnrollment("confirmed", "cancel").kind).toBe("refused");
    expect(transitionEnrollment("withdrawn", "cancel").kind).toBe("refused");
  });

  it("withdraws only a confirmed student; offers a seat only from the waiting list", () => {
    expect(transitionEnrollment("confirmed", "withdraw")).toMatchObject({ kind: "moved", to: "withdrawn" });
    expect(transitionEnrollment("pending_payment", "withdraw").kind).toBe("refused");
    expect(transitionEnrollment("waitlisted", "offer_seat")).toMatchObject({ kind: "moved", to: "pending_payment" });
    expect(transitionEnrollment("cancelled", "offer_seat").kind).toBe("refused");
  });

  it("takes a cancelled enrollment back to pending when its seat is won back, never a withdrawn one", () => {
    expect(transitionEnrollment("cancelled", "reinstate")).toMatchObject({ kind: "moved", to: "pending_payment" });
    expect(transitionEnrollment("withdrawn", "reinstate").kind).toBe("refused");
    expect(transitionEnrollment("confirmed", "reinstate").kind).toBe("refused");
  });

  it("names, for each event, exactly the statuses it moves from", () => {
    for (const event of ["paid", "cancel", "withdraw", "offer_seat", "reinstate"] as EnrollmentEvent[]) {
      for (const status of enrollmentStatuses) expect(statusesBefore(event).includes(status)).toBe(transitionEnrollment(status, event).kind === "moved");
    }
  });
});
