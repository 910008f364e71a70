// Which providers this academy can use and in which mode, from configuration alone.
// A *_API_BASE / *_BASE_URL pointing elsewhere means another implementation of the provider's
// protocol (our sandbox): mode "sandbox". Otherwise the credentials say test or live.
import type { Env } from "@/lib/env";
import type { OnlineMethod, Provider, ProviderMode } from "./types";

export type StripeConfig = { secretKey: string; webhookSecret: string | undefined; apiBase: string | undefined; mode: ProviderMode };
export type PaypalConfig = {
  clientId: string;
  clientSecret: string;
  webhookId: string | undefined;
  apiBase: string | undefined;
  sdkBase: string | undefined;
  mode: ProviderMode;
};
export type RedsysConfig = { merchantCode: string; terminal: string; secretKey: string; baseUrl: string | undefined; mode: ProviderMode };

export type PaymentsConfig = {
  appUrl: string;
  stripe?: StripeConfig;
  paypal?: PaypalConfig;
  redsys?: RedsysConfig;
};

export function paymentsConfig(env: Env): PaymentsConfig {
  const config: PaymentsConfig = { appUrl: env.APP_URL };
  if (env.STRIPE_SECRET_KEY) {
    config.stripe = {
      secretKey: env.STRIPE_SECRET_KEY,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET,
      apiBase: env.STRIPE_API_BASE,
      mode: env.STRIPE_API_BASE ? "sandbox" : env.STRIPE_SECRET_KEY.includes("_live_") ? "live" : "test",
    };
  }
  if (env.PAYPAL_CLIENT_ID && env.PAYPAL_CLIENT_SECRET) {
    config.paypal = {
      clientId: env.PAYPAL_CLIENT_ID,
      clientSecret: env.PAYPAL_CLIENT_SECRET,
      webhookId: env.PAYPAL_WEBHOOK_ID,
      apiBase: env.PAYPAL_API_BASE,
      sdkBase: env.PAYPAL_SDK_BASE,
      mode: env.PAYPAL_API_BASE ? "sandbox" : env.PAYPAL_MODE === "live" ? "live" : "test",
    };
  }
  if (env.REDSYS_MERCHANT_CODE && env.REDSYS_TERMINAL && env.REDSYS_SECRET_KEY) {
    config.redsys = {
      merchantCode: env.REDSYS_MERCHANT_CODE,
      terminal: env.REDSYS_TERMINAL,
      secretKey: env.REDSYS_SECRET_KEY,
      baseUrl: env.REDSYS_BASE_URL,
      mode: env.REDSYS_BASE_URL ? "sandbox" : env.REDSYS_MODE,
    };
  }
  return config;
}

/**
 * Credentials an admin saved in the settings page, already decrypted (lib/admin-settings owns
 * storing them). A provider present here replaces the environment's for that provider as a
 * whole; the environment stays the default for the others.
 */
export type StoredProviderCredentials = {
  stripe?: StripeConfig;
  paypal?: PaypalConfig;
  redsys?: RedsysConfig;
};

export function mergeStoredCredentials(config: PaymentsConfig, stored: StoredProviderCredentials): PaymentsConfig {
  return {
    ...config,
    ...(stored.stripe && { stripe: stored.stripe }),
    ...(stored.paypal && { paypal: stored.paypal }),
    ...(stored.redsys && { redsys: stored.redsys }),
  };
}

export function isConfigured(config: PaymentsConfig, provider: Provider): boolean {
  return Boolean(config[provider]);
}

/** The online methods the configuration allows (Bizum rides on the Redsys terminal). */
export function availableMethods(config: PaymentsConfig): OnlineMethod[] {
  const methods: OnlineMethod[] = [];
  if (config.redsys) methods.push("redsys", "bizum");
  if (config.paypal) methods.push("paypal");
  if (config.stripe) methods.push("stripe");
  return methods;
}
