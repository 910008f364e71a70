// What a user-management action returns to its form: codes the form translates, and a
// generated password to show once (never stored anywhere but in the hash).
import type { UserChangeError } from "@/lib/auth/users";

export type UserNotice = "created" | "roleChanged" | "deactivated" | "reactivated" | "reset";
export type UserFormError = UserChangeError | "invalid" | "generic";

export type UserFormState =
  | { status: "idle" }
  | { status: "done"; notice: UserNotice; password?: string; email?: string; at: number }
  | { status: "error"; error: UserFormError; at: number };

export const idleUserForm: UserFormState = { status: "idle" };
