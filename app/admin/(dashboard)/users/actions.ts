"use server";
// User management, for admins only. Each action: authenticate and authorise
// (requireStaff("admin")) → validate (zod) → act in lib/auth/users.ts (rules + audit event in
// one transaction) → refresh the list. Results are codes the form translates.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { MAX_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { changeStaffRole, createStaffUser, resetStaffPassword, setStaffActive, type UserChangeResult } from "@/lib/auth/users";
import type { UserFormState, UserNotice } from "./form-state";

const role = z.enum(["admin", "staff"]);
const userId = z.uuid();
const optionalPassword = z
  .string()
  .max(MAX_PASSWORD_LENGTH * 4)
  .optional()
  .transform((value) => (value && value.trim() !== "" ? value : undefined));

const schemas = {
  create: z.object({ name: z.string().trim().min(1).max(120), email: z.email().max(254), role, password: optionalPassword }),
  role: z.object({ userId, role }),
  active: z.object({ userId, active: z.enum(["true", "false"]).transform((value) => value === "true") }),
  reset: z.object({ userId, password: optionalPassword }),
};

/** Only the named fields are read: whatever else the browser sends is ignored. */
function fields(formData: FormData, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, formData.get(name) ?? undefined]));
}

async function settle(change: () => Promise<UserChangeResult>, notice: UserNotice, email?: string): Promise<UserFormState> {
  let result: UserChangeResult;
  try {
    result = await change();
  } catch (error) {
    console.error("User change failed:", error);
    return { status: "error", error: "generic", at: Date.now() };
  }
  revalidatePath("/admin/users");
  if (!result.ok) return { status: "error", error: result.error, at: Date.now() };
  return { status: "done", notice, password: result.password, email: result.password ? email : undefined, at: Date.now() };
}

export async function createUserAction(_previous: UserFormState, formData: FormData): Promise<UserFormState> {
  const admin = await requireStaff("admin");
  const parsed = schemas.create.safeParse(fields(formData, ["name", "email", "role", "password"]));
  if (!parsed.success) return { status: "error", error: "invalid", at: Date.now() };
  const input = parsed.data;
  return settle(async () => createStaffUser(await getDb(), { ...input, actorId: admin.id }), "created", input.email.trim().toLowerCase());
}

export async function changeRoleAction(_previous: UserFormState, formData: FormData): Promise<UserFormState> {
  const admin = await requireStaff("admin");
  const parsed = schemas.role.safeParse(fields(formData, ["userId", "role"]));
  if (!parsed.success) return { status: "error", error: "invalid", at: Date.now() };
  const input = parsed.data;
  return settle(async () => changeStaffRole(await getDb(), { ...input, actorId: admin.id }), "roleChanged");
}

export async function setActiveAction(_previous: UserFormState, formData: FormData): Promise<UserFormState> {
  const admin = await requireStaff("admin");
  const parsed = schemas.active.safeParse(fields(formData, ["userId", "active"]));
  if (!parsed.success) return { status: "error", error: "invalid", at: Date.now() };
  const input = parsed.data;
  return settle(async () => setStaffActive(await getDb(), { ...input, actorId: admin.id }), input.active ? "reactivated" : "deactivated");
}

export async function resetPasswordAction(_previous: UserFormState, formData: FormData): Promise<UserFormState> {
  const admin = await requireStaff("admin");
  const parsed = schemas.reset.safeParse(fields(formData, ["userId", "password"]));
  if (!parsed.success) return { status: "error", error: "invalid", at: Date.now() };
  const input = parsed.data;
  const email = typeof formData.get("email") === "string" ? String(formData.get("email")) : undefined;
  return settle(async () => resetStaffPassword(await getDb(), { ...input, actorId: admin.id }), "reset", email);
}
