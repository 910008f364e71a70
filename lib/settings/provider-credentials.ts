// Provider credentials saved from the settings page: how they are stored (secrets encrypted with
// APP_ENCRYPTION_KEY, AES-256-GCM from lib/crypto/secrets.ts; nothing secret in clear) and how
// they are read back into the adapters' configuration. Secrets never leave the server: the
// pages get `maskedCredentials`, which shows the last four characters only.
import { z } from "zod";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";
import type { PaypalConfig, RedsysConfig, StoredProviderCredentials, StripeConfig } from "@/lib/payments/config";
import type { Provider, ProviderMode } from "@/lib/payments/types";

/** The settings row that holds them (not in settingKeys: only this module reads it). */
export const providerCredentialsKey = "payment_providers";

const mode = z.enum(["sandbox", "test", "live"]);
const encrypted = z.string().startsWith("v1:");
const optionalText = z.string().optional();

/** What the settings row holds. */
export const storedProvidersSchema = z.object({
  stripe: z.object({ mode, apiBase: optionalText, secretKey: encrypted, webhookSecret: encrypted.optional() }).optional(),
  paypal: z.object({ mode, apiBase: optionalText, sdkBase: optionalText, clientId: z.string(), clientSecret: encrypted, webhookId: optionalText }).optional(),
  redsys: z.object({ mode, baseUrl: optionalText, merchantCode: z.string(), terminal: z.string(), secretKey: encrypted }).optional(),
});
export type StoredProviders = z.infer<typeof storedProvidersSchema>;

/** Plain credentials of one provider, as the form gives them (after validation). */
export type PlainCredentials = {
  stripe: { mode: ProviderMode; apiBase?: string; secretKey: string; webhookSecret?: string };
  paypal: { mode: ProviderMode; apiBase?: string; sdkBase?: string; clientId: string; clientSecret: string; webhookId?: string };
  redsys: { mode: ProviderMode; baseUrl?: string; merchantCode: string; terminal: string; secretKey: string };
};

/** Parses the stored row; a value that no longer parses counts as nothing stored. */
export function parseStoredProviders(value: unknown): StoredProviders {
  const parsed = storedProvidersSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

/** The stored credentials with one provider's replaced by `plain`, its secrets encrypted. */
export function withEncrypted(stored: StoredProviders, provider: Provider, plain: PlainCredentials[Provider], key: Buffer): StoredProviders {
  switch (provider) {
    case "stripe": {
      const c = plain as PlainCredentials["stripe"];
      const webhookSecret = c.webhookSecret === undefined ? undefined : encryptSecret(c.webhookSecret, key);
      return { ...stored, stripe: { mode: c.mode, apiBase: c.apiBase, secretKey: encryptSecret(c.secretKey, key), webhookSecret } };
    }
    case "paypal": {
      const c = plain as PlainCredentials["paypal"];
      return {
        ...stored,
        paypal: {
          mode: c.mode,
          apiBase: c.apiBase,
          sdkBase: c.sdkBase,
          clientId: c.clientId,
          clientSecret: encryptSecret(c.clientSecret, key),
          webhookId: c.webhookId,
        },
      };
    }
    case "redsys": {
      const c = plain as PlainCredentials["redsys"];
      return {
        ...stored,
        redsys: { mode: c.mode, baseUrl: c.baseUrl, merchantCode: c.merchantCode, terminal: c.terminal, secretKey: encryptSecret(c.secretKey, key) },
      };
    }
  }
}

/** Decrypts the stored credentials of every provider into the adapters' configuration. */
export function decryptStoredProviders(stored: StoredProviders, key: Buffer): StoredProviderCredentials {
  const out: StoredProviderCredentials = {};
  if (stored.stripe) out.stripe = stripeConfig(decryptProvider("stripe", stored, key)!);
  if (stored.paypal) out.paypal = paypalConfig(decryptProvider("paypal", stored, key)!);
  if (stored.redsys) out.redsys = redsysConfig(decryptProvider("redsys", stored, key)!);
  return out;
}

/** One provider's stored credentials in clear (server only: for its adapter or a connection test). */
export function decryptProvider<P extends Provider>(provider: P, stored: StoredProviders, key: Buffer): PlainCredentials[P] | undefined {
  if (provider === "stripe" && stored.stripe) {
    const s = stored.stripe;
    return {
      mode: s.mode,
      apiBase: s.apiBase,
      secretKey: decryptSecret(s.secretKey, key),
      webhookSecret: s.webhookSecret && decryptSecret(s.webhookSecret, key),
    } as PlainCredentials[P];
  }
  if (provider === "paypal" && stored.paypal) {
    const s = stored.paypal;
    return {
      mode: s.mode,
      apiBase: s.apiBase,
      sdkBase: s.sdkBase,
      clientId: s.clientId,
      clientSecret: decryptSecret(s.clientSecret, key),
      webhookId: s.webhookId,
    } as PlainCredentials[P];
  }
  if (provider === "redsys" && stored.redsys) {
    const s = stored.redsys;
    return {
      mode: s.mode,
      baseUrl: s.baseUrl,
      merchantCode: s.merchantCode,
      terminal: s.terminal,
      secretKey: decryptSecret(s.secretKey, key),
    } as PlainCredentials[P];
  }
  return undefined;
}

// A base URL only means something in sandbox mode (another implementation of the protocol):
// in test and live mode the adapters use the provider's own hosts.
export function stripeConfig(c: PlainCredentials["stripe"]): StripeConfig {
  return { secretKey: c.secretKey, webhookSecret: c.webhookSecret, apiBase: c.mode === "sandbox" ? c.apiBase : undefined, mode: c.mode };
}
export function paypalConfig(c: PlainCredentials["paypal"]): PaypalConfig {
  const sandbox = c.mode === "sandbox";
  return {
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    webhookId: c.webhookId,
    apiBase: sandbox ? c.apiBase : undefined,
    sdkBase: sandbox ? c.sdkBase : undefined,
    mode: c.mode,
  };
}
export function redsysConfig(c: PlainCredentials["redsys"]): RedsysConfig {
  return { merchantCode: c.merchantCode, terminal: c.terminal, secretKey: c.secretKey, baseUrl: c.mode === "sandbox" ? c.baseUrl : undefined, mode: c.mode };
}

/** "•••• 1234": enough to recognise a saved secret, never enough to use it. */
export function maskSecret(secret: string): string {
  return `•••• ${secret.length > 8 ? secret.slice(-4) : ""}`.trimEnd();
}
