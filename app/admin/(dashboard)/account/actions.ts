"use server";
// Changing one's own password: authenticate → validate → check the current password and the
// rule (lib/auth/users.ts, with its audit event) → sign this browser in again with the new
// password, so only the other sessions end (their sign-in is older than the change).
import { redirect } from "next/navigation";
import { AuthError } from "next-auth";
import { z } from "zod";
import { getDb } from "@/db/client";
import { signIn } from "@/lib/auth";
import { signInPath } from "@/lib/auth/config";
import { requireStaff } from "@/lib/auth/guard";
import { MAX_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { changeOwnPassword } from "@/lib/auth/users";

export type PasswordFormError = "invalid" | "mismatch" | "wrongPassword" | "tooShort" | "tooLong" | "likeEmail" | "samePassword" | "generic";
export type PasswordFormState = { status: "idle" } | { status: "error"; error: PasswordFormError; at: number };

const schema = z.object({
  current: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  next: z.string().min(1).max(MAX_PASSWORD_LENGTH * 4),
  repeat: z.string().min(1).max(MAX_PASSWORD_LENGTH * 4),
});

export async function changePasswordAction(_previous: PasswordFormState, formData: FormData): Promise<PasswordFormState> {
  const user = await requireStaff(undefined, { passwordChange: "pending_allowed" });
  const parsed = schema.safeParse({ current: formData.get("current"), next: formData.get("next"), repeat: formData.get("repeat") });
  if (!parsed.success) return { status: "error", error: "invalid", at: Date.now() };
  if (parsed.data.next !== parsed.data.repeat) return { status: "error", error: "mismatch", at: Date.now() };
  let result;
  try {
    result = await changeOwnPassword(await getDb(), { userId: user.id, current: parsed.data.current, next: parsed.data.next });
  } catch (error) {
    console.error("Password change failed:", error);
    return { status: "error", error: "generic", at: Date.now() };
  }
  if (!result.ok) return { status: "error", error: result.error === "notFound" || result.error === "self" || result.error === "lastAdmin" || result.error === "emailTaken" ? "generic" : result.error, at: Date.now() };
  try {
    // Throws Next's redirect on success (the new session cookie is set on this response).
    await signIn("credentials", { email: user.email, password: parsed.data.next, redirectTo: "/admin/account?changed=1" });
  } catch (error) {
    // The password is changed either way; if this browser cannot be signed in again, it signs in by hand.
    if (error instanceof AuthError) redirect(signInPath);
    throw error;
  }
  return { status: "idle" };
}
