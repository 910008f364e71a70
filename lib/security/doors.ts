// The rate limits of the public doors, by name, with their settings from the environment. The
// pages and actions that are doors make one call here; the limiter (rate-limit.ts) does the counting.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { env } from "@/lib/env";
import { clientIp } from "./client-ip";
import { hit, peek, resetRateLimit, type RateLimit, type RateLimitResult } from "./rate-limit";

export type Door = "enrollment" | "pay" | "api";

const allowed: RateLimitResult = { allowed: true, hits: 0, retryAfterSeconds: 0, resetSeconds: 0 };

function doorLimit(door: Door): RateLimit {
  const config = env();
  const perMinute = { enrollment: config.RATE_LIMIT_ENROLLMENT_PER_MINUTE, pay: config.RATE_LIMIT_PAY_PER_MINUTE, api: config.RATE_LIMIT_API_PER_MINUTE }[door];
  return { limit: perMinute, windowSeconds: 60 };
}

/** The address to count a request under; "unknown" when no proxy is trusted (TRUST_PROXY). */
export function requestAddress(headers: Pick<Headers, "get">): string {
  return clientIp(headers, env().TRUST_PROXY) ?? UNKNOWN;
}

const UNKNOWN = "unknown";
/**
 * Without a trusted proxy every client counts as "unknown", together: the per-address limit is
 * then multiplied, a backstop against floods that one visitor cannot use to lock out the rest.
 */
const SHARED_FACTOR = 10;

/** Counts a request on a door by client address (enrollment, pay) or by API key id (api). */
export async function hitDoor(db: DbOrTx, door: Door, subject: string): Promise<RateLimitResult> {
  const limit = doorLimit(door);
  if (limit.limit === 0) return allowed;
  return hit(db, `${door}:${subject}`, subject === UNKNOWN ? { ...limit, limit: limit.limit * SHARED_FACTOR } : limit);
}

/** The same, for a page or action: the subject is the client's address from the request headers. */
export async function hitDoorByAddress(db: DbOrTx, door: Door, headers: Pick<Headers, "get">): Promise<boolean> {
  return (await hitDoor(db, door, requestAddress(headers))).allowed;
}

/** 429 with Retry-After, in the REST API's error shape. */
export function tooManyRequests(result: RateLimitResult): Response {
  return Response.json(
    { error: { code: "rate_limited", message: `Too many requests. Try again in ${result.retryAfterSeconds} s.` } },
    { status: 429, headers: { "retry-after": String(result.retryAfterSeconds), "cache-control": "no-store" } },
  );
}

// Sign-in counts failures only, per e-mail and per address, over 15 minutes.
const SIGN_IN_WINDOW_SECONDS = 15 * 60;

/** Per e-mail always; per address only when it is known (a shared count would let anyone lock everyone out). */
function signInKeys(email: string, address: string) {
  const config = env();
  const keys = [{ key: `signin-email:${email.trim().toLowerCase()}`, limit: { limit: config.SIGN_IN_MAX_FAILURES, windowSeconds: SIGN_IN_WINDOW_SECONDS } }];
  if (address !== UNKNOWN) keys.push({ key: `signin-ip:${address}`, limit: { limit: config.SIGN_IN_MAX_FAILURES_PER_IP, windowSeconds: SIGN_IN_WINDOW_SECONDS } });
  return keys;
}

/** Before checking a password: refused (with the wait) once either count is full. */
export async function signInBlocked(db: DbOrTx, email: string, address: string): Promise<number | undefined> {
  const waits = await Promise.all(signInKeys(email, address).map(({ key, limit }) => peek(db, key, limit)));
  const refused = waits.filter((w) => !w.allowed);
  return refused.length ? Math.max(...refused.map((w) => w.retryAfterSeconds)) : undefined;
}

/** After a wrong password: counts it; returns the wait if this failure used up the allowance. */
export async function recordSignInFailure(db: DbOrTx, email: string, address: string): Promise<number | undefined> {
  const keys = signInKeys(email, address);
  const results = await Promise.all(keys.map(({ key, limit }) => hit(db, key, limit)));
  // The failure that reaches the limit already says so: the next attempt would be refused.
  const full = results.filter((result, i) => result.hits >= keys[i]!.limit.limit);
  return full.length ? Math.max(...full.map((result) => result.resetSeconds)) : undefined;
}

/** A successful sign-in clears the e-mail's failures (not the address's: others may share it). */
export async function clearSignInFailures(db: DbOrTx, email: string): Promise<void> {
  await resetRateLimit(db, `signin-email:${email.trim().toLowerCase()}`);
}
