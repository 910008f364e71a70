// What the people pages' actions (attention, enrollments, courses) answer their forms: the shared
// form result with codes the form words in the user's language (messages "peopleActions").
import type { ActionState } from "@/lib/actions/state";
import type { ShownCodes } from "@/lib/errors";

export type PeopleErrorCode =
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
  | "retry_failed";

/** `at` (ms) makes two successes in a row two announcements. */
export type PeopleDone = { status: "done"; at: number };

export type PeopleActionState = ActionState<PeopleDone, PeopleErrorCode>;

export const idlePeopleState: PeopleActionState = { status: "idle" };

export type PeopleAction = (previous: PeopleActionState, formData: FormData) => Promise<PeopleActionState>;

/** The domain's error codes (staff actions, courses, payments) these forms can word, by the form's name. */
export const peopleShown: ShownCodes<PeopleErrorCode> = {
  not_found: "not_found",
  course_not_found: "not_found",
  not_allowed: "not_allowed",
  no_free_seat: "no_free_seat",
  method_required: "method_required",
  receipt_not_payable: "receipt_not_payable",
  receipt_paid: "receipt_paid",
  already_resolved: "already_resolved",
  not_refundable: "not_refundable",
  provider_unavailable: "provider_unavailable",
  provider_refused: "provider_refused",
  code_taken: "code_taken",
  capacity_below_taken: "capacity_below_taken",
  waiting_list_empty: "waiting_list_empty",
};
