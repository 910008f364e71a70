// handleWebhook's answers when verification fails, including a rejection thrown by another copy of
// the provider module (Next bundles one per route; the adapters are shared on globalThis), whose
// class is not the one webhooks.ts imports.
import { afterEach, describe, expect, it, vi } from "vitest";

const parseWebhook = vi.fn();
vi.mock("./providers", () => ({ paymentProvider: () => ({ parseWebhook }) }));
// Never reached: every case here is refused before the database.
vi.mock("@/db/client", () => ({ getDb: () => Promise.reject(new Error("no database in this test")) }));

const { handleWebhook } = await import("./webhooks");
const { WebhookRejected } = await import("./providers/provider");

function delivery(): Request {
  return new Request("http://localhost/api/webhooks/redsys", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Ds_Signature=x",
  });
}

afterEach(() => parseWebhook.mockReset());

describe("handleWebhook, when verification fails", () => {
  it("answers the rejection's own status", async () => {
    parseWebhook.mockRejectedValue(new WebhookRejected(401, "bad signature"));
    const answer = await handleWebhook("redsys", delivery());
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ error: "bad signature" });
  });

  it("answers 4xx for a rejection from another copy of the provider module, not 500", async () => {
    vi.resetModules();
    const other = await import("./providers/provider");
    expect(other.WebhookRejected).not.toBe(WebhookRejected);
    parseWebhook.mockRejectedValue(new other.WebhookRejected(400, "missing Redsys fields"));
    const answer = await handleWebhook("redsys", delivery());
    expect(answer.status).toBe(400);
  });

  it("still answers 500 for an unexpected failure, so the provider retries", async () => {
    parseWebhook.mockRejectedValue(Object.assign(new Error("boom"), { name: "TypeError" }));
    vi.spyOn(console, "error").mockImplementation(() => {});
    const answer = await handleWebhook("redsys", delivery());
    expect(answer.status).toBe(500);
  });
});
