// A plain WebSocket-to-TCP proxy so Neon's serverless driver can reach an ordinary PostgreSQL
// (what Neon's own proxy does, minus TLS). The driver connects to ws://HOST/?address=host:port.
// Only loopback targets are allowed: this is a test tool, not an open relay.
import { connect, type Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export async function startNeonWsProxy(): Promise<{ host: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const sockets = new Set<Socket>();
  wss.on("connection", (ws: WebSocket, request) => {
    const address = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const match = /^(.+):(\d+)$/.exec(address);
    if (!match || !LOOPBACK.has(match[1]!)) return ws.close(1008, "address must be a loopback host:port");
    const socket = connect(Number(match[2]), match[1]!.replace(/^\[|\]$/g, ""));
    sockets.add(socket);
    // Writes before the TCP connect completes are buffered by the socket.
    ws.on("message", (data: Buffer) => socket.write(data));
    socket.on("data", (chunk) => ws.send(chunk));
    ws.on("close", () => socket.destroy());
    ws.on("error", () => socket.destroy());
    socket.on("close", () => {
      sockets.delete(socket);
      ws.close();
    });
    socket.on("error", () => ws.terminate());
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const { port } = wss.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
