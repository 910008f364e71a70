// The client's IP address, for per-address rate limits. Next.js passes on whatever
// X-Forwarded-For the client sent (it only fills the header in when it is missing), so the header
// is believed only as far as TRUST_PROXY says: the number of proxies in front of the app, each of
// which appends the address it saw. The entry that many places from the right is the one the
// outermost trusted proxy saw; anything left of it was written by the client and is ignored.
import { isIP } from "node:net";

/** `undefined` when the address cannot be known (no trusted proxy, or a malformed header). */
export function clientIp(headers: Pick<Headers, "get">, trustedProxies: number): string | undefined {
  if (trustedProxies <= 0) return undefined;
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Fewer entries than proxies: the request came in closer than expected; take the first we have.
  const entry = entries[Math.max(0, entries.length - trustedProxies)];
  if (!entry) return undefined;
  const address = entry.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  return isIP(address) ? address : undefined;
}
