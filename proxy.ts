// Redirects anonymous visitors of /admin to the sign-in page. It only redirects: every page
// and action still checks the session and role itself (lib/auth/guard.ts).
import NextAuth from "next-auth";
import { authConfig } from "@/lib/auth/config";

const { auth } = NextAuth(authConfig);

export default auth;

export const config = { matcher: ["/admin/:path*"] };
