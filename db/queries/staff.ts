import "server-only";
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { staffUsers } from "@/db/schema";

export async function findStaffForSignIn(db: DbOrTx, email: string) {
  const [user] = await db
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      name: staffUsers.name,
      role: staffUsers.role,
      active: staffUsers.active,
      passwordHash: staffUsers.passwordHash,
    })
    .from(staffUsers)
    .where(eq(sql`lower(${staffUsers.email})`, email.trim().toLowerCase()));
  return user;
}

export async function recordSignIn(db: DbOrTx, id: string): Promise<void> {
  await db.update(staffUsers).set({ lastSignInAt: new Date() }).where(eq(staffUsers.id, id));
}

/** The user behind a session, if still active; passwordChangedAt ends older sessions. */
export async function findActiveStaff(db: DbOrTx, id: string) {
  const [user] = await db
    .select({
      id: staffUsers.id,
      role: staffUsers.role,
      name: staffUsers.name,
      email: staffUsers.email,
      passwordChangedAt: staffUsers.passwordChangedAt,
      mustChangePassword: staffUsers.mustChangePassword,
    })
    .from(staffUsers)
    .where(sql`${staffUsers.id} = ${id} and ${staffUsers.active}`);
  return user;
}
