"use server";
import { publicAction } from "@/lib/actions/client";
import { signOut } from "@/lib/auth";
import { signInPath } from "@/lib/auth/config";

export const signOutAction = publicAction("signing out needs no check", async (): Promise<void> => {
  await signOut({ redirectTo: signInPath });
});
