// What a payment page needs to offer the methods: which are on, whether this is the sandbox,
// and the public part of the PayPal set-up for its buttons.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { getEnabledMethods } from "@/lib/settings";
import { currentPaymentsConfig } from "./providers";
import type { OnlineMethod } from "./types";

export type PaymentPageContext = {
  methods: OnlineMethod[];
  sandbox: boolean;
  paypal?: { clientId: string; sdkBaseUrl?: string; currency: string };
};

export async function paymentPageContext(db: DbOrTx, currency: string, flow: "receipts" | "enrollment" = "receipts"): Promise<PaymentPageContext> {
  const config = currentPaymentsConfig();
  const methods = await getEnabledMethods(db, flow);
  const modes = [config.stripe?.mode, config.paypal?.mode, config.redsys?.mode];
  return {
    methods,
    sandbox: modes.includes("sandbox"),
    paypal: config.paypal && methods.includes("paypal") ? { clientId: config.paypal.clientId, sdkBaseUrl: config.paypal.sdkBase, currency } : undefined,
  };
}
