// The one result every form action answers with, and its failure shape. Plain types and values,
// so forms (client components) and actions share them; the client itself is ./client.ts.
import type { ErrorDetail } from "@/lib/errors";

/** Codes every form can word: bad input, a missing role, an unexpected failure. */
export type CommonErrorCode = "invalid" | "forbidden" | "generic";

/** What a failed action answers: a stable code the form words in the user's language, never a sentence. */
export type ActionFailure<Code extends string = never> = {
  status: "error";
  error: Code | CommonErrorCode;
  /** Field name → error code, for the fields that were refused. */
  fields?: Record<string, string>;
  /** Values a message may show (seats taken, what the provider said). */
  detail?: ErrorDetail;
  /** What was typed, for a form that resets after an action and must not lose it. */
  values?: Record<string, string>;
  /** When (ms): two failures in a row are two announcements. */
  at: number;
};

/** A form's state: before any answer, one of the action's successes, or a failure. */
export type ActionState<Done extends { status: string }, Code extends string = never> = { status: "idle" } | Done | ActionFailure<Code>;

export const idleState = { status: "idle" } as const;

export function failure<Code extends string = never>(
  error: NoInfer<Code> | CommonErrorCode,
  extra: Omit<ActionFailure<Code>, "status" | "error" | "at"> = {},
): ActionFailure<Code> {
  return { status: "error", error, ...extra, at: Date.now() };
}
