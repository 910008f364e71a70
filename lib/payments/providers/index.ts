// The configured providers, created once per process from the environment merged with the
// credentials an admin saved in the settings page (those win, provider by provider). Built from
// the environment alone until reloadPaymentsConfig(db) has read the database (at startup and
// after each save); other instances notice a save within a minute (a cheap version check).
import "server-only";
import type { DbOrTx } from "@/db/client";
import { readSettingVersion } from "@/db/queries/settings";
import { decryptStoredProviders, parseStoredProviders, providerCredentialsKey } from "@/lib/settings/provider-credentials";
import { appEncryptionKey } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { mergeStoredCredentials, paymentsConfig, type PaymentsConfig, type StoredProviderCredentials } from "../config";
import { PaymentError, type Provider } from "../types";
import { createPaypalProvider, type PaypalProvider } from "./paypal";
import type { PaymentProvider } from "./provider";
import { createRedsysProvider } from "./redsys";
import { createStripeProvider } from "./stripe";

type Providers = { stripe?: PaymentProvider; paypal?: PaypalProvider; redsys?: PaymentProvider };
type Loaded = { config: PaymentsConfig; providers: Providers };

// On globalThis: Next bundles instrumentation and routes apart, and both must see one cache.
type PaymentsState = {
  cached?: Loaded;
  /** updated_at (ms) of the stored credentials the cache was built from; null: none stored. */
  version?: number | null;
  watch?: ReturnType<typeof setInterval>;
  envFingerprint?: string;
};
const state: PaymentsState = ((globalThis as { __academyPayments?: PaymentsState }).__academyPayments ??= {});

function build(stored: StoredProviderCredentials): Loaded {
  const config = mergeStoredCredentials(paymentsConfig(env()), stored);
  const client = { timeoutMs: env().PROVIDER_TIMEOUT_SECONDS * 1000 };
  return {
    config,
    providers: {
      stripe: config.stripe && createStripeProvider(config.stripe, client),
      paypal: config.paypal && createPaypalProvider(config.paypal, client),
      redsys: config.redsys && createRedsysProvider(config.redsys, client),
    },
  };
}

// The environment the cache was built from. A cache on globalThis may outlive a module graph
// (test files sharing a worker with other variables): a different environment starts afresh.
// Checked once per module graph, so the hot path (a webhook) pays nothing.
let checkedEnv: object | undefined;

function load(): Loaded {
  const current = env();
  if (checkedEnv !== current) {
    checkedEnv = current;
    const fingerprint = JSON.stringify(paymentsConfig(current));
    if (state.envFingerprint !== fingerprint) {
      state.envFingerprint = fingerprint;
      state.cached = undefined;
      state.version = undefined;
    }
  }
  state.cached ??= build({});
  return state.cached;
}

/**
 * Reads the stored credentials, merges them over the environment and rebuilds the providers.
 * Stored credentials that cannot be decrypted (APP_ENCRYPTION_KEY missing or changed) are left
 * out with a warning, so the environment keeps serving payments.
 */
export async function reloadPaymentsConfig(db: DbOrTx): Promise<PaymentsConfig> {
  const row = await readSettingVersion(db, providerCredentialsKey);
  let stored: StoredProviderCredentials = {};
  if (row) {
    const key = appEncryptionKey();
    try {
      if (!key) throw new Error("APP_ENCRYPTION_KEY is not set");
      stored = decryptStoredProviders(parseStoredProviders(row.value), key);
    } catch (error) {
      // The message names the cause, never a secret.
      console.warn(`Stored payment credentials ignored: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  load(); // settles the environment check first, so it cannot discard what is built here
  state.cached = build(stored);
  state.version = row ? row.updatedAt.getTime() : null;
  return state.cached.config;
}

/** Every `intervalMs`, reloads when the stored credentials changed (another instance saved). Returns a stop. */
export function watchPaymentsConfig(getDb: () => Promise<DbOrTx>, intervalMs = 30_000): () => void {
  const stop = () => {
    clearInterval(state.watch);
    state.watch = undefined;
  };
  if (state.watch) return stop;
  state.watch = setInterval(() => {
    void (async () => {
      const db = await getDb();
      const row = await readSettingVersion(db, providerCredentialsKey, { valueToo: false });
      const version = row ? row.updatedAt.getTime() : null;
      if (version !== state.version) await reloadPaymentsConfig(db);
    })().catch((error: unknown) => console.warn("Checking the stored payment credentials failed:", error instanceof Error ? error.message : error));
  }, intervalMs);
  state.watch.unref();
  return stop;
}

/** At startup: the stored credentials now, and a watch for saves made on other instances. */
export async function startPaymentsConfig(db: DbOrTx): Promise<void> {
  await reloadPaymentsConfig(db);
  watchPaymentsConfig(async () => (await import("@/db/client")).getDb());
}

export function currentPaymentsConfig(): PaymentsConfig {
  return load().config;
}

export function paymentProvider(provider: "paypal"): PaypalProvider;
export function paymentProvider(provider: Provider): PaymentProvider;
export function paymentProvider(provider: Provider): PaymentProvider {
  const adapter = load().providers[provider];
  if (!adapter) throw new PaymentError("provider_not_configured", `${provider} is not configured`);
  return adapter;
}
