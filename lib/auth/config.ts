// The part of the auth set-up that needs no database: sessions, pages and the redirect rule
// that proxy.ts applies. Authorisation itself happens in every page and action (lib/auth/guard.ts).
import type { NextAuthConfig } from "next-auth";
import { env } from "@/lib/env";

export type StaffRole = "admin" | "staff";

declare module "next-auth" {
  interface User {
    role?: StaffRole;
  }
  interface Session {
    user: { id: string; name: string; email: string; role: StaffRole };
  }
}

/** Staff sessions end after a working day. */
const SESSION_SECONDS = 8 * 60 * 60;

export const signInPath = "/admin/sign-in";

export function authConfig(): NextAuthConfig {
  return {
    secret: env().AUTH_SECRET,
    trustHost: true,
    session: { strategy: "jwt", maxAge: SESSION_SECONDS },
    pages: { signIn: signInPath },
    providers: [],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.role = user.role;
        }
        return token;
      },
      session({ session, token }) {
        const role = token.role === "admin" ? "admin" : "staff";
        return { ...session, user: { ...session.user, id: token.sub ?? "", role } };
      },
      authorized({ auth, request }) {
        const { pathname } = request.nextUrl;
        if (pathname === signInPath) return true;
        return !pathname.startsWith("/admin") || Boolean(auth?.user);
      },
    },
  };
}
