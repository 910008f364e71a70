// The configured providers, created once per process from configuration alone.
import "server-only";
import { env } from "@/lib/env";
import { paymentsConfig, type PaymentsConfig } from "../config";
import { PaymentError, type Provider } from "../types";
import { createPaypalProvider, type PaypalProvider } from "./paypal";
import type { PaymentProvider } from "./provider";
import { createRedsysProvider } from "./redsys";
import { createStripeProvider } from "./stripe";

type Providers = { stripe?: PaymentProvider; paypal?: PaypalProvider; redsys?: PaymentProvider };

let cached: { config: PaymentsConfig; providers: Providers } | undefined;

function load() {
  if (!cached) {
    const config = paymentsConfig(env());
    cached = {
      config,
      providers: {
        stripe: config.stripe && createStripeProvider(config.stripe),
        paypal: config.paypal && createPaypalProvider(config.paypal),
        redsys: config.redsys && createRedsysProvider(config.redsys),
      },
    };
  }
  return cached;
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
