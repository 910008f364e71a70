// How the app and the provider sandbox find each other: the sandbox's settings (where to send
// webhooks, which secrets to sign with) and the app's (where each provider's API lives, which
// credentials to use). Used by `npm run dev` and the e2e set-up; the app itself only sees env.

export const sandboxCredentials = {
  stripeSecretKey: "sk_test_sandboxAcademy0000",
  stripeWebhookSecret: "whsec_sandboxacademy0000000000000000",
  paypalClientId: "sandbox-academy-client",
  paypalClientSecret: "sandbox-academy-secret",
  paypalWebhookId: "WH-SANDBOX-ACADEMY-0000000000",
  redsysMerchantCode: "999008881",
  redsysTerminal: "1",
  redsysSecretKey: "sq7HjrUOBfKmC576ILgskD5srU870gJ7",
  moodleToken: "sandbox-academy-moodle-token",
} as const;

/** Variables for `tsx sandbox/main.ts` serving an app at appUrl. */
export function sandboxServerEnv(appUrl: string, port: number): Record<string, string> {
  return {
    SANDBOX_PORT: String(port),
    SANDBOX_STRIPE_WEBHOOK_URL: `${appUrl}/api/webhooks/stripe`,
    SANDBOX_STRIPE_WEBHOOK_SECRET: sandboxCredentials.stripeWebhookSecret,
    SANDBOX_STRIPE_SECRET_KEY: sandboxCredentials.stripeSecretKey,
    SANDBOX_PAYPAL_WEBHOOK_URL: `${appUrl}/api/webhooks/paypal`,
    SANDBOX_PAYPAL_WEBHOOK_ID: sandboxCredentials.paypalWebhookId,
    SANDBOX_PAYPAL_CLIENT_ID: sandboxCredentials.paypalClientId,
    SANDBOX_PAYPAL_CLIENT_SECRET: sandboxCredentials.paypalClientSecret,
    SANDBOX_REDSYS_MERCHANT_CODE: sandboxCredentials.redsysMerchantCode,
    SANDBOX_REDSYS_TERMINAL: sandboxCredentials.redsysTerminal,
    SANDBOX_REDSYS_SECRET_KEY: sandboxCredentials.redsysSecretKey,
    SANDBOX_MOODLE_TOKEN: sandboxCredentials.moodleToken,
    // The demo's courses map to Moodle idnumbers (moodle-<code>): create them on first use.
    SANDBOX_MOODLE_AUTO_COURSES: "1",
  };
}

/** Variables for the app, per provider, pointing at a sandbox on 127.0.0.1:port. */
export function sandboxAppEnv(port: number) {
  const base = `http://127.0.0.1:${port}`;
  return {
    stripe: {
      STRIPE_SECRET_KEY: sandboxCredentials.stripeSecretKey,
      STRIPE_WEBHOOK_SECRET: sandboxCredentials.stripeWebhookSecret,
      STRIPE_API_BASE: base,
    },
    paypal: {
      PAYPAL_CLIENT_ID: sandboxCredentials.paypalClientId,
      PAYPAL_CLIENT_SECRET: sandboxCredentials.paypalClientSecret,
      PAYPAL_WEBHOOK_ID: sandboxCredentials.paypalWebhookId,
      PAYPAL_API_BASE: `${base}/paypal`,
      PAYPAL_SDK_BASE: `${base}/sdk/js`,
    },
    redsys: {
      REDSYS_MERCHANT_CODE: sandboxCredentials.redsysMerchantCode,
      REDSYS_TERMINAL: sandboxCredentials.redsysTerminal,
      REDSYS_SECRET_KEY: sandboxCredentials.redsysSecretKey,
      REDSYS_BASE_URL: `${base}/redsys`,
    },
    moodle: {
      MOODLE_URL: `${base}/moodle`,
      MOODLE_TOKEN: sandboxCredentials.moodleToken,
    },
  };
}

/** All three providers and the campus on the sandbox. */
export function allSandboxAppEnv(port: number): Record<string, string> {
  const env = sandboxAppEnv(port);
  // No real money moves through the sandbox: a production build may run against it.
  return { ...env.stripe, ...env.paypal, ...env.redsys, ...env.moodle, ALLOW_TEST_PAYMENTS: "true" };
}
