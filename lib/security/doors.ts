// The rate limits of the public doors, by name, with their settings from the environment. The
// pages and actions that are doors make one call here; the limiter (rate-limit.ts) does the counting.
import "server-only";
import { createHash } from "node:crypto";
import type { DbOrTx } from "@/db/client";
import { env } from "@/lib/env";
import { clientIp } from "./client-ip";
import { hit, resetRateLimit, undoHit, type RateLimit, type RateLimitResult } from "./rate-limit";

export type Door = "enrollment" | "pay" | "checkout" | "api";

const allowed: RateLimitResult = { allowed: true, hits: 0, retryAfterSeconds: 0, resetSeconds: 0 };

function doorLimit(door: Door): RateLimit {
  const config = env();
  const perMinute = {
    enrollment: config.RATE_LIMIT_ENROLLMENT_PER_MINUTE,
    pay: config.RATE_LIMIT_PAY_PER_MINUTE,
    checkout: config.RATE_LIMIT_CHECKOUT_PER_MINUTE,
    api: config.RATE_LIMIT_API_PER_MINUTE,
  }[door];
  return { limit: perMinute, windowSeconds: 60 };
}

/** The address to count a request under (lib/security/client-ip.ts); "unknown" when it cannot be known. */
export function requestAddress(headers: Pick<Headers, "get">): string {
  return clientIp(headers, env().TRUST_PROXY) ?? UNKNOWN;
}

const UNKNOWN = "unknown";
/**
 * Where the address cannot be known (a server other than `npm start` with no trusted proxy) every
 * client counts as "unknown", together: the per-address limit is then multiplied, a backstop
 * against floods.
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

// Sign-in: every attempt is counted before its password is checked (one atomic statement per
// key), so guesses sent in parallel are counted like guesses sent one by one. Over 15 minutes:
// - per address, and per e-mail from one address: a hard limit, which only ever stops the address
//   that made the attempts;
// - per e-mail from all addresses together: past the limit, a throttle rather than a lock (one try
//   per interval that doubles with each further attempt, at most SIGN_IN_MAX_BACKOFF_SECONDS), so
//   strangers guessing the admin's e-mail slow it down but cannot lock the admin out.
const SIGN_IN_WINDOW_SECONDS = 15 * 60;
const SIGN_IN_MAX_BACKOFF_SECONDS = 30;

const accountOf = (email: string) => email.trim().toLowerCase();
/** E-mails are up to 254 characters: the pair's key holds a digest, not the address itself. */
const pairKey = (account: string, address: string) => createHash("sha256").update(`${account}\n${address}`).digest("base64url").slice(0, 32);

export type SignInGate = {
  /** Set when this attempt is refused before its password is checked: seconds to wait. */
  refusedFor?: number;
  /** Set when this attempt used up an allowance: the wait to show if its password is wrong. */
  waitIfWrong?: number;
};

/** Counts a sign-in attempt, before its password is checked, and says whether it may go on. */
export async function beginSignIn(db: DbOrTx, email: string, address: string): Promise<SignInGate> {
  const config = env();
  const account = accountOf(email);
  const window = { windowSeconds: SIGN_IN_WINDOW_SECONDS };
  // An unknown address (a server that cannot see it) would be everyone's: only the account counts.
  const perAddress: { result: RateLimitResult; limit: number }[] = [];
  if (address !== UNKNOWN) {
    // Refused by its own address's counts, an attempt goes no further: it neither counts against
    // the account (nor slows its owner) nor adds a row per made-up e-mail.
    const ip = await hit(db, `signin-ip:${address}`, { limit: config.SIGN_IN_MAX_FAILURES_PER_IP, ...window });
    if (!ip.allowed) return { refusedFor: ip.retryAfterSeconds };
    const pair = await hit(db, `signin-pair:${pairKey(account, address)}`, { limit: config.SIGN_IN_MAX_FAILURES, ...window });
    if (!pair.allowed) return { refusedFor: pair.retryAfterSeconds };
    perAddress.push({ result: ip, limit: config.SIGN_IN_MAX_FAILURES_PER_IP }, { result: pair, limit: config.SIGN_IN_MAX_FAILURES });
  }
  const perAccount = await hit(db, `signin-email:${account}`, { limit: config.SIGN_IN_MAX_FAILURES, ...window });
  if (!perAccount.allowed) {
    const interval = Math.min(2 ** (perAccount.hits - config.SIGN_IN_MAX_FAILURES - 1), SIGN_IN_MAX_BACKOFF_SECONDS);
    const slot = await hit(db, `signin-slot:${account}`, { limit: 1, windowSeconds: interval });
    if (!slot.allowed) return { refusedFor: slot.retryAfterSeconds };
  }
  const used = perAddress.filter(({ result, limit }) => result.hits >= limit).map(({ result }) => result.resetSeconds);
  return used.length > 0 ? { waitIfWrong: Math.max(...used) } : {};
}

/**
 * A successful sign-in clears the account's counts and takes its own attempt back from the
 * address's (which others behind the same address share), so only failures add up there.
 */
export async function clearSignInFailures(db: DbOrTx, email: string, address: string): Promise<void> {
  const account = accountOf(email);
  await resetRateLimit(db, `signin-email:${account}`);
  if (address === UNKNOWN) return;
  await resetRateLimit(db, `signin-pair:${pairKey(account, address)}`);
  await undoHit(db, `signin-ip:${address}`);
}

/**
 * Starting a payment creates an order at the provider: counted per client address and per
 * receipt, so that neither a visitor nor one valid link can create orders without end.
 */
export async function hitCheckout(db: DbOrTx, headers: Pick<Headers, "get">, receiptId: string): Promise<RateLimitResult> {
  const config = env();
  const byAddress = await hitDoor(db, "checkout", requestAddress(headers));
  if (!byAddress.allowed) return byAddress;
  if (config.RATE_LIMIT_CHECKOUT_PER_RECEIPT_PER_HOUR === 0) return allowed;
  return hit(db, `checkout-receipt:${receiptId}`, { limit: config.RATE_LIMIT_CHECKOUT_PER_RECEIPT_PER_HOUR, windowSeconds: 3600 });
}
