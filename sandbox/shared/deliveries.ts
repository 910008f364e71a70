// Outgoing notifications (webhooks, Redsys MERCHANTURL posts): the log the control page shows,
// the delivery faults (late, twice, out of order, never, bad signature) and manual resends.
// Bodies are signed at send time, as the providers do, so a resend carries a fresh signature.
import type { Faults, Provider } from "./faults";

export type SignedMessage = { body: string; headers: Record<string, string> };

export type Attempt = { at: string; status?: number; error?: string; badSignature: boolean; manual: boolean; retry: boolean };

export type Delivery = {
  id: string;
  provider: Provider;
  /** The order / session / payment this notification belongs to. */
  ref: string;
  eventType: string;
  url: string | undefined;
  createdAt: string;
  state: "scheduled" | "held" | "dropped" | "sent" | "failed" | "no-target";
  attempts: Attempt[];
  /** Builds and signs the message; `badSignature` makes the signature deliberately wrong. */
  build: (options: { badSignature: boolean }) => SignedMessage;
  /** The body of the last message built, for the control page and tests. */
  lastBody?: string;
};

export type EnqueueInput = {
  provider: Provider;
  ref: string;
  eventType: string;
  url: string | undefined;
  build: (options: { badSignature: boolean }) => SignedMessage;
  faults: Faults;
};

export class Dispatcher {
  private deliveries: Delivery[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private held = new Map<string, { items: { delivery: Delivery; faults: Faults }[]; timer: NodeJS.Timeout }>();
  private seq = 0;

  constructor(
    private readonly options: {
      outOfOrderWindowMs: number;
      /** Automatic retries after a non-2xx or network failure, per provider (Redsys: none). */
      retryDelaysMs: Partial<Record<Provider, readonly number[]>>;
      log: (line: string) => void;
    },
  ) {}

  list(): readonly Delivery[] {
    return this.deliveries;
  }

  get(id: string): Delivery | undefined {
    return this.deliveries.find((d) => d.id === id);
  }

  enqueue(input: EnqueueInput): Delivery {
    this.seq += 1;
    const delivery: Delivery = {
      id: `dlv_${String(this.seq).padStart(5, "0")}`,
      provider: input.provider,
      ref: input.ref,
      eventType: input.eventType,
      url: input.url,
      createdAt: new Date().toISOString(),
      state: "scheduled",
      attempts: [],
      build: input.build,
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > 500) this.deliveries.shift();
    const { faults } = input;
    if (!input.url) {
      delivery.state = "no-target";
      delivery.lastBody = input.build({ badSignature: false }).body;
      return delivery;
    }
    if (faults.neverDeliver) {
      delivery.state = "dropped";
      delivery.lastBody = input.build({ badSignature: false }).body;
      return delivery;
    }
    if (faults.outOfOrder) {
      this.hold(delivery, faults);
      return delivery;
    }
    this.schedule(delivery, faults);
    return delivery;
  }

  /** Sends again now, correctly signed, whatever the faults were. */
  async resend(id: string): Promise<Delivery | undefined> {
    const delivery = this.get(id);
    if (!delivery) return undefined;
    await this.send(delivery, { badSignature: false, manual: true, retry: false });
    return delivery;
  }

  reset(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const h of this.held.values()) clearTimeout(h.timer);
    this.held.clear();
    this.deliveries = [];
    this.chain = Promise.resolve();
  }

  private hold(delivery: Delivery, faults: Faults): void {
    delivery.state = "held";
    const key = `${delivery.provider}:${delivery.ref}`;
    const existing = this.held.get(key);
    if (existing) clearTimeout(existing.timer);
    const items = [...(existing?.items ?? []), { delivery, faults }];
    // Wait for a quiet window so every event of the flow is collected, then send them reversed.
    const timer = setTimeout(() => {
      this.held.delete(key);
      for (const item of [...items].reverse()) this.schedule(item.delivery, item.faults, true);
    }, this.options.outOfOrderWindowMs);
    this.held.set(key, { items, timer });
  }

  private schedule(delivery: Delivery, faults: Faults, sequential = false): void {
    delivery.state = "scheduled";
    const badSignature = faults.badSignature === true;
    const run = async (): Promise<void> => {
      await this.send(delivery, { badSignature, manual: false, retry: false });
      if (delivery.state === "failed") this.retry(delivery, badSignature, 0);
      if (faults.twice) await this.send(delivery, { badSignature, manual: false, retry: false });
    };
    const delayMs = Math.round((faults.lateSeconds ?? 0) * 1000);
    if (sequential) {
      // Held (out-of-order) items are chained so the reversed order is the order of arrival.
      this.chain = this.chain.then(() => wait(delayMs, this.timers)).then(run);
      return;
    }
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void run();
      }, delayMs);
      this.timers.add(timer);
      return;
    }
    void run();
  }

  private chain: Promise<void> = Promise.resolve();

  /** Stripe and PayPal retry failed deliveries with growing delays; a later success stops it. */
  private retry(delivery: Delivery, badSignature: boolean, index: number): void {
    const delay = this.options.retryDelaysMs[delivery.provider]?.[index];
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (delivery.state === "sent") return;
      void this.send(delivery, { badSignature, manual: false, retry: true }).then(() => {
        if (delivery.state === "failed") this.retry(delivery, badSignature, index + 1);
      });
    }, delay);
    this.timers.add(timer);
  }

  private async send(delivery: Delivery, opts: { badSignature: boolean; manual: boolean; retry: boolean }): Promise<void> {
    if (!delivery.url) return;
    const message = delivery.build({ badSignature: opts.badSignature });
    delivery.lastBody = message.body;
    const attempt: Attempt = { at: new Date().toISOString(), badSignature: opts.badSignature, manual: opts.manual, retry: opts.retry };
    delivery.attempts.push(attempt);
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: message.headers,
        body: message.body,
        signal: AbortSignal.timeout(10_000),
      });
      attempt.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      delivery.state = response.ok ? "sent" : "failed";
    } catch (error) {
      attempt.error = error instanceof Error ? error.message : String(error);
      delivery.state = "failed";
    }
    this.options.log(`${delivery.provider} ${delivery.eventType} -> ${delivery.url} ${attempt.status ?? attempt.error}`);
  }
}

function wait(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
