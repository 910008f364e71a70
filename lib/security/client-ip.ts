// The client's IP address, for per-address rate limits.
// - No proxy in front (TRUST_PROXY=0): the address of the connection. `npm start`
//   (scripts/start.mjs) writes it into X-Forwarded-For in place of whatever the client sent, and
//   says so with a process-wide flag; without that server (e.g. `next dev`) the header is the
//   client's word and the address stays unknown.
// - Behind TRUST_PROXY proxies, each appending the address it saw: the entry that many places from
//   the right is the one the outermost trusted proxy saw; anything left of it was written by the
//   client and is ignored.
import { isIP } from "node:net";

const connectionAddressFlag = Symbol.for("academy-pay.connection-address-header");

/** Whether this process's server puts the connection's own address in X-Forwarded-For. */
export function connectionAddressKnown(): boolean {
  return (globalThis as Record<symbol, unknown>)[connectionAddressFlag] === true;
}

/** `undefined` when the address cannot be known (no server that reads it, or a malformed header). */
export function clientIp(headers: Pick<Headers, "get">, trustedProxies: number, connectionAddress = connectionAddressKnown()): string | undefined {
  if (trustedProxies <= 0 && !connectionAddress) return undefined;
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (trustedProxies <= 0 && entries.length !== 1) return undefined;
  // Fewer entries than proxies: the request came in closer than expected; take the first we have.
  const entry = entries[Math.max(0, entries.length - Math.max(1, trustedProxies))];
  if (!entry) return undefined;
  const address = entry.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  const version = isIP(address);
  if (version === 4) return address;
  return version === 6 ? ipv6Network(address) : undefined;
}

/**
 * An IPv6 client counts by its /64: one subscriber line or host is given a whole /64, so single
 * addresses would let one client rotate past every per-address limit.
 */
function ipv6Network(address: string): string {
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
