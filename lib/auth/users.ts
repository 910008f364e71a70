// Staff accounts: creating users, changing roles, deactivating, resetting and changing passwords.
// Each change runs in one transaction with its audit event (source `staff`, the acting user),
// and keeps the rules: never leave the academy without an active admin, never lock yourself out.
// Setting a password stamps password_changed_at, which ends every session that began before it.
import "server-only";
import type { Db } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { insertStaffUser, lockActiveAdmins, lockStaffUser, updateStaffUser } from "@/db/queries/users";
import type { StaffRole } from "./config";
import { hashPassword, verifyPassword } from "./password";
import { generatePassword, passwordProblem, type PasswordProblem } from "./password-policy";

export type UserChangeError = "emailTaken" | "notFound" | "self" | "lastAdmin" | "wrongPassword" | "samePassword" | PasswordProblem;
export type UserChangeResult = { ok: true; password?: string } | { ok: false; error: UserChangeError };

const fail = (error: UserChangeError): UserChangeResult => ({ ok: false, error });

/** The admin's chosen password, checked; or a generated one to show once. */
function choosePassword(given: string | undefined, email: string): { password: string; generated: boolean } | PasswordProblem {
  if (!given) return { password: generatePassword(), generated: true };
  return passwordProblem(given, email) ?? { password: given, generated: false };
}

export async function createStaffUser(
  db: Db,
  input: { name: string; email: string; role: StaffRole; password?: string; actorId: string },
): Promise<UserChangeResult> {
  const email = input.email.trim().toLowerCase();
  const chosen = choosePassword(input.password, email);
  if (typeof chosen === "string") return fail(chosen);
  const passwordHash = await hashPassword(chosen.password);
  return db.transaction(async (tx) => {
    // A password someone else chose (or saw) is changed at the first sign-in.
    const id = await insertStaffUser(tx, { name: input.name, email, role: input.role, passwordHash, mustChangePassword: true });
    if (!id) return fail("emailTaken");
    await recordAudit(tx, { source: "staff", action: "user.created", staffUserId: input.actorId, data: { userId: id, email, role: input.role } });
    return { ok: true, password: chosen.generated ? chosen.password : undefined };
  });
}

export async function changeStaffRole(db: Db, input: { userId: string; role: StaffRole; actorId: string }): Promise<UserChangeResult> {
  if (input.userId === input.actorId) return fail("self");
  return db.transaction(async (tx) => {
    const admins = await lockActiveAdmins(tx);
    const user = await lockStaffUser(tx, input.userId);
    if (!user) return fail("notFound");
    if (user.role === input.role) return { ok: true };
    if (user.role === "admin" && user.active && admins.length <= 1) return fail("lastAdmin");
    await updateStaffUser(tx, user.id, { role: input.role });
    await recordAudit(tx, {
      source: "staff",
      action: "user.role_changed",
      staffUserId: input.actorId,
      data: { userId: user.id, from: user.role, to: input.role },
    });
    return { ok: true };
  });
}

export async function setStaffActive(db: Db, input: { userId: string; active: boolean; actorId: string }): Promise<UserChangeResult> {
  if (input.userId === input.actorId) return fail("self");
  return db.transaction(async (tx) => {
    const admins = await lockActiveAdmins(tx);
    const user = await lockStaffUser(tx, input.userId);
    if (!user) return fail("notFound");
    if (user.active === input.active) return { ok: true };
    if (!input.active && user.role === "admin" && admins.length <= 1) return fail("lastAdmin");
    await updateStaffUser(tx, user.id, { active: input.active });
    await recordAudit(tx, {
      source: "staff",
      action: input.active ? "user.reactivated" : "user.deactivated",
      staffUserId: input.actorId,
      data: { userId: user.id },
    });
    return { ok: true };
  });
}

/** An admin sets a new password for someone else (their sessions end); generated when not given. */
export async function resetStaffPassword(db: Db, input: { userId: string; password?: string; actorId: string }): Promise<UserChangeResult> {
  if (input.userId === input.actorId) return fail("self");
  return db.transaction(async (tx) => {
    const user = await lockStaffUser(tx, input.userId);
    if (!user) return fail("notFound");
    const chosen = choosePassword(input.password, user.email);
    if (typeof chosen === "string") return fail(chosen);
    await updateStaffUser(tx, user.id, { passwordHash: await hashPassword(chosen.password), passwordChangedAt: new Date(), mustChangePassword: true });
    await recordAudit(tx, { source: "staff", action: "user.password_reset", staffUserId: input.actorId, data: { userId: user.id } });
    return { ok: true, password: chosen.generated ? chosen.password : undefined };
  });
}

/** A user changes their own password, proving the current one; every session of theirs ends. */
export async function changeOwnPassword(db: Db, input: { userId: string; current: string; next: string }): Promise<UserChangeResult> {
  return db.transaction(async (tx) => {
    const user = await lockStaffUser(tx, input.userId);
    if (!user || !user.active) return fail("notFound");
    if (!(await verifyPassword(input.current, user.passwordHash))) return fail("wrongPassword");
    const problem = passwordProblem(input.next, user.email);
    if (problem) return fail(problem);
    if (input.current === input.next) return fail("samePassword");
    await updateStaffUser(tx, user.id, { passwordHash: await hashPassword(input.next), passwordChangedAt: new Date(), mustChangePassword: false });
    await recordAudit(tx, { source: "staff", action: "user.password_changed", staffUserId: user.id, data: { userId: user.id } });
    return { ok: true };
  });
}

/**
 * An admin from the command line (`npm run admin:create`), for a new installation: a generated
 * password, shown once by the caller and changed at the first sign-in.
 */
export async function createAdminFromCommandLine(db: Db, input: { name: string; email: string }): Promise<UserChangeResult & { email: string }> {
  const email = input.email.trim().toLowerCase();
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const id = await insertStaffUser(tx, { name: input.name.trim(), email, role: "admin", passwordHash, mustChangePassword: true });
    if (!id) return { ...fail("emailTaken"), email };
    await recordAudit(tx, { source: "system", action: "user.created", data: { userId: id, email, role: "admin", via: "command line" } });
    return { ok: true, password, email };
  });
}
