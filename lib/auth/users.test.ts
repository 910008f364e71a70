// Staff account rules on a real PostgreSQL: the last active admin stays, nobody changes their
// own role or status, passwords follow the rule, and every change leaves an audit event.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import { staffUsers } from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { hashPassword, verifyPassword } from "./password";
import { changeOwnPassword, changeStaffRole, createStaffUser, resetStaffPassword, setStaffActive } from "./users";

let database: Database;
let adminId: string;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_staff_users");
  const [admin] = await database.db
    .insert(staffUsers)
    .values({ name: "Admin", email: "admin@test.es", role: "admin", passwordHash: await hashPassword("Admin-Password-1") })
    .returning({ id: staffUsers.id });
  adminId = admin!.id;
});

afterAll(async () => {
  await database?.close();
});

async function user(id: string) {
  const [row] = await queryRows<{ role: string; active: boolean; password_hash: string; password_changed_at: Date | null }>(
    database.db,
    sql`select role, active, password_hash, password_changed_at from staff_users where id = ${id}`,
  );
  return row!;
}

async function auditActions(userId: string) {
  return (await queryRows<{ action: string }>(database.db, sql`select action from audit_events where data->>'userId' = ${userId} order by id`)).map(
    (r) => r.action,
  );
}

describe("staff users", () => {
  it("creates a user with a generated password shown once, refusing a taken e-mail in any case", async () => {
    const db = database.db;
    const created = await createStaffUser(db, { name: "Eva", email: "Eva@Test.es", role: "staff", actorId: adminId });
    expect(created).toMatchObject({ ok: true, password: expect.stringMatching(/^\w{4}-\w{4}-\w{4}-\w{4}$/) });
    const [row] = await queryRows<{ id: string; email: string; password_hash: string }>(
      db,
      sql`select id, email, password_hash from staff_users where email = 'eva@test.es'`,
    );
    expect(await verifyPassword((created as { password: string }).password, row!.password_hash)).toBe(true);
    expect(await createStaffUser(db, { name: "Eva 2", email: "EVA@test.es", role: "staff", actorId: adminId })).toEqual({ ok: false, error: "emailTaken" });
    expect(await auditActions(row!.id)).toEqual(["user.created"]);
  });

  it("refuses a weak chosen password", async () => {
    const db = database.db;
    expect(await createStaffUser(db, { name: "Leo", email: "leo@test.es", role: "staff", password: "short", actorId: adminId })).toEqual({
      ok: false,
      error: "tooShort",
    });
    expect(await createStaffUser(db, { name: "Leo", email: "leo@test.es", role: "staff", password: "leo@test.es-1", actorId: adminId })).toEqual({
      ok: false,
      error: "likeEmail",
    });
    const ok = await createStaffUser(db, { name: "Leo", email: "leo@test.es", role: "staff", password: "a-good-password", actorId: adminId });
    expect(ok).toEqual({ ok: true, password: undefined });
  });

  it("never demotes or deactivates the last active admin, nor lets anyone change themselves", async () => {
    const db = database.db;
    const created = await createStaffUser(db, { name: "Second", email: "second@test.es", role: "admin", actorId: adminId });
    expect(created.ok).toBe(true);
    const [second] = await queryRows<{ id: string }>(db, sql`select id from staff_users where email = 'second@test.es'`);
    expect(await changeStaffRole(db, { userId: adminId, role: "staff", actorId: adminId })).toEqual({ ok: false, error: "self" });
    expect(await setStaffActive(db, { userId: adminId, active: false, actorId: adminId })).toEqual({ ok: false, error: "self" });
    // Two admins: one may be deactivated by the other, then the other is the last.
    expect(await setStaffActive(db, { userId: adminId, active: false, actorId: second!.id })).toEqual({ ok: true });
    expect((await user(adminId)).active).toBe(false);
    // The deactivated admin cannot act, but the rule also holds from any other actor:
    expect(await changeStaffRole(db, { userId: second!.id, role: "staff", actorId: adminId })).toEqual({ ok: false, error: "lastAdmin" });
    expect(await setStaffActive(db, { userId: second!.id, active: false, actorId: adminId })).toEqual({ ok: false, error: "lastAdmin" });
    expect(await setStaffActive(db, { userId: adminId, active: true, actorId: second!.id })).toEqual({ ok: true });
    expect(await changeStaffRole(db, { userId: second!.id, role: "staff", actorId: adminId })).toEqual({ ok: true });
    expect((await user(second!.id)).role).toBe("staff");
    expect(await auditActions(adminId)).toEqual(["user.deactivated", "user.reactivated"]);
    expect(await auditActions(second!.id)).toEqual(["user.created", "user.role_changed"]);
  });

  it("two admins demoting each other at once leave one admin", async () => {
    const db = database.db;
    await createStaffUser(db, { name: "A1", email: "a1@test.es", role: "admin", actorId: adminId });
    await createStaffUser(db, { name: "A2", email: "a2@test.es", role: "admin", actorId: adminId });
    // Leave exactly a1 and a2 as the active admins.
    await db.execute(sql`update staff_users set active = false where role = 'admin' and email not in ('a1@test.es', 'a2@test.es')`);
    const [a1, a2] = await queryRows<{ id: string }>(db, sql`select id from staff_users where email in ('a1@test.es', 'a2@test.es') order by email`);
    const results = await Promise.all([
      changeStaffRole(db, { userId: a1!.id, role: "staff", actorId: a2!.id }),
      changeStaffRole(db, { userId: a2!.id, role: "staff", actorId: a1!.id }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const [{ count }] = (await queryRows<{ count: number }>(db, sql`select count(*)::int as count from staff_users where role = 'admin' and active`)) as [
      { count: number },
    ];
    expect(count).toBe(1);
    await db.execute(sql`update staff_users set active = true, role = 'admin' where id = ${adminId}`);
  });

  it("changes one's own password only with the current one, and stamps the change", async () => {
    const db = database.db;
    expect(await changeOwnPassword(db, { userId: adminId, current: "wrong-password!", next: "Another-Password-2" })).toEqual({
      ok: false,
      error: "wrongPassword",
    });
    expect(await changeOwnPassword(db, { userId: adminId, current: "Admin-Password-1", next: "admin@test.es" })).toEqual({ ok: false, error: "likeEmail" });
    expect(await changeOwnPassword(db, { userId: adminId, current: "Admin-Password-1", next: "Admin-Password-1" })).toEqual({
      ok: false,
      error: "samePassword",
    });
    expect((await user(adminId)).password_changed_at).toBeNull();
    const before = Date.now();
    expect(await changeOwnPassword(db, { userId: adminId, current: "Admin-Password-1", next: "Another-Password-2" })).toEqual({ ok: true });
    const after = await user(adminId);
    expect(await verifyPassword("Another-Password-2", after.password_hash)).toBe(true);
    expect(new Date(after.password_changed_at!).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await auditActions(adminId)).toContain("user.password_changed");
  });

  it("resets someone else's password (generated) but not one's own", async () => {
    const db = database.db;
    const [leo] = await queryRows<{ id: string }>(db, sql`select id from staff_users where email = 'leo@test.es'`);
    expect(await resetStaffPassword(db, { userId: adminId, actorId: adminId })).toEqual({ ok: false, error: "self" });
    const reset = await resetStaffPassword(db, { userId: leo!.id, actorId: adminId });
    expect(reset.ok && reset.password).toBeTruthy();
    expect(await verifyPassword((reset as { password: string }).password, (await user(leo!.id)).password_hash)).toBe(true);
    expect(await auditActions(leo!.id)).toEqual(["user.created", "user.password_reset"]);
  });
});
