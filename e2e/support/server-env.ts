// The app's environment in the e2e run, shared by the Playwright config (which starts the
// servers), the build (so that a secret leaking into client code would be inlined where the
// bundle scan in e2e/client-bundle.spec.ts finds it) and that scan.
import { allSandboxAppEnv } from "../../scripts/sandbox-env";
import { ports } from "./ports";

export const e2eServerEnv: Record<string, string> = {
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  AUTH_SECRET: "e2e-auth-secret-not-for-production-0123456789",
  APP_ENCRYPTION_KEY: "a3f1c9e07b24d58e6f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f",
  DEMO_API_KEY: "ak_e2e_demo_key_0123456789abcdef",
  CRON_SECRET: "e2e-cron-secret-0123456789",
  // The e2e specs that read mail start a real SMTP server on this port (scripts/testing/smtp-server.ts).
  SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
  MAIL_FROM: "Academia Sol de Idiomas <pagos@academiasol.es>",
  // The specs sign in with the demo's published accounts, on a production build.
  ALLOW_DEMO_ACCOUNTS: "true",
  // Every spec's browser is one client on loopback: the public doors get room for a whole run.
  RATE_LIMIT_ENROLLMENT_PER_MINUTE: "300",
  RATE_LIMIT_PAY_PER_MINUTE: "1200",
  RATE_LIMIT_CHECKOUT_PER_MINUTE: "300",
  RATE_LIMIT_CHECKOUT_PER_RECEIPT_PER_HOUR: "100",
  ...allSandboxAppEnv(ports.sandbox),
};

/** The values in e2eServerEnv that must never reach a browser. */
export function e2eSecretValues(): { name: string; value: string }[] {
  return Object.entries(e2eServerEnv)
    .filter(([name]) => /SECRET|_KEY$|TOKEN|PASSWORD/.test(name))
    .map(([name, value]) => ({ name, value }));
}
