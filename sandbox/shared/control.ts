// Control API and page: fault switches, reset, recent orders and deliveries with a resend button.
// Tests and the e2e setup drive the sandbox through these JSON endpoints.
import type { ServerResponse } from "node:http";
import type { ProviderModule, SandboxContext } from "./context";
import type { Delivery } from "./deliveries";
import { parseFaults, PROVIDERS, type Provider } from "./faults";
import { escapeHtml, formFields, page, redirect, sendHtml, sendJson, type Request, type Router } from "./http";

export const CONTROL_PREFIX = "/_control";

export function publicDelivery(d: Delivery): Omit<Delivery, "build"> {
  const { build: _build, ...rest } = d;
  return rest;
}

function readJson(req: Request): unknown {
  if (req.rawBody.length === 0) return {};
  try {
    return JSON.parse(req.rawBody.toString("utf8"));
  } catch {
    return undefined;
  }
}

function providerParam(req: Request, res: ServerResponse): Provider | undefined {
  const p = PROVIDERS.find((x) => x === req.params.provider);
  if (!p) sendJson(res, 404, { error: `unknown provider "${req.params.provider ?? ""}"` });
  return p;
}

export function registerControl(router: Router, ctx: SandboxContext, modules: ProviderModule[], reset: () => void): void {
  router.post(`${CONTROL_PREFIX}/reset`, (_req, res) => {
    reset();
    sendJson(res, 200, { ok: true });
  });

  router.get(`${CONTROL_PREFIX}/state`, (_req, res) => {
    sendJson(res, 200, {
      orders: modules.flatMap((m) => m.listOrders()),
      deliveries: ctx.deliveries.list().map(publicDelivery),
      faults: ctx.faults.snapshot(),
    });
  });

  router.get(`${CONTROL_PREFIX}/deliveries`, (req, res) => {
    const provider = req.query.get("provider");
    const ref = req.query.get("ref");
    const list = ctx.deliveries
      .list()
      .filter((d) => (!provider || d.provider === provider) && (!ref || d.ref === ref))
      .map(publicDelivery);
    sendJson(res, 200, { data: list });
  });

  router.post(`${CONTROL_PREFIX}/faults/:provider`, (req, res) => {
    const provider = providerParam(req, res);
    if (!provider) return;
    const faults = parseFaults(readJson(req));
    if (typeof faults === "string") return sendJson(res, 400, { error: faults });
    ctx.faults.setGlobal(provider, faults);
    sendJson(res, 200, { provider, faults });
  });

  router.post(`${CONTROL_PREFIX}/faults/:provider/orders/:ref`, (req, res) => {
    const provider = providerParam(req, res);
    if (!provider) return;
    const faults = parseFaults(readJson(req));
    if (typeof faults === "string") return sendJson(res, 400, { error: faults });
    ctx.faults.setForOrder(provider, req.params.ref ?? "", faults);
    sendJson(res, 200, { provider, ref: req.params.ref, faults });
  });

  router.post(`${CONTROL_PREFIX}/deliveries/:id/resend`, async (req, res) => {
    const delivery = await ctx.deliveries.resend(req.params.id ?? "");
    if (!delivery) return sendJson(res, 404, { error: "no such delivery" });
    // The HTML page posts a form and expects to land back on itself.
    if (req.headers["content-type"]?.includes("application/x-www-form-urlencoded") && formFields(req.rawBody).back === "1") {
      return redirect(res, CONTROL_PREFIX);
    }
    sendJson(res, 200, publicDelivery(delivery));
  });

  router.get(CONTROL_PREFIX, (_req, res) => {
    const orders = modules
      .flatMap((m) => m.listOrders())
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, 100);
    const deliveries = [...ctx.deliveries.list()].reverse().slice(0, 100);
    const orderRows = orders
      .map(
        (o) =>
          `<tr><td>${o.provider}</td><td>${escapeHtml(o.id)}</td><td>${escapeHtml(o.amount)}</td><td>${escapeHtml(o.status)}</td><td>${o.createdAt}</td></tr>`,
      )
      .join("");
    const deliveryRows = deliveries
      .map((d) => {
        const last = d.attempts.at(-1);
        return `<tr data-delivery="${d.id}"><td>${d.id}</td><td>${d.provider}</td><td>${escapeHtml(d.ref)}</td><td>${escapeHtml(d.eventType)}</td>
<td>${escapeHtml(d.url ?? "(no target)")}</td><td>${d.state}</td><td>${d.attempts.length}${last ? ` (${last.status ?? escapeHtml(last.error ?? "")})` : ""}</td>
<td>${d.url ? `<form method="post" action="${CONTROL_PREFIX}/deliveries/${d.id}/resend"><input type="hidden" name="back" value="1"><button type="submit">Resend</button></form>` : ""}</td></tr>`;
      })
      .join("");
    sendHtml(
      res,
      200,
      page(
        "Sandbox control",
        `<h1>Sandbox control</h1>
<form method="post" action="${CONTROL_PREFIX}/reset" onsubmit="fetch(this.action,{method:'POST'}).then(()=>location.reload());return false"><button>Reset all state</button></form>
<h2>Faults</h2><pre>${escapeHtml(JSON.stringify(ctx.faults.snapshot(), null, 2))}</pre>
<h2>Recent orders</h2><table id="orders"><tr><th>Provider</th><th>Id</th><th>Amount</th><th>Status</th><th>Created</th></tr>${orderRows}</table>
<h2>Deliveries</h2><table id="deliveries"><tr><th>Id</th><th>Provider</th><th>Order</th><th>Event</th><th>Target</th><th>State</th><th>Attempts</th><th></th></tr>${deliveryRows}</table>`,
      ),
    );
  });
}
