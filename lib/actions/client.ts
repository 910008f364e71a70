// The one way a server action is built. Every exported action of a "use server" module is made
// here, so each door states who may open it and goes through the same steps:
//   session (anonymous and deactivated callers are sent to sign in) → role (one refusal,
//   `forbidden`) → input (only the named form fields, parsed with zod; field codes on failure) →
//   act → one typed result (an action may also redirect, as Next's redirect() does). An AppError the form can word becomes its code; anything else is
//   logged in full and answered as `generic`. The pages named in `revalidate` are refreshed
//   whether the action succeeded or not (a refused refund is on the timeline too).
import "server-only";
import { revalidatePath } from "next/cache";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { requireStaff, type StaffSession } from "@/lib/auth/guard";
import { shownCode, type ErrorDetail, type ShownCodes } from "@/lib/errors";
import { failure, type ActionFailure, type ActionState, type CommonErrorCode } from "./state";

export { failure, idleState, type ActionFailure, type ActionState, type CommonErrorCode } from "./state";

/** Who may open a staff door: any active staff member, admins only, or (the account page) a user who must still change a password. */
export type StaffAccess = "staff" | "admin" | "account";

type Refresh = string | readonly [path: string, type: "layout"];

type FormInput = readonly string[] | ((formData: FormData) => Record<string, unknown>);

export type FormActionSpec<S extends z.ZodType, Code extends string> = {
  access: StaffAccess;
  /** What the action is, for the log when it fails unexpectedly. */
  name: string;
  /** The form fields read (text only; anything else the browser sends is ignored), or a reader for lists. */
  fields: FormInput;
  input: S;
  /** The AppError codes this form can word (a list, or the domain's code → the form's). */
  shown?: ShownCodes<Code | CommonErrorCode>;
  /** Pages to refresh after the action, whatever its outcome (`[path, "layout"]`: the path and every page under it). */
  revalidate?: readonly Refresh[] | ((input: z.output<S> | undefined) => readonly Refresh[]);
  /** Give a refused form back what was typed. */
  keepValues?: boolean;
  /** How refused fields are coded, when the schema's issues need more than their message (settings). */
  fieldErrors?: (error: z.ZodError) => Record<string, string>;
};

export type ActionContext = { user: StaffSession; formData: FormData };

export type FormAction<Done extends { status: string }, Code extends string> = (
  previous: ActionState<Done, Code>,
  formData: FormData,
) => Promise<Done | ActionFailure<Code>>;

/** A staff form's action (used with useActionState). */
export function staffFormAction<S extends z.ZodType, Done extends { status: string }, Code extends string = never>(
  spec: FormActionSpec<S, Code>,
  act: (input: z.output<S>, context: ActionContext) => Promise<Done | ActionFailure<Code>>,
): FormAction<Done, Code> {
  return async (_previous, formData): Promise<Done | ActionFailure<Code>> => {
    const user = await requireStaff(undefined, spec.access === "account" ? { passwordChange: "pending_allowed" } : {});
    // The form is hidden from staff, but hiding is not a check: the door itself refuses.
    if (spec.access === "admin" && user.role !== "admin") return failure<Code>("forbidden");
    const raw = typeof spec.fields === "function" ? spec.fields(formData) : textFields(formData, spec.fields);
    const values = spec.keepValues ? typedValues(raw) : undefined;
    const parsed = spec.input.safeParse(raw);
    let input: z.output<S> | undefined;
    try {
      if (!parsed.success) return failure<Code>("invalid", { fields: (spec.fieldErrors ?? fieldCodes)(parsed.error), values });
      input = parsed.data;
      const result = await act(parsed.data, { user, formData });
      return result.status === "error" && values && !("values" in result) ? { ...result, values } : result;
    } catch (error) {
      // Next's redirect and notFound are thrown: they must reach Next, not become a failure.
      unstable_rethrow(error);
      const code = spec.shown ? shownCode(error, spec.shown) : undefined;
      if (code !== undefined) return failure<Code>(code, { detail: detailOf(error), values });
      console.error(`${spec.name} failed:`, error);
      return failure<Code>("generic", { values });
    } finally {
      const paths = typeof spec.revalidate === "function" ? spec.revalidate(input) : (spec.revalidate ?? []);
      for (const path of paths) {
        if (typeof path === "string") revalidatePath(path);
        else revalidatePath(path[0], path[1]);
      }
    }
  };
}

/**
 * A door open to anyone (the wizard, a payment link, signing in, the language switch), with why
 * it needs no session. Its input is checked by the action itself: these take capabilities
 * (a link token, an attempt id) or the public form's own schema.
 */
export function publicAction<Args extends unknown[], Result>(_why: string, act: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
  return act;
}

/** A staff door that is not a form (no input, or called from code): the session and role are still checked first. */
export function staffAction<Args extends unknown[], Result>(
  access: StaffAccess,
  act: (user: StaffSession, ...args: Args) => Promise<Result>,
  refused: Result,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    const user = await requireStaff(undefined, access === "account" ? { passwordChange: "pending_allowed" } : {});
    if (access === "admin" && user.role !== "admin") return refused;
    return act(user, ...args);
  };
}

/** Only the named fields, as text. */
export function textFields(formData: FormData, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(
    names.map((name) => {
      const value = formData.get(name);
      return [name, typeof value === "string" ? value : undefined];
    }),
  );
}

function typedValues(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** The first issue's code for each refused field (a schema's messages are codes, never prose). */
export function fieldCodes(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    fields[field] ??= knownFieldCode(issue);
  }
  return fields;
}

// zod's own messages are English sentences: a field whose schema gave no code is just "invalid".
function knownFieldCode(issue: z.core.$ZodIssue): string {
  return /^[a-z][A-Za-z_]*$/.test(issue.message) ? issue.message : "invalid";
}

function detailOf(error: unknown): ErrorDetail | undefined {
  return typeof error === "object" && error !== null && "detail" in error ? (error.detail as ErrorDetail | undefined) : undefined;
}
