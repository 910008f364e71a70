// The one reader of process.env. Every variable is parsed here with zod; a bad value stops the
// process with one readable line naming the variable (never echoing a secret).
import { z } from "zod";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const optionalUrl = (what: string) => optionalString.refine((v) => v === undefined || isHttpUrl(v), `must be an http(s) URL (${what})`);

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** A 32-byte key, given as 64 hex characters or as base64 of 32 bytes. */
export function decodeEncryptionKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (bytes.length === 32) return bytes;
  }
  return undefined;
}

/** true/false (also 1/0, yes/no); unset is false. */
const flag = z
  .string()
  .default("false")
  .refine((v) => /^(true|false|1|0|yes|no)$/i.test(v), "must be true or false")
  .transform((v) => /^(true|1|yes)$/i.test(v));

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    APP_URL: z
      .string()
      .default("http://localhost:3000")
      .refine(isHttpUrl, "must be an http(s) URL such as https://pagos.miacademia.es")
      .transform((v) => v.replace(/\/+$/, "")),
    DATABASE_URL: optionalString.refine(
      (v) => v === undefined || isPostgresUrl(v),
      "must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)",
    ),
    DATABASE_DRIVER: z.enum(["pglite", "pg", "neon"]).optional(),
    PGLITE_DIR: z.string().default(".data/pglite"),
    /** host:port[/path] of a plain-WebSocket proxy for the Neon driver (local testing only). */
    NEON_WS_PROXY: optionalString,
    /** auto: seed an empty embedded database, except in production; always: seed any empty database. */
    DEMO_SEED: z.enum(["auto", "always", "never"]).default("auto"),
    /** A production start is refused while staff include a demo account with its published password, unless this is set (a demo or staging install). */
    ALLOW_DEMO_ACCOUNTS: flag,
    /** A production start is refused with a provider in sandbox or test mode, unless this is set (a staging install). */
    ALLOW_TEST_PAYMENTS: flag,
    DEMO_API_KEY: optionalString.refine(
      (v) => v === undefined || /^ak_[A-Za-z0-9_-]{20,}$/.test(v),
      "must look like ak_ followed by at least 20 letters, digits, - or _",
    ),
    AUTH_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, "must be at least 32 characters (openssl rand -base64 32)"),
    APP_ENCRYPTION_KEY: optionalString.refine(
      (v) => v === undefined || decodeEncryptionKey(v) !== undefined,
      "must be 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)",
    ),
    CRON_SECRET: optionalString.refine((v) => v === undefined || v.length >= 16, "must be at least 16 characters"),
    /**
     * worker: pg-boss workers run in the server process (a long-running server). cron: no workers;
     * an external scheduler calls /api/cron/<job> (serverless hosting).
     */
    JOBS_MODE: z.enum(["worker", "cron"]).default("worker"),
    /** How long an attempt may stay without an outcome before reconciliation asks its provider. */
    RECONCILE_AFTER_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .default(300),
    /** How long one call to a provider's API may take before it counts as failed (the SDKs retry twice). */
    PROVIDER_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(120).default(15),
    SMTP_URL: optionalString.refine(
      (v) => v === undefined || /^smtps?:\/\/[^/]+/.test(v),
      "must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587",
    ),
    MAIL_FROM: optionalString.refine(
      (v) => v === undefined || /<?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?$/.test(v),
      'must be an address, e.g. "Academia Sol <pagos@academiasol.es>"',
    ),
    STRIPE_SECRET_KEY: optionalString.refine(
      (v) => v === undefined || /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(v),
      "must be a Stripe secret key (sk_test_…, sk_live_…, rk_…)",
    ),
    STRIPE_WEBHOOK_SECRET: optionalString.refine(
      (v) => v === undefined || /^whsec_[A-Za-z0-9+/=]+$/.test(v),
      "must be a Stripe webhook signing secret (whsec_…)",
    ),
    STRIPE_API_BASE: optionalUrl("leave unset for api.stripe.com"),
    PAYPAL_CLIENT_ID: optionalString,
    PAYPAL_CLIENT_SECRET: optionalString,
    PAYPAL_WEBHOOK_ID: optionalString,
    PAYPAL_MODE: z.enum(["sandbox", "live"]).optional(),
    PAYPAL_API_BASE: optionalUrl("leave unset for PayPal's own API"),
    PAYPAL_SDK_BASE: optionalUrl("leave unset for PayPal's own JS SDK"),
    REDSYS_MERCHANT_CODE: optionalString.refine((v) => v === undefined || /^\d{1,9}$/.test(v), "must be the merchant code (FUC), up to 9 digits"),
    REDSYS_TERMINAL: optionalString.refine((v) => v === undefined || /^\d{1,3}$/.test(v), "must be the terminal number, 1 to 3 digits"),
    REDSYS_SECRET_KEY: optionalString.refine(
      (v) => v === undefined || Buffer.from(v, "base64").length === 24,
      "must be the base64 SHA-256 key from the Redsys back office (24 bytes)",
    ),
    REDSYS_BASE_URL: optionalUrl("leave unset for the real Redsys"),
    /** Which real Redsys: the bank's test host (sis-t) or production (sis). Ignored with REDSYS_BASE_URL. */
    REDSYS_MODE: z.enum(["test", "live"]).default("test"),
    SANDBOX_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
    /**
     * How many proxies in front of the app append to X-Forwarded-For (0: none, the header is not
     * believed). true = 1, false = 0. Per-address rate limits need it (lib/security/doors.ts says what happens without).
     */
    TRUST_PROXY: z
      .string()
      .default("0")
      .refine(
        (v) => /^(true|false|\d{1,2})$/.test(v) && (v === "true" || v === "false" || Number(v) <= 10),
        "must be a number of proxies from 0 to 10 (or true/false)",
      )
      .transform((v) => (v === "true" ? 1 : v === "false" ? 0 : Number(v))),
    /** Staff sessions end this many hours after sign-in. */
    SESSION_MAX_AGE_HOURS: z.coerce.number().min(0.25).max(168).default(8),
    /** Sign-in attempts per e-mail in 15 minutes: from one address, then it must wait; from all together, then each further try is slowed down. */
    SIGN_IN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
    /** Sign-in attempts per client address in 15 minutes before that address must wait. */
    SIGN_IN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100000).default(50),
    /** Enrollment submissions per client address per minute (0: no limit). */
    RATE_LIMIT_ENROLLMENT_PER_MINUTE: z.coerce.number().int().min(0).max(100000).default(30),
    /** Payment-link page views per client address per minute (0: no limit). */
    RATE_LIMIT_PAY_PER_MINUTE: z.coerce.number().int().min(0).max(100000).default(120),
    /** Payment starts (each creates a provider order) per client address per minute (0: no limit). */
    RATE_LIMIT_CHECKOUT_PER_MINUTE: z.coerce.number().int().min(0).max(100000).default(20),
    /** Payment starts per receipt per hour, whoever holds its link (0: no limit). */
    RATE_LIMIT_CHECKOUT_PER_RECEIPT_PER_HOUR: z.coerce.number().int().min(0).max(100000).default(30),
    /** REST API requests per API key per minute (0: no limit). */
    RATE_LIMIT_API_PER_MINUTE: z.coerce.number().int().min(0).max(1000000).default(600),
    /** Moodle site root for campus provisioning (web service at /webservice/rest/server.php). Unset: no Moodle. */
    MOODLE_URL: optionalUrl("the Moodle site root, e.g. https://campus.miacademia.es"),
    /** Token of a Moodle web service user allowed the user-creation and manual-enrolment functions. */
    MOODLE_TOKEN: optionalString,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production") {
      for (const key of ["AUTH_SECRET", "APP_ENCRYPTION_KEY"] as const) {
        if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required in production" });
      }
    }
    if (Boolean(env.MOODLE_URL) !== Boolean(env.MOODLE_TOKEN)) {
      const missing = env.MOODLE_URL ? "MOODLE_TOKEN" : "MOODLE_URL";
      ctx.addIssue({ code: "custom", path: [missing], message: "is required when the other Moodle variable is set" });
    }
    if (env.DATABASE_DRIVER && env.DATABASE_DRIVER !== "pglite" && !env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_DRIVER"],
        message: `is ${env.DATABASE_DRIVER} but DATABASE_URL is not set`,
      });
    }
  });

/** Every variable the app reads (NODE_ENV is set by the runtime, not by the operator). */
export const envVariableNames = Object.keys(schema.shape).filter((name) => name !== "NODE_ENV");

export type Env = z.infer<typeof schema> & { databaseDriver: "pglite" | "pg" | "neon" };

export class EnvError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Invalid environment: ${variable} ${problem}.`);
    this.name = "EnvError";
  }
}

/** Parses a set of variables; throws an EnvError naming the first bad one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty value (KEY= in a .env file) means unset.
  const given = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ""));
  const result = schema.safeParse(given);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    const problem = issue.code === "invalid_value" ? `must be one of: ${issue.values.join(", ")}` : issue.message;
    throw new EnvError(variable, problem);
  }
  const env = result.data;
  return { ...env, databaseDriver: env.DATABASE_DRIVER ?? inferDriver(env.DATABASE_URL) };
}

function inferDriver(url: string | undefined): Env["databaseDriver"] {
  if (!url) return "pglite";
  return new URL(url).hostname.endsWith(".neon.tech") ? "neon" : "pg";
}

let cached: Env | undefined;

/** The process's environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * Parses the environment at start-up; on a bad value prints the one line and exits, so the
 * operator sees what to fix instead of a stack trace.
 */
export function loadEnvOrExit(): Env {
  try {
    return env();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
