// The check every staff page and action runs: a signed-in, still active user with the role,
// whose session began after their last password change and less than the maximum age ago.
import "server-only";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { findActiveStaff } from "@/db/queries/staff";
import { sessionExpired, signInPath, type StaffRole } from "./config";
import { auth } from "./index";

export type StaffSession = { id: string; name: string; email: string; role: StaffRole };

/** Where a user whose password someone else chose must go first. */
export const passwordChangePath = "/admin/account?required=1";

/**
 * For pages and actions: sends anyone without a valid session to sign in; forbids a missing role.
 * A user who must still change a password someone else chose (a first admin) is sent to do that
 * first; only the account page and its action (and the layout around it) pass `passwordChange`.
 */
export async function requireStaff(role?: StaffRole, options: { passwordChange?: "pending_allowed" } = {}): Promise<StaffSession> {
  const session = await auth();
  if (!session?.user?.id) redirect(signInPath);
  const { signedInAt } = session.user;
  if (sessionExpired(signedInAt)) redirect(signInPath);
  // A deactivated user's token is still signed: the database has the last word.
  const current = await findActiveStaff(await getDb(), session.user.id);
  if (!current) redirect(signInPath);
  // A password change (by the user or an admin) ends every session that began before it.
  if (current.passwordChangedAt && current.passwordChangedAt.getTime() > signedInAt) redirect(signInPath);
  if (current.mustChangePassword && options.passwordChange !== "pending_allowed") redirect(passwordChangePath);
  if (role === "admin" && current.role !== "admin") redirect("/admin?forbidden=1");
  return { id: current.id, name: current.name, email: current.email, role: current.role };
}
