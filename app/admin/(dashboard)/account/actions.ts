"use server";
// Changing one's own password: the action client checks the session (a user who must still
// change a password may come here) → validate → check the current password and the rule
// (lib/auth/users.ts, with its audit event) → sign this browser in again with the new password,
// so only the other sessions end (their sign-in is older than the change).
import { redirect } from "next/navigation";
import { AuthError } from "next-auth";
import { z } from "zod";
import { getDb } from "@/db/client";
import { failure, staffFormAction } from "@/lib/actions/client";
import type { ActionState } from "@/lib/actions/state";
import { signIn } from "@/lib/auth";
import { signInPath } from "@/lib/auth/config";
import { MAX_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { changeOwnPassword } from "@/lib/auth/users";

export type PasswordFormError = "mismatch" | "wrongPassword" | "tooShort" | "tooLong" | "likeEmail" | "samePassword";
/** Success leaves the page (a redirect): the form only ever shows a failure. */
export type PasswordFormState = ActionState<{ status: "idle" }, PasswordFormError>;

const schema = z.object({
  current: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  next: z
    .string()
    .min(1)
    .max(MAX_PASSWORD_LENGTH * 4),
  repeat: z
    .string()
    .min(1)
    .max(MAX_PASSWORD_LENGTH * 4),
});

export const changePasswordAction = staffFormAction<typeof schema, { status: "idle" }, PasswordFormError>(
  { access: "account", name: "Password change", fields: ["current", "next", "repeat"], input: schema },
  async (input, { user }) => {
    if (input.next !== input.repeat) return failure<PasswordFormError>("mismatch");
    const result = await changeOwnPassword(await getDb(), { userId: user.id, current: input.current, next: input.next });
    if (!result.ok) {
      const { error } = result;
      return failure<PasswordFormError>(error === "notFound" || error === "self" || error === "lastAdmin" || error === "emailTaken" ? "generic" : error);
    }
    try {
      // Throws Next's redirect on success (the new session cookie is set on this response).
      await signIn("credentials", { email: user.email, password: input.next, redirectTo: "/admin/account?changed=1" });
    } catch (error) {
      // The password is changed either way; if this browser cannot be signed in again, it signs in by hand.
      if (error instanceof AuthError) redirect(signInPath);
      throw error;
    }
    return { status: "idle" };
  },
);
