// Serves a merchant's pages for browser tests on loopback: fixed pages and small dynamic
// endpoints (e.g. "create the order on the server"), plus a catch-all return page.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type Route = { body: string | (() => Promise<string>); type?: string };
export type HtmlServer = { url: string; hits: string[]; close: () => Promise<void> };

export async function startHtmlServer(routes: Record<string, Route>): Promise<HtmlServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "/");
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const route = routes[path];
    if (!route) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><title>return</title><h1 id="landed">${path}</h1>`);
      return;
    }
    const body = route.body;
    Promise.resolve(typeof body === "string" ? body : body()).then(
      (text) => {
        res.writeHead(200, { "content-type": route.type ?? "text/html" });
        res.end(text);
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
