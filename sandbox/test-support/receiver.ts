// A tiny webhook receiver for tests: records every request (raw body included) it gets.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { path: string; headers: Record<string, string>; rawBody: string; at: number };

export type Receiver = {
  url: string;
  received: Received[];
  /** Status answered to the next requests (default 200). */
  status: number;
  /** Answer this many next requests with 500 before going back to `status`. */
  failNext: number;
  clear: () => void;
  close: () => Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: "",
    received,
    status: 200,
    failNext: 0,
    clear: () => {
      received.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      received.push({ path: req.url ?? "/", headers, rawBody: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      let status = receiver.status;
      if (receiver.failNext > 0) {
        receiver.failNext -= 1;
        status = 500;
      }
      res.writeHead(status, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
