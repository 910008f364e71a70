"use server";
import { AuthError } from "next-auth";
import { z } from "zod";
import { signIn } from "@/lib/auth";

export type SignInState = { error?: "invalid" | "malformed"; email?: string };

const schema = z.object({ email: z.email().max(254), password: z.string().min(1).max(200) });

export async function signInAction(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const parsed = schema.safeParse({ email: formData.get("email"), password: formData.get("password") });
  const email = typeof formData.get("email") === "string" ? String(formData.get("email")) : "";
  if (!parsed.success) return { error: "malformed", email };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: "/admin" });
    return {};
  } catch (error) {
    // A successful sign-in throws Next's redirect, which must propagate.
    if (error instanceof AuthError) return { error: "invalid", email };
    throw error;
  }
}
