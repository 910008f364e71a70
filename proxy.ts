// Runs before every page and route: sends anonymous visitors of /admin to the sign-in page and
// puts the security headers (lib/http/security-headers.ts) on every response. It only redirects:
// every page and action still checks the session and role itself (lib/auth/guard.ts).
import NextAuth from "next-auth";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { authConfig } from "@/lib/auth/config";
import { env } from "@/lib/env";
import { securityHeaders } from "@/lib/http/security-headers";

const { auth } = NextAuth(authConfig);
// Called as plain middleware, next-auth applies the `authorized` rule and answers with the redirect.
const adminGate = auth as unknown as (request: NextRequest, event: NextFetchEvent) => Promise<Response | undefined>;

let headers: Record<string, string> | undefined;
function headersForThisProcess(): Record<string, string> {
  if (!headers) {
    const config = env();
    headers = securityHeaders({
      providerBaseUrls: [config.STRIPE_API_BASE, config.PAYPAL_API_BASE, config.PAYPAL_SDK_BASE, config.REDSYS_BASE_URL],
      development: config.NODE_ENV === "development",
      https: config.APP_URL.startsWith("https://"),
    });
  }
  return headers;
}

export default async function proxy(request: NextRequest, event: NextFetchEvent): Promise<Response> {
  const response = request.nextUrl.pathname.startsWith("/admin") ? ((await adminGate(request, event)) ?? NextResponse.next()) : NextResponse.next();
  for (const [name, value] of Object.entries(headersForThisProcess())) response.headers.set(name, value);
  return response;
}

// Everything but the build's static files, which carry no page and are served most often.
export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg|icon-512.png|apple-touch-icon.png|site.webmanifest|robots.txt).*)"] };
