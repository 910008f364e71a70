// What every provider module receives: configuration, fault switches, the delivery queue and the
// public base URL (known only once the server listens, hence a function).
import type { SandboxConfig } from "./config";
import type { Dispatcher } from "./deliveries";
import type { FaultStore, Provider } from "./faults";
import type { Router } from "./http";

export type OrderSummary = {
  provider: Provider;
  id: string;
  /** The ids the app may use to set per-order faults (order number, client_reference_id…). */
  refs: string[];
  amount: string;
  status: string;
  createdAt: string;
};

export type SandboxContext = {
  config: SandboxConfig;
  faults: FaultStore;
  deliveries: Dispatcher;
  baseUrl: () => string;
  timers: Set<NodeJS.Timeout>;
};

export type ProviderModule = {
  provider: Provider;
  register: (router: Router) => void;
  listOrders: () => OrderSummary[];
  reset: () => void;
};

/** setTimeout that close()/reset() can cancel. */
export function later(ctx: SandboxContext, ms: number, fn: () => void): void {
  const timer = setTimeout(() => {
    ctx.timers.delete(timer);
    fn();
  }, ms);
  ctx.timers.add(timer);
}
