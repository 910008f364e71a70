"use server";
import { publicAction } from "@/lib/actions/client";
import { AuthError } from "next-auth";
import { z } from "zod";
import { signIn, SignInRateLimited } from "@/lib/auth";

export type SignInState = { error?: "invalid" | "malformed" | "rateLimited"; email?: string; waitMinutes?: number; waitSeconds?: number };

const schema = z.object({ email: z.email().max(254), password: z.string().min(1).max(200) });

export const signInAction = publicAction("signing in is how a session starts", async (_previous: SignInState, formData: FormData): Promise<SignInState> => {
  const parsed = schema.safeParse({ email: formData.get("email"), password: formData.get("password") });
  const email = typeof formData.get("email") === "string" ? String(formData.get("email")) : "";
  if (!parsed.success) return { error: "malformed", email };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: "/admin" });
    return {};
  } catch (error) {
    // Too many failures for this e-mail or this address: said the same way whether the e-mail exists or not.
    if (error instanceof SignInRateLimited) {
      const seconds = Math.max(1, error.retryAfterSeconds);
      return seconds < 60 ? { error: "rateLimited", email, waitSeconds: seconds } : { error: "rateLimited", email, waitMinutes: Math.ceil(seconds / 60) };
    }
    // A successful sign-in throws Next"s redirect, which must propagate.
    if (error instanceof AuthError) return { error: "invalid", email };
    throw error;
  }
});
