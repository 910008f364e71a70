"use client";
// PayPal's JS buttons (or the sandbox's stand-in, through sdkBaseUrl): the payer approves in a
// popup without leaving our page.
import { PayPalButtons, PayPalScriptProvider } from "@paypal/react-paypal-js";

export function PaypalButtons(props: {
  clientId: string;
  sdkBaseUrl?: string;
  currency: string;
  createOrder: () => Promise<string>;
  onApprove: (orderId: string) => Promise<void>;
  onError: () => void;
}) {
  return (
    <PayPalScriptProvider
      options={{ clientId: props.clientId, currency: props.currency, intent: "capture", ...(props.sdkBaseUrl ? { sdkBaseUrl: props.sdkBaseUrl } : {}) }}
    >
      <PayPalButtons
        style={{ layout: "vertical", label: "pay" }}
        createOrder={() => props.createOrder()}
        onApprove={(data) => props.onApprove(data.orderID)}
        onError={() => props.onError()}
      />
    </PayPalScriptProvider>
  );
}
