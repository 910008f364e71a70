// The one interface every provider adapter implements. Adapters are the only modules that
// import provider SDKs; everything else speaks the neutral types in ../types.ts.
import type { Locale } from "@/lib/i18n/config";
import type { CheckoutAction, OnlineMethod, Provider, ProviderEvent, ProviderMode, ProviderOutcome } from "../types";

export type CheckoutRequest = {
  attemptId: string;
  /** Our order reference, when we choose it (Redsys); the others return theirs. */
  orderRef?: string;
  method: OnlineMethod;
  receiptNumber: string;
  concept: string;
  amount: number;
  currency: string;
  payerEmail: string;
  locale: Locale;
  /** Where the payer's browser comes back: our return page for this attempt. */
  returnUrl: string;
  /** Where the provider posts its signal (Redsys takes it per payment). */
  notifyUrl: string;
  /** PayPal only: the buttons in our own page instead of a redirect. */
  ui?: "redirect" | "buttons";
};

export type CheckoutStart = { providerRef: string; action: CheckoutAction };

export type AttemptForProvider = {
  id: string;
  method: string;
  providerRef: string | null;
  providerPaymentRef: string | null;
  amount: number;
  currency: string;
  createdAt: Date;
};

export type RefundRequest = { attempt: AttemptForProvider; amount: number; currency: string; idempotencyKey: string };
export type RefundResult = { refundRef: string; status: "succeeded" | "pending" | "failed"; failure?: string };

/** A delivery we refuse: nothing is stored and the sender gets this status. */
export class WebhookRejected extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "WebhookRejected";
  }
}

export type PaymentProvider = {
  provider: Provider;
  mode: ProviderMode;
  startCheckout(request: CheckoutRequest): Promise<CheckoutStart>;
  /** Verifies and translates one delivery; throws WebhookRejected when it cannot be trusted. */
  parseWebhook(delivery: { rawBody: string; headers: Headers }): Promise<ProviderEvent[]>;
  /** Asks the provider what became of an attempt (reconciliation and return pages). */
  lookUp(attempt: AttemptForProvider): Promise<ProviderOutcome[]>;
  refund(request: RefundRequest): Promise<RefundResult>;
  /**
   * The payer came back saying they gave up. Makes that final at the provider where it can
   * (Stripe expires the session) and says what to record; undefined: ask lookUp instead.
   */
  abandon(attempt: AttemptForProvider): Promise<ProviderOutcome | undefined>;
};

/** How long one call to a provider's API may take before it counts as a timeout. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 15_000;

/** How an adapter talks to its provider's API (the timeout is shorter in the fault tests). */
export type ProviderClientOptions = { timeoutMs?: number };

/** fetch with a deadline: provider SDKs that take a fetch get one that cannot hang forever. */
export function fetchWithTimeout(ms: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(ms) });
}
