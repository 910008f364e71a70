"use server";
import { signOut } from "@/lib/auth";
import { signInPath } from "@/lib/auth/config";

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: signInPath });
}
