// Turns what the domain throws into the people forms' error codes. Unknown errors are logged in
// full and shown as the generic message.
import "server-only";
import { CourseError } from "@/lib/courses/manage";
import { StaffActionError } from "@/lib/enrollment/staff-actions";
import { PaymentError } from "@/lib/payments/types";
import type { PeopleActionState } from "./action-state";

export function errorState(error: unknown, what: string): PeopleActionState {
  if (error instanceof StaffActionError) return { status: "error", error: error.code };
  if (error instanceof CourseError) {
    return { status: "error", error: error.code === "course_not_found" ? "not_found" : error.code, detail: error.detail };
  }
  if (error instanceof PaymentError) {
    if (error.code === "provider_unavailable" || error.code === "provider_refused") return { status: "error", error: error.code };
    if (error.code === "receipt_not_payable") return { status: "error", error: "receipt_not_payable" };
  }
  console.error(`${what} failed:`, error);
  return { status: "error", error: "generic" };
}

/** Only the named fields of a form, as text (whatever else the browser sends is ignored). */
export function formFields<const N extends string>(formData: FormData, names: readonly N[]): Record<N, string | undefined> {
  return Object.fromEntries(names.map((name) => [name, typeof formData.get(name) === "string" ? (formData.get(name) as string) : undefined])) as Record<N, string | undefined>;
}
