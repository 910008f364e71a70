// `npm start`: the production server. Next's request handler behind Node's own HTTP server, so
// that per-address rate limits can use the address of the connection itself: `next start` passes
// on whatever X-Forwarded-For a client wrote, and with no proxy in front (TRUST_PROXY=0) that
// header is the client's word, not a fact. Here, with no trusted proxy, it is replaced by the
// connection's address before the app sees the request; behind trusted proxies it is left for
// lib/security/client-ip.ts to read. Plain JavaScript: it runs with Node alone, before any build
// tool. Options: --port/-p (or PORT, default 3000) and --hostname/-H (or HOSTNAME, default all).
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import nextEnv from "@next/env";
import next from "next";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
  strict: true,
});
nextEnv.loadEnvConfig(process.cwd(), false);
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? process.env.HOSTNAME ?? undefined;
const trustedProxies = (() => {
  const value = (process.env.TRUST_PROXY ?? "0").trim();
  return value === "true" ? 1 : value === "false" || value === "" ? 0 : Number(value);
})();

// Tells the app (lib/security/client-ip.ts) that X-Forwarded-For holds the connection's address.
globalThis[Symbol.for("academy-pay.connection-address-header")] = trustedProxies === 0;

const app = next({ dev: false, dir: process.cwd(), hostname: hostname ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  if (trustedProxies === 0) request.headers["x-forwarded-for"] = request.socket.remoteAddress ?? "";
  handle(request, response).catch((error) => {
    console.error("Unhandled error serving", request.url, error);
    if (!response.headersSent) response.statusCode = 500;
    response.end();
  });
});
server.listen(port, hostname, () => {
  console.info(`▲ Ready on http://${hostname ?? "localhost"}:${port}`);
});
