// The headers every response carries: a Content-Security-Policy that lets exactly the payment
// flows through (PayPal's JS buttons and approval pages, Stripe Checkout, the Redsys and Bizum
// form POST) and nothing else, plus the usual hardening headers. Built per process from the
// configuration, because the sandbox's origins are only known at run time.

/** The providers' real origins; the sandbox's come from the *_BASE settings. */
const providerOrigins = {
  paypalScripts: ["https://www.paypal.com", "https://www.sandbox.paypal.com", "https://www.paypalobjects.com"],
  paypalFrames: ["https://www.paypal.com", "https://www.sandbox.paypal.com"],
  paypalConnect: ["https://www.paypal.com", "https://www.sandbox.paypal.com", "https://api-m.paypal.com", "https://api-m.sandbox.paypal.com"],
  // A no-script payer submits our form and is redirected; the browser checks form-action on the redirect too.
  formTargets: ["https://checkout.stripe.com", "https://www.paypal.com", "https://www.sandbox.paypal.com", "https://sis.redsys.es", "https://sis-t.redsys.es"],
};

export type SecurityHeaderOptions = {
  /** The sandbox or any other stand-in for the providers (STRIPE_API_BASE, PAYPAL_*_BASE, REDSYS_BASE_URL). */
  providerBaseUrls: (string | undefined)[];
  /** Development needs eval for React's debugging and a websocket for hot reload. */
  development: boolean;
  /** Only over HTTPS: tells browsers to refuse plain HTTP for a year. */
  https: boolean;
};

function origins(urls: (string | undefined)[]): string[] {
  const found = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    try {
      found.add(new URL(url).origin);
    } catch {
      // lib/env.ts already refuses malformed URLs; nothing to allow for one that slipped through.
    }
  }
  return [...found];
}

export function contentSecurityPolicy(options: SecurityHeaderOptions): string {
  const standIns = origins(options.providerBaseUrls);
  // Next.js inlines its bootstrap scripts: without per-request nonces (which would make every
  // page dynamic) 'unsafe-inline' is needed; scripts from any other origin stay blocked.
  const scripts = ["'self'", "'unsafe-inline'", ...(options.development ? ["'unsafe-eval'"] : []), ...providerOrigins.paypalScripts, ...standIns];
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": scripts,
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", ...providerOrigins.paypalScripts, ...standIns],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...providerOrigins.paypalConnect, ...standIns, ...(options.development ? ["ws:", "wss:"] : [])],
    "frame-src": ["'self'", ...providerOrigins.paypalFrames, ...standIns],
    "form-action": ["'self'", ...providerOrigins.formTargets, ...standIns],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${[...new Set(values)].join(" ")}`)
    .join("; ");
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    // Payment links carry their token in the path: other sites never see more than our origin.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(self)",
    "Cross-Origin-Opener-Policy": "same-origin-allow-popups",
    ...(options.https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}
