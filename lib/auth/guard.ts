// The check every staff page and action runs: a signed-in, still active user with the role.
import "server-only";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { findActiveStaff } from "@/db/queries/staff";
import { signInPath, type StaffRole } from "./config";
import { auth } from "./index";

export type StaffSession = { id: string; name: string; email: string; role: StaffRole };

/** For pages: sends anyone without a valid session to sign in; forbids a missing role. */
export async function requireStaff(role?: StaffRole): Promise<StaffSession> {
  const session = await auth();
  if (!session?.user?.id) redirect(signInPath);
  // A deactivated user's token is still signed: the database has the last word.
  const current = await findActiveStaff(await getDb(), session.user.id);
  if (!current) redirect(signInPath);
  if (role === "admin" && current.role !== "admin") redirect("/admin?forbidden=1");
  return { ...session.user, role: current.role };
}
