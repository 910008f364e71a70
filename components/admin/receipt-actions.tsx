"use client";
// Owns the state of the receipt page's actions. It stays mounted while the forms come and go:
// recording a payment makes the receipt paid and its form disappears in the same re-render
// that brings the result, yet "Payment recorded." must still be shown and read out. So the
// action state lives here (one useActionState per action, on the server action itself, which
// keeps the forms working without JavaScript) and the forms below read it through context.
import { createContext, useActionState, useContext } from "react";
import { useTranslations } from "next-intl";
import { idleState, type ActionScope, type ActionState, type ReceiptAction } from "./action-state";

type Slot = { state: ActionState; formAction: (formData: FormData) => void; pending: boolean };

const Slots = createContext<Partial<Record<ActionScope, Slot>>>({});

/** Staff without a right are not handed its action at all; this stands in for it. */
const unavailable: ReceiptAction = async () => ({ status: "error", error: "forbidden", at: Date.now() });

export function ReceiptActions({ actions, children }: { actions: Partial<Record<ActionScope, ReceiptAction>>; children: React.ReactNode }) {
  const t = useTranslations("admin.receipts");
  // A fixed set of hooks, in a fixed order (hooks cannot be called in a loop over props).
  const [resend, resendAction, resendPending] = useActionState(actions.resend ?? unavailable, idleState);
  const [manual, manualAction, manualPending] = useActionState(actions.manual ?? unavailable, idleState);
  const [cancel, cancelAction, cancelPending] = useActionState(actions.cancel ?? unavailable, idleState);
  const [refund, refundAction, refundPending] = useActionState(actions.refund ?? unavailable, idleState);
  const [campus, campusAction, campusPending] = useActionState(actions.campus ?? unavailable, idleState);
  const slots: Record<ActionScope, Slot> = {
    resend: { state: resend, formAction: resendAction, pending: resendPending },
    manual: { state: manual, formAction: manualAction, pending: manualPending },
    cancel: { state: cancel, formAction: cancelAction, pending: cancelPending },
    refund: { state: refund, formAction: refundAction, pending: refundPending },
    campus: { state: campus, formAction: campusAction, pending: campusPending },
  };
  // The latest success, whichever form it came from.
  let latest: { scope: ActionScope; state: Extract<ActionState, { status: "done" }> } | undefined;
  for (const scope of Object.keys(slots) as ActionScope[]) {
    const state = slots[scope].state;
    if (state.status === "done" && (!latest || state.at > latest.state.at)) latest = { scope, state };
  }
  const message = latest ? (latest.state.notice === "pendingDone" ? t("actions.refund.pendingDone") : t(`actions.${latest.scope}.done`)) : "";
  return (
    <Slots.Provider value={slots}>
      <p
        role="status"
        data-testid="action-outcome"
        className={message ? "mb-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900" : "sr-only"}
      >
        {message}
      </p>
      {children}
    </Slots.Provider>
  );
}

export function useActionSlot(scope: ActionScope): Slot {
  const slot = useContext(Slots)[scope];
  if (!slot) throw new Error(`ActionForm "${scope}" must be inside <ReceiptActions>`);
  return slot;
}
