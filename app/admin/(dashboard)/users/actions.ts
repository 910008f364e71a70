"use server";
// User management, for admins only: each door is built by the action client (session → the
// admin role → the named fields, validated), acts in lib/auth/users.ts (rules and audit line in
// one transaction) and refreshes the list. Results are codes the form translates.
import { z } from "zod";
import { getDb } from "@/db/client";
import { failure, staffFormAction, type ActionContext } from "@/lib/actions/client";
import { MAX_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { changeStaffRole, createStaffUser, resetStaffPassword, setStaffActive, type UserChangeError, type UserChangeResult } from "@/lib/auth/users";
import type { UserDone, UserNotice } from "./form-state";

const role = z.enum(["admin", "staff"]);
const userId = z.uuid();
const optionalPassword = z
  .string()
  .max(MAX_PASSWORD_LENGTH * 4)
  .optional()
  .transform((value) => (value && value.trim() !== "" ? value : undefined));

function userAction<S extends z.ZodType>(
  name: string,
  fields: readonly string[],
  input: S,
  change: (input: z.output<S>, context: ActionContext) => Promise<{ result: UserChangeResult; notice: UserNotice; email?: string }>,
) {
  return staffFormAction<S, UserDone, UserChangeError>(
    { access: "admin", name: `User ${name}`, fields, input, revalidate: ["/admin/users"] },
    async (parsed, context) => {
      const { result, notice, email } = await change(parsed, context);
      if (!result.ok) return failure<UserChangeError>(result.error);
      return { status: "done", notice, password: result.password, email: result.password ? email : undefined, at: Date.now() };
    },
  );
}

export const createUserAction = userAction(
  "creation",
  ["name", "email", "role", "password"],
  z.object({ name: z.string().trim().min(1).max(120), email: z.email().max(254), role, password: optionalPassword }),
  async (input, { user }) => ({
    result: await createStaffUser(await getDb(), { ...input, actorId: user.id }),
    notice: "created",
    email: input.email.trim().toLowerCase(),
  }),
);

export const changeRoleAction = userAction("role change", ["userId", "role"], z.object({ userId, role }), async (input, { user }) => ({
  result: await changeStaffRole(await getDb(), { ...input, actorId: user.id }),
  notice: "roleChanged",
}));

export const setActiveAction = userAction(
  "activation",
  ["userId", "active"],
  z.object({ userId, active: z.enum(["true", "false"]).transform((value) => value === "true") }),
  async (input, { user }) => ({
    result: await setStaffActive(await getDb(), { ...input, actorId: user.id }),
    notice: input.active ? "reactivated" : "deactivated",
  }),
);

export const resetPasswordAction = userAction(
  "password reset",
  ["userId", "password", "email"],
  z.object({ userId, password: optionalPassword, email: z.string().optional() }),
  async (input, { user }) => ({
    result: await resetStaffPassword(await getDb(), { userId: input.userId, password: input.password, actorId: user.id }),
    notice: "reset",
    email: input.email,
  }),
);
