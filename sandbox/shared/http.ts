// Minimal HTTP plumbing for the sandbox: a tiny router, raw body reading and response helpers.
// We keep node:http only (no framework) so the sandbox has no dependency the app lacks.
import type { IncomingMessage, ServerResponse } from "node:http";

export type Request = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** Raw bytes as received: signatures are checked over these, never over a re-serialisation. */
  rawBody: Buffer;
  params: Record<string, string>;
};

export type Handler = (req: Request, res: ServerResponse) => Promise<void> | void;

type Route = { method: string; pattern: RegExp; keys: string[]; handler: Handler };

export class Router {
  private routes: Route[] = [];

  add(method: string, path: string, handler: Handler): void {
    const keys: string[] = [];
    const source = path
      .split("/")
      .map((part) => {
        if (part.startsWith(":")) {
          keys.push(part.slice(1));
          return "([^/]+)";
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
  }

  get(path: string, handler: Handler): void {
    this.add("GET", path, handler);
  }

  post(path: string, handler: Handler): void {
    this.add("POST", path, handler);
  }

  /** Returns the handler bound to its params, or undefined (404) / "method" (405). */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | "method" | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? "");
      });
      return { handler: route.handler, params };
    }
    return pathMatched ? "method" : undefined;
  }
}

export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) throw new Error("body too large");
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html) });
  res.end(html);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, "content-length": 0 });
  res.end();
}

export function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Form fields of an urlencoded body (first value wins). */
export function formFields(raw: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw.toString("utf8"))) {
    if (!(k in out)) out[k] = v;
  }
  return out;
}

export type PageLanguage = "es" | "en";

/** The payer's language as each provider is told it (Redsys 001/002, Stripe "en", PayPal "en-GB"). */
export function pageLanguage(value: string | null | undefined): PageLanguage {
  const v = (value ?? "").trim().toLowerCase();
  return v === "002" || v === "2" || v.startsWith("en") ? "en" : "es";
}

const bannerText: Record<PageLanguage, string> = { es: "Entorno de pruebas: aquí no se mueve dinero real.", en: "Sandbox: no real money moves here." };

/**
 * A page shell shared by the hosted pages, so they look alike and stay tiny. In the payer's
 * language, with no file to fetch (an empty icon, inline styles).
 */
export function page(title: string, body: string, lang: PageLanguage = "es"): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
button{margin:.25rem .25rem .25rem 0;padding:.5rem 1rem;cursor:pointer}input,select{padding:.4rem;margin:.2rem 0}
table{border-collapse:collapse;width:100%;font-size:.85rem}td,th{border:1px solid #ccc;padding:.25rem;text-align:left}
.banner{background:#fff3cd;padding:.5rem;border:1px solid #e0c060;margin-bottom:1rem}</style></head>
<body><div class="banner">${bannerText[lang]}</div>${body}</body></html>`;
}
