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
    /** When the user signed in (ms since epoch): a password changed later ends the session. */
    user: { id: string; name: string; email: string; role: StaffRole; signedInAt: number };
  }
}

export const signInPath = "/admin/sign-in";

/** Staff sessions end after a working day by default (SESSION_MAX_AGE_HOURS). */
export function sessionSeconds(): number {
  return Math.round(env().SESSION_MAX_AGE_HOURS * 3600);
}

/** A session signed in longer ago than the maximum (or before sign-in times were recorded) is over. */
export function sessionExpired(signedInAt: unknown, now = Date.now()): boolean {
  return typeof signedInAt !== "number" || now - signedInAt > sessionSeconds() * 1000;
}

export function authConfig(): NextAuthConfig {
  return {
    secret: env().AUTH_SECRET,
    trustHost: true,
    // next-auth re-signs a JWT session on every read, so maxAge alone is an idle timeout; the jwt
    // callback below also ends it that long after sign-in, however busy the user is.
    session: { strategy: "jwt", maxAge: sessionSeconds() },
    pages: { signIn: signInPath },
    providers: [],
    callbacks: {
      jwt({ token, user }) {
        // Only at sign-in: nothing a browser sends can move signedInAt later.
        if (user) {
          token.sub = user.id;
          token.role = user.role;
          token.signedInAt = Date.now();
        }
        return sessionExpired(token.signedInAt) ? null : token;
      },
      session({ session, token }) {
        const role = token.role === "admin" ? "admin" : "staff";
        const signedInAt = typeof token.signedInAt === "number" ? token.signedInAt : 0;
        return { ...session, user: { ...session.user, id: token.sub ?? "", role, signedInAt } };
      },
      authorized({ auth, request }) {
        const { pathname } = request.nextUrl;
        if (pathname === signInPath) return true;
        return !pathname.startsWith("/admin") || Boolean(auth?.user);
      },
    },
  };
}
