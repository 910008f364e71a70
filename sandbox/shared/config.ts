// Sandbox configuration: options passed to startSandbox win, then environment variables, then the
// public test defaults. Also the guard that refuses to run with anything that looks live.
export type SandboxOptions = {
  /** TCP port; 0 picks a free one (tests). Default SANDBOX_PORT or 4010. */
  port?: number;
  stripe?: {
    /** Where Stripe events are POSTed (the app's webhook route). */
    webhookUrl?: string;
    /** `whsec_…` secret the events are signed with. */
    webhookSecret?: string;
    /** When set, the only API key accepted; otherwise any `sk_test_`/`rk_test_` key is. */
    secretKey?: string;
  };
  paypal?: {
    webhookUrl?: string;
    /** Id of the (emulated) webhook; part of the signed message. */
    webhookId?: string;
    /** When set, the only client id / secret accepted by the OAuth endpoint. */
    clientId?: string;
    clientSecret?: string;
  };
  redsys?: {
    merchantCode?: string;
    terminal?: string;
    /** Base64 merchant key (24 bytes once decoded). */
    secretKey?: string;
  };
  /** Quiet window before held (out-of-order) notifications are flushed reversed. Default 400 ms. */
  outOfOrderWindowMs?: number;
  /**
   * Delays of the automatic retries of a failed Stripe/PayPal webhook (the real ones retry for
   * days). Default [5000, 30000, 120000]; [] disables. Redsys never retries automatically.
   */
  webhookRetryDelaysMs?: number[];
  /** Environment to read fallbacks from (default process.env). */
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
};

export type SandboxConfig = {
  port: number;
  stripe: { webhookUrl?: string; webhookSecret: string; secretKey?: string };
  paypal: { webhookUrl?: string; webhookId: string; clientId?: string; clientSecret?: string };
  redsys: { merchantCode: string; terminal: string; secretKey: string };
  outOfOrderWindowMs: number;
  webhookRetryDelaysMs: number[];
  log: (line: string) => void;
};

export const REDSYS_TEST_TERMINAL = {
  merchantCode: "999008881",
  terminal: "1",
  secretKey: "sq7HjrUOBfKmC576ILgskD5srU870gJ7",
} as const;

export const DEFAULT_STRIPE_WEBHOOK_SECRET = "whsec_sandbox0000000000000000000000";
export const DEFAULT_PAYPAL_WEBHOOK_ID = "WH-SANDBOX-0000000000000000";

export class LiveCredentialsError extends Error {
  constructor(reason: string) {
    super(`The sandbox refuses to start: ${reason}. It only runs with test credentials.`);
    this.name = "LiveCredentialsError";
  }
}

function pick(...values: (string | undefined)[]): string | undefined {
  for (const v of values) {
    if (v !== undefined && v.trim() !== "") return v.trim();
  }
  return undefined;
}

export function resolveConfig(options: SandboxOptions = {}): SandboxConfig {
  const env = options.env ?? process.env;
  const config: SandboxConfig = {
    port: options.port ?? Number(pick(env.SANDBOX_PORT) ?? 4010),
    stripe: {
      webhookUrl: pick(options.stripe?.webhookUrl, env.SANDBOX_STRIPE_WEBHOOK_URL),
      webhookSecret: pick(options.stripe?.webhookSecret, env.SANDBOX_STRIPE_WEBHOOK_SECRET, env.STRIPE_WEBHOOK_SECRET) ?? DEFAULT_STRIPE_WEBHOOK_SECRET,
      secretKey: pick(options.stripe?.secretKey, env.SANDBOX_STRIPE_SECRET_KEY),
    },
    paypal: {
      webhookUrl: pick(options.paypal?.webhookUrl, env.SANDBOX_PAYPAL_WEBHOOK_URL),
      webhookId: pick(options.paypal?.webhookId, env.SANDBOX_PAYPAL_WEBHOOK_ID, env.PAYPAL_WEBHOOK_ID) ?? DEFAULT_PAYPAL_WEBHOOK_ID,
      clientId: pick(options.paypal?.clientId, env.SANDBOX_PAYPAL_CLIENT_ID),
      clientSecret: pick(options.paypal?.clientSecret, env.SANDBOX_PAYPAL_CLIENT_SECRET),
    },
    redsys: {
      merchantCode: pick(options.redsys?.merchantCode, env.SANDBOX_REDSYS_MERCHANT_CODE, env.REDSYS_MERCHANT_CODE) ?? REDSYS_TEST_TERMINAL.merchantCode,
      terminal: pick(options.redsys?.terminal, env.SANDBOX_REDSYS_TERMINAL, env.REDSYS_TERMINAL) ?? REDSYS_TEST_TERMINAL.terminal,
      secretKey: pick(options.redsys?.secretKey, env.SANDBOX_REDSYS_SECRET_KEY, env.REDSYS_SECRET_KEY) ?? REDSYS_TEST_TERMINAL.secretKey,
    },
    outOfOrderWindowMs: options.outOfOrderWindowMs ?? 400,
    webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? [5000, 30000, 120000],
    log: options.log ?? ((line) => console.log(`[sandbox] ${line}`)),
  };
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    throw new Error(`SANDBOX_PORT must be a port number, got "${String(config.port)}"`);
  }
  assertNoLiveCredentials(env, config);
  return config;
}

/**
 * Live-looking credentials mean someone pointed a real deployment at the sandbox (or the sandbox
 * at real keys): either way payments would silently not be real, so stop loudly.
 */
export function assertNoLiveCredentials(env: Record<string, string | undefined>, config?: SandboxConfig): void {
  const stripeKeys = [
    env.STRIPE_SECRET_KEY,
    env.SANDBOX_STRIPE_SECRET_KEY,
    config?.stripe.secretKey,
    env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY,
    env.STRIPE_PUBLISHABLE_KEY,
  ];
  for (const key of stripeKeys) {
    if (key && /^(sk|rk|pk)_live_/.test(key.trim())) throw new LiveCredentialsError("a live Stripe key (sk_live_/rk_live_/pk_live_) is configured");
  }
  for (const name of ["PAYPAL_MODE", "PAYPAL_ENVIRONMENT"]) {
    const v = env[name]?.trim().toLowerCase();
    if (v === "live" || v === "production") throw new LiveCredentialsError(`${name} is "${v}"`);
  }
  for (const name of ["REDSYS_MODE", "REDSYS_ENV", "REDSYS_ENVIRONMENT"]) {
    const v = env[name]?.trim().toLowerCase();
    if (v === "live" || v === "production") throw new LiveCredentialsError(`${name} is "${v}"`);
  }
  for (const name of ["REDSYS_BASE_URL", "PAYPAL_API_BASE", "STRIPE_API_BASE"]) {
    const v = env[name]?.trim();
    if (v && /(^|\/\/)(sis\.redsys\.es|api-m\.paypal\.com|api\.paypal\.com|api\.stripe\.com)(:|\/|$)/.test(v)) {
      throw new LiveCredentialsError(`${name} points at a production host (${v})`);
    }
  }
}
