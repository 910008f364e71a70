// Staff user management: the list (never the password hashes), creation and the changes an
// admin makes. The rules (last admin, yourself) live in lib/auth/users.ts.
import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { staffUsers } from "@/db/schema";

type StaffRole = (typeof staffUsers.role.enumValues)[number];

export async function listStaffUsers(db: DbOrTx) {
  return db
    .select({
      id: staffUsers.id,
      name: staffUsers.name,
      email: staffUsers.email,
      role: staffUsers.role,
      active: staffUsers.active,
      createdAt: staffUsers.createdAt,
      lastSignInAt: staffUsers.lastSignInAt,
      passwordChangedAt: staffUsers.passwordChangedAt,
    })
    .from(staffUsers)
    .orderBy(sql`${staffUsers.active} desc`, asc(staffUsers.name), asc(staffUsers.id));
}

export type StaffUserRow = Awaited<ReturnType<typeof listStaffUsers>>[number];

/** The row to change, locked for the rest of the transaction. */
export async function lockStaffUser(tx: DbOrTx, id: string) {
  const [user] = await tx
    .select({ id: staffUsers.id, email: staffUsers.email, role: staffUsers.role, active: staffUsers.active, passwordHash: staffUsers.passwordHash })
    .from(staffUsers)
    .where(eq(staffUsers.id, id))
    .for("update");
  return user;
}

/**
 * Active admins, their rows locked: two admins demoting each other at once cannot both pass the
 * "never the last admin" check, because the second waits for the first to commit.
 */
export async function lockActiveAdmins(tx: DbOrTx): Promise<string[]> {
  const rows = await tx
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, "admin"), eq(staffUsers.active, true)))
    .orderBy(asc(staffUsers.id))
    .for("update");
  return rows.map((row) => row.id);
}

/** Inserts a user; undefined when the e-mail is taken (unique, case-insensitive). */
export async function insertStaffUser(tx: DbOrTx, user: { name: string; email: string; role: StaffRole; passwordHash: string; mustChangePassword?: boolean }) {
  const [row] = await tx
    .insert(staffUsers)
    .values({ ...user, passwordChangedAt: new Date() })
    .onConflictDoNothing()
    .returning({ id: staffUsers.id });
  return row?.id;
}

export async function updateStaffUser(
  tx: DbOrTx,
  id: string,
  change: { role?: StaffRole; active?: boolean; passwordHash?: string; passwordChangedAt?: Date; mustChangePassword?: boolean },
) {
  await tx.update(staffUsers).set(change).where(eq(staffUsers.id, id));
}

/** What the account page shows about the signed-in user. */
export async function findStaffAccount(db: DbOrTx, id: string) {
  const [user] = await db
    .select({ lastSignInAt: staffUsers.lastSignInAt, passwordChangedAt: staffUsers.passwordChangedAt, mustChangePassword: staffUsers.mustChangePassword })
    .from(staffUsers)
    .where(eq(staffUsers.id, id));
  return user;
}
