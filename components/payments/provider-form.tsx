"use client";
// Redsys takes a signed POST: this form goes there as soon as it is rendered (the button is for
// browsers without scripts). Used by the payment page and by the wizard's one click.
import { forwardRef } from "react";
import { useTranslations } from "next-intl";
import type { CheckoutAction } from "@/lib/payments/types";

export const ProviderForm = forwardRef<HTMLFormElement, { action: Extract<CheckoutAction, { type: "form" }> }>(function ProviderForm({ action }, ref) {
  const t = useTranslations("pay");
  return (
    <form ref={ref} method="post" action={action.url}>
      {Object.entries(action.fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <noscript>
        <button type="submit">{t("continueManually")}</button>
      </noscript>
    </form>
  );
});
