// What the people pages' actions (attention, enrollments, courses) return to their forms: stable
// codes the form words in the user's language (messages "peopleActions"), never a sentence.
export type PeopleErrorCode =
  | "invalid"
  | "forbidden"
  | "not_found"
  | "not_allowed"
  | "no_free_seat"
  | "method_required"
  | "receipt_not_payable"
  | "receipt_paid"
  | "already_resolved"
  | "not_refundable"
  | "provider_unavailable"
  | "provider_refused"
  | "code_taken"
  | "capacity_below_taken"
  | "waiting_list_empty"
  | "retry_failed"
  | "generic";

export type PeopleActionState =
  | { status: "idle" }
  /** `at` (ms) makes two successes in a row two announcements. */
  | { status: "done"; at: number }
  | {
      status: "error";
      error: PeopleErrorCode;
      fields?: string[];
      detail?: Record<string, number>;
      /** What was typed, so a form that failed validation keeps it (forms reset after an action). */
      values?: Record<string, string>;
      at?: number;
    };

export const idlePeopleState: PeopleActionState = { status: "idle" };

export type PeopleAction = (previous: PeopleActionState, formData: FormData) => Promise<PeopleActionState>;
