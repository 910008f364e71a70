"use client";
// Choosing a method and going to the provider. The server action creates the attempt and says
// what the browser must do: follow a redirect, post a signed form (Redsys), or, for PayPal,
// the buttons approve in a popup.
import { useActionState, useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import type { CheckoutAction, OnlineMethod } from "@/lib/payments/types";
import { PaypalButtons } from "./paypal-buttons";
import { ProviderForm } from "./provider-form";

export type PayFormProps = {
  methods: OnlineMethod[];
  /** The method chosen earlier (the enrollment wizard's payment step). */
  initialMethod?: OnlineMethod;
  amountLabel: string;
  paypal?: { clientId: string; sdkBaseUrl?: string; currency: string };
  action: (previous: PayState, formData: FormData) => Promise<PayState>;
  createPaypalOrder: () => Promise<PayState>;
  capturePaypalOrder: (attemptId: string) => Promise<{ returnUrl: string }>;
};

type PayState = { error?: string; action?: CheckoutAction; attemptId?: string };

export function PayForm({ methods, initialMethod, amountLabel, paypal, action, createPaypalOrder, capturePaypalOrder }: PayFormProps) {
  const t = useTranslations("pay");
  const [state, submit, pending] = useActionState<PayState, FormData>(action, {});
  const [method, setMethod] = useState<OnlineMethod | undefined>(
    initialMethod && methods.includes(initialMethod) ? initialMethod : methods.length === 1 ? methods[0] : undefined,
  );
  const [buttonsError, setButtonsError] = useState<string>();
  const formRef = useRef<HTMLFormElement>(null);

  const next = state.action;
  useEffect(() => {
    if (next?.type === "redirect") window.location.assign(next.url);
    if (next?.type === "form") formRef.current?.submit();
  }, [next]);

  if (methods.length === 0) return <p className="rounded-md bg-amber-50 p-4 text-amber-900">{t("noMethods")}</p>;

  const error = state.error ?? buttonsError;
  const leaving = pending || next?.type === "redirect" || next?.type === "form";
  return (
    <div className="space-y-4">
      <form action={submit} className="space-y-4">
        <fieldset className="space-y-2">
          <legend className="mb-2 font-semibold">{t("chooseMethod")}</legend>
          {methods.map((m) => (
            <label
              key={m}
              className="flex cursor-pointer items-start gap-3 rounded-lg border border-stone-200 bg-white p-3 has-checked:border-brand-500 has-checked:ring-2 has-checked:ring-brand-100"
            >
              <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} className="mt-1 size-4 accent-brand-600" />
              <span>
                <span className="block font-medium">{t(`methods.${m}`)}</span>
                <span className="block text-sm text-stone-600">{t(`methodHints.${m}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {error && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {t.has(`errors.${error}`) ? t(`errors.${error}`) : t("errors.generic")}
          </p>
        )}
        {method === "paypal" && paypal ? (
          <div className="space-y-3">
            <PaypalButtons
              clientId={paypal.clientId}
              sdkBaseUrl={paypal.sdkBaseUrl}
              currency={paypal.currency}
              createOrder={async () => {
                setButtonsError(undefined);
                const started = await createPaypalOrder();
                if (!started.action || started.action.type !== "paypal_buttons" || !started.attemptId) {
                  setButtonsError(started.error ?? "generic");
                  throw new Error(started.error ?? "could not create the order");
                }
                sessionStorage.setItem(`paypal:${started.action.orderId}`, started.attemptId);
                return started.action.orderId;
              }}
              onApprove={async (orderId) => {
                const attemptId = sessionStorage.getItem(`paypal:${orderId}`);
                if (!attemptId) return setButtonsError("generic");
                const { returnUrl } = await capturePaypalOrder(attemptId);
                window.location.assign(returnUrl);
              }}
              onError={() => setButtonsError("provider_unavailable")}
            />
            <button type="submit" disabled={leaving} className="w-full text-center text-sm text-stone-700 underline underline-offset-4">
              {t("paypalOr")}
            </button>
          </div>
        ) : (
          <button
            type="submit"
            disabled={leaving || !method}
            className="w-full rounded-lg bg-brand-600 px-4 py-3 text-lg font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
          >
            {leaving ? t("redirecting") : t("payButton", { amount: amountLabel })}
          </button>
        )}
      </form>
      {next?.type === "form" && <ProviderForm ref={formRef} action={next} />}
    </div>
  );
}
