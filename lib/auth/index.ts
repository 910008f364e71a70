// Staff authentication: next-auth with e-mail and password checked against staff_users.
import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/db/client";
import { findStaffForSignIn, recordSignIn } from "@/db/queries/staff";
import { authConfig } from "./config";
import { spendPasswordCheck, verifyPassword } from "./password";

const credentialsSchema = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig(),
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const db = await getDb();
        const user = await findStaffForSignIn(db, parsed.data.email);
        if (!user || !user.active) {
          await spendPasswordCheck(parsed.data.password);
          return null;
        }
        if (!(await verifyPassword(parsed.data.password, user.passwordHash))) return null;
        await recordSignIn(db, user.id);
        return { id: user.id, name: user.name, email: user.email, role: user.role };
      },
    }),
  ],
}));
