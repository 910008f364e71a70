// What a user-management action answers its form: the shared form result with the user codes
// the form translates, and a generated password to show once (never stored but as its hash).
import type { ActionState } from "@/lib/actions/state";
import type { UserChangeError } from "@/lib/auth/users";

export type UserNotice = "created" | "roleChanged" | "deactivated" | "reactivated" | "reset";

export type UserDone = { status: "done"; notice: UserNotice; password?: string; email?: string; at: number };

export type UserFormState = ActionState<UserDone, UserChangeError>;

export const idleUserForm: UserFormState = { status: "idle" };
