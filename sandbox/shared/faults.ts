// Fault switches: per provider (global) and per order. A per-order setting wins over the global
// one, field by field, so a test can make one order misbehave without touching the others.
export type Provider = "stripe" | "paypal" | "redsys";
export const PROVIDERS: readonly Provider[] = ["stripe", "paypal", "redsys"];

export type Faults = {
  /** The buyer's payment is refused whatever they choose on the hosted page. */
  decline?: boolean;
  /** The buyer abandons: the browser goes to the cancel / URLKO address. */
  cancel?: boolean;
  /** The session or order expires before the buyer finishes. */
  expire?: boolean;
  /** Payment stays pending, then resolves ("succeed" or "fail") after `asyncDelaySeconds`. */
  async?: "succeed" | "fail";
  asyncDelaySeconds?: number;
  /** Each notification is sent this many seconds late (fractions allowed). */
  lateSeconds?: number;
  /** Each notification is sent twice. */
  twice?: boolean;
  /** The notifications of one order are held and sent in reverse order. */
  outOfOrder?: boolean;
  /** Notifications are recorded but never sent (the control page can resend them). */
  neverDeliver?: boolean;
  /** Notifications carry a signature that does not verify. */
  badSignature?: boolean;
  /**
   * API answers (Stripe) leave this many seconds after the request was carried out: a client
   * with a shorter timeout sees a timeout although the work was done, as with a slow provider.
   */
  slowApiSeconds?: number;
  /** Stripe: refunds answer `pending`, then after `asyncDelaySeconds` succeed ("succeed") or fail ("fail"). */
  refundPending?: "succeed" | "fail";
};

const FAULT_KEYS = [
  "decline",
  "cancel",
  "expire",
  "async",
  "asyncDelaySeconds",
  "lateSeconds",
  "twice",
  "outOfOrder",
  "neverDeliver",
  "badSignature",
  "slowApiSeconds",
  "refundPending",
] as const;

/** Validates a JSON body from the control API into Faults; returns an error message when invalid. */
export function parseFaults(input: unknown): Faults | string {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return "faults must be a JSON object";
  const out: Faults = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(FAULT_KEYS as readonly string[]).includes(key)) return `unknown fault "${key}"`;
    if (value === null || value === undefined) continue;
    switch (key) {
      case "async":
      case "refundPending":
        if (value === false) break;
        if (value !== "succeed" && value !== "fail") return `${key} must be "succeed" or "fail"`;
        out[key] = value;
        break;
      case "asyncDelaySeconds":
      case "lateSeconds":
      case "slowApiSeconds":
        if (typeof value !== "number" || !(value >= 0) || value > 3600) return `${key} must be a number of seconds (0-3600)`;
        out[key] = value;
        break;
      default:
        if (typeof value !== "boolean") return `${key} must be true or false`;
        // false is kept so a per-order setting can switch off a global one.
        out[key as "decline"] = value;
    }
  }
  return out;
}

export class FaultStore {
  private global = new Map<Provider, Faults>();
  private perOrder = new Map<string, Faults>();

  setGlobal(provider: Provider, faults: Faults): void {
    this.global.set(provider, faults);
  }

  /** `ref` is any id the app knows: provider id, Redsys order number, client_reference_id, custom_id. */
  setForOrder(provider: Provider, ref: string, faults: Faults): void {
    this.perOrder.set(`${provider}:${ref}`, faults);
  }

  resolve(provider: Provider, refs: readonly (string | undefined)[]): Faults {
    let merged: Faults = { ...(this.global.get(provider) ?? {}) };
    for (const ref of refs) {
      if (!ref) continue;
      const own = this.perOrder.get(`${provider}:${ref}`);
      if (own) merged = { ...merged, ...own };
    }
    return merged;
  }

  snapshot(): { global: Record<string, Faults>; perOrder: Record<string, Faults> } {
    return { global: Object.fromEntries(this.global), perOrder: Object.fromEntries(this.perOrder) };
  }

  reset(): void {
    this.global.clear();
    this.perOrder.clear();
  }
}
