// What a payment page needs to offer the methods: which are on, whether money is real,
// and the public part of the PayPal set-up for its buttons.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { getEnabledMethods } from "@/lib/settings/read";
import { currentPaymentsConfig } from "./providers";
import { paymentFlowOf, type OnlineMethod } from "./types";

export type PaymentPageContext = {
  methods: OnlineMethod[];
  /** No real money moves (the sandbox, or a provider's test mode): payers are told so. */
  testMode: boolean;
  paypal?: { clientId: string; sdkBaseUrl?: string; currency: string };
};

export async function paymentPageContext(db: DbOrTx, receipt: { kind: string; currency: string }): Promise<PaymentPageContext> {
  const config = currentPaymentsConfig();
  const methods = await getEnabledMethods(db, paymentFlowOf(receipt.kind));
  const modes = [config.stripe?.mode, config.paypal?.mode, config.redsys?.mode];
  return {
    methods,
    testMode: modes.some((mode) => mode !== undefined && mode !== "live"),
    paypal:
      config.paypal && methods.includes("paypal")
        ? { clientId: config.paypal.clientId, sdkBaseUrl: config.paypal.sdkBase, currency: receipt.currency }
        : undefined,
  };
}
