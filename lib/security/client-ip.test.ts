import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

const headers = (forwardedFor?: string) => new Headers(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor });

describe("clientIp", () => {
  it("ignores X-Forwarded-For unless a proxy is trusted or the server wrote the connection's address there", () => {
    expect(clientIp(headers("203.0.113.7"), 0, false)).toBeUndefined();
    expect(clientIp(headers("203.0.113.7"), 0, true)).toBe("203.0.113.7");
    expect(clientIp(headers("::ffff:127.0.0.2"), 0, true)).toBe("127.0.0.2");
    // The server writes exactly one entry; anything else did not come from it.
    expect(clientIp(headers("198.51.100.9, 203.0.113.7"), 0, true)).toBeUndefined();
  });
  it("takes the address the trusted proxy appended, not what the client put before it", () => {
    expect(clientIp(headers("10.0.0.1, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIp(headers("10.0.0.1, 203.0.113.7, 198.51.100.2"), 2)).toBe("203.0.113.7");
  });
  it("takes the first entry when there are fewer than the trusted proxies", () => {
    expect(clientIp(headers("203.0.113.7"), 2)).toBe("203.0.113.7");
  });
  it("unwraps IPv4-mapped IPv6, and counts IPv6 by its /64 (a client holds a whole one)", () => {
    expect(clientIp(headers("::ffff:127.0.0.1"), 1)).toBe("127.0.0.1");
    expect(clientIp(headers("2001:db8::1"), 1)).toBe("2001:db8:0:0::/64");
    expect(clientIp(headers("2001:0db8:0000:0042:aaaa:bbbb:cccc:dddd"), 1)).toBe("2001:db8:0:42::/64");
    expect(clientIp(headers("2001:db8:0:42::9"), 1)).toBe(clientIp(headers("2001:db8:0:42:ffff::1"), 1));
    expect(clientIp(headers("::1"), 0, true)).toBe("0:0:0:0::/64");
  });
  it("refuses what is not an address", () => {
    expect(clientIp(headers("evil, not-an-ip"), 1)).toBeUndefined();
    expect(clientIp(headers(""), 1)).toBeUndefined();
    expect(clientIp(headers(), 1)).toBeUndefined();
  });
});
