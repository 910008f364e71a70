// `npm run sandbox`: starts the provider sandbox on 127.0.0.1 and prints where each provider lives.
import { LiveCredentialsError } from "./shared/config";
import { startSandbox } from "./server";

async function main(): Promise<void> {
  const sandbox = await startSandbox();
  // Handlers first: whoever reads the printed URLs may signal us right after.
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const { urls, config } = sandbox;
  const lines = [
    `Provider sandbox listening on ${sandbox.url} (loopback only)`,
    `  Stripe   STRIPE_API_BASE=${urls.stripe}   (webhooks -> ${config.stripe.webhookUrl ?? "not configured: set SANDBOX_STRIPE_WEBHOOK_URL"})`,
    `  PayPal   PAYPAL_API_BASE=${urls.paypal}   PAYPAL_SDK_BASE=${urls.paypalSdk}   (webhooks -> ${config.paypal.webhookUrl ?? "not configured: set SANDBOX_PAYPAL_WEBHOOK_URL"})`,
    `  Redsys   REDSYS_BASE_URL=${urls.redsys}   (merchant ${config.redsys.merchantCode}, terminal ${config.redsys.terminal}; notifies each request's MERCHANTURL)`,
    `  Control  ${urls.control}   (faults, deliveries, reset)`,
  ];
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  if (error instanceof LiveCredentialsError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
