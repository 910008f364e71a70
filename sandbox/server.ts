// The sandbox server: one loopback HTTP listener hosting the Stripe (API at the root, /v1/…),
// PayPal (/paypal/… and the server SDK's /https://api-m.sandbox.paypal.com/… form, plus /sdk/js)
// and Redsys (/redsys/sis/…) emulators, the Moodle web-service emulator (/moodle/…), and the
// control API (/_control).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolveConfig, type SandboxConfig, type SandboxOptions as ProviderOptions } from "./shared/config";
import type { ProviderModule, SandboxContext } from "./shared/context";
import { registerControl, CONTROL_PREFIX } from "./shared/control";
import { Dispatcher } from "./shared/deliveries";
import { FaultStore } from "./shared/faults";
import { readBody, Router, sendJson, type Request } from "./shared/http";
import { createRedsys, REDSYS_PREFIX } from "./redsys/redsys";
import { createStripe } from "./stripe/stripe";
import { createPaypal, normalisePaypalPath, PAYPAL_PREFIX } from "./paypal/paypal";
import { createMoodle, MOODLE_PREFIX, type MoodleOptions } from "./moodle/moodle";

export type SandboxOptions = ProviderOptions & { moodle?: MoodleOptions };

export type SandboxUrls = {
  /** STRIPE_API_BASE: the Stripe SDK's host/port/protocol point here (API at /v1). */
  stripe: string;
  /** PAYPAL_API_BASE: REST API (also the server SDK's `unstable_httpClientOptions.baseURL`). */
  paypal: string;
  /** PAYPAL_SDK_BASE: the stand-in JS SDK (`sdkBaseUrl`). */
  paypalSdk: string;
  /** REDSYS_BASE_URL: append /sis/realizarPago, /sis/rest/trataPeticionREST… */
  redsys: string;
  /** MOODLE_URL: the emulated Moodle site root (web service at /webservice/rest/server.php). */
  moodle: string;
  control: string;
};

export type Sandbox = {
  url: string;
  port: number;
  urls: SandboxUrls;
  config: SandboxConfig;
  /** Clears orders, deliveries and faults (same as POST /_control/reset). */
  reset: () => void;
  close: () => Promise<void>;
};

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = resolveConfig(options);
  let base = "";
  const ctx: SandboxContext = {
    config,
    faults: new FaultStore(),
    deliveries: new Dispatcher({
      outOfOrderWindowMs: config.outOfOrderWindowMs,
      retryDelaysMs: { stripe: config.webhookRetryDelaysMs, paypal: config.webhookRetryDelaysMs },
      log: config.log,
    }),
    baseUrl: () => base,
    timers: new Set(),
  };
  const modules: ProviderModule[] = [createStripe(ctx), await createPaypal(ctx), createRedsys(ctx)];
  const moodle = createMoodle(ctx, options.moodle, options.env ?? process.env);
  const router = new Router();
  const reset = (): void => {
    for (const t of ctx.timers) clearTimeout(t);
    ctx.timers.clear();
    ctx.deliveries.reset();
    ctx.faults.reset();
    for (const m of modules) m.reset();
    moodle.reset();
  };
  for (const m of modules) m.register(router);
  moodle.register(router);
  registerControl(router, ctx, modules, reset);
  router.get("/", (_req, res) => sendJson(res, 200, { sandbox: true, urls: urlsFor(base) }));

  const server: Server = createServer((incoming, res) => {
    void (async () => {
      try {
        const url = new URL(incoming.url ?? "/", "http://sandbox.invalid");
        const path = normalisePaypalPath(url.pathname);
        const method = (incoming.method ?? "GET").toUpperCase();
        const matched = router.match(method === "HEAD" ? "GET" : method, path);
        if (matched === undefined) return sendJson(res, 404, notFoundBody(path));
        if (matched === "method") return sendJson(res, 405, { error: "method not allowed" });
        const req: Request = {
          method,
          path,
          query: url.searchParams,
          headers: incoming.headers,
          rawBody: await readBody(incoming),
          params: matched.params,
        };
        await matched.handler(req, res);
      } catch (error) {
        config.log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { error: "sandbox internal error" });
        else res.end();
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    port,
    urls: urlsFor(base),
    config,
    reset,
    close: async () => {
      reset();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function urlsFor(base: string): SandboxUrls {
  return {
    stripe: base,
    paypal: `${base}${PAYPAL_PREFIX}`,
    paypalSdk: `${base}/sdk/js`,
    redsys: `${base}${REDSYS_PREFIX}`,
    moodle: `${base}${MOODLE_PREFIX}`,
    control: `${base}${CONTROL_PREFIX}`,
  };
}

/** Stripe-shaped under /v1 (the SDK parses it), plain elsewhere. */
function notFoundBody(path: string): unknown {
  if (path.startsWith("/v1/")) {
    return { error: { type: "invalid_request_error", message: `Unrecognized request URL (${path}).` } };
  }
  return { error: `no route for ${path}` };
}
