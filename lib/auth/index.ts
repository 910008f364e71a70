// Staff authentication: next-auth with e-mail and password checked against staff_users.
// Every attempt is counted before the password is checked (lib/security/doors.ts says how), with
// the same answer whether or not the e-mail exists.
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/db/client";
import { findStaffForSignIn, recordSignIn } from "@/db/queries/staff";
import { beginSignIn, clearSignInFailures, requestAddress } from "@/lib/security/doors";
import { authConfig } from "./config";
import { spendPasswordCheck, verifyPassword } from "./password";

const credentialsSchema = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});

/** Too many failures: the sign-in form says how long to wait (the code also reaches the URL). */
export class SignInRateLimited extends CredentialsSignin {
  code = "rate_limited";
  constructor(readonly retryAfterSeconds: number) {
    super();
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig(),
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const { email, password } = parsed.data;
        const db = await getDb();
        const address = requestAddress(request.headers);
        const gate = await beginSignIn(db, email, address);
        if (gate.refusedFor !== undefined) throw new SignInRateLimited(gate.refusedFor);
        const user = await findStaffForSignIn(db, email);
        const valid = user && user.active ? await verifyPassword(password, user.passwordHash) : (await spendPasswordCheck(password), false);
        if (!user || !valid) {
          if (gate.waitIfWrong !== undefined) throw new SignInRateLimited(gate.waitIfWrong);
          return null;
        }
        await clearSignInFailures(db, email, address);
        await recordSignIn(db, user.id);
        return { id: user.id, name: user.name, email: user.email, role: user.role };
      },
    }),
  ],
}));
