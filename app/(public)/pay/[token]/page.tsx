import { headers } from "next/headers";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { getReceiptForPayment } from "@/db/queries/receipts";
import { PayForm } from "@/components/payments/pay-form";
import { ReceiptPdfLink } from "@/components/payments/receipt-pdf-link";
import { moneyFor, ReceiptSummary, SandboxNotice, StatusPanel } from "@/components/payments/receipt-summary";
import { paymentPageContext } from "@/lib/payments/page-context";
import { lookUpPaymentLink } from "@/lib/receipts/payment-links";
import { hitDoorByAddress } from "@/lib/security/doors";
import { hasReceiptPdf } from "@/lib/receipts/pdf";
import { capturePaypalOrderAction, createPaypalOrderAction, startPaymentAction, type PayTarget } from "../actions";

export async function generateMetadata() {
  const t = await getTranslations("pay");
  return { title: t("title"), robots: { index: false } };
}

export default async function PayPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<{ method?: string }> }) {
  const { token } = await params;
  const { method } = await searchParams;
  const t = await getTranslations("pay");
  const format = await getFormatter();
  const db = await getDb();
  // Per client address (lib/security/doors.ts): guessing tokens in a flood only ever sees "unknown".
  const link = (await hitDoorByAddress(db, "pay", await headers())) ? await lookUpPaymentLink(db, token) : ({ state: "unknown" } as const);
  if (link.state === "unknown") return <StatusPanel tone="neutral" title={t("states.unknownTitle")} body={t("states.unknownBody")} />;
  if (link.state !== "live") return <StatusPanel tone="neutral" title={t(`states.${link.state}Title`)} body={t(`states.${link.state}Body`)} />;
  const receipt = await getReceiptForPayment(db, link.receiptId);
  if (!receipt) return <StatusPanel tone="neutral" title={t("states.unknownTitle")} body={t("states.unknownBody")} />;

  if (receipt.status !== "pending") {
    const state = receipt.status === "paid" ? "paid" : receipt.status === "cancelled" ? "cancelled" : "refunded";
    const date = receipt.paidAt ? format.dateTime(receipt.paidAt, { dateStyle: "long" }) : "";
    return (
      <div className="mx-auto max-w-lg space-y-4">
        <StatusPanel tone={state === "paid" ? "ok" : "neutral"} title={t(`states.${state}Title`)} body={t(`states.${state}Body`, { date })} />
        <ReceiptSummary receipt={receipt} />
        {hasReceiptPdf(receipt.status) && <ReceiptPdfLink href={`/pay/${token}/receipt`} />}
      </div>
    );
  }

  const context = await paymentPageContext(db, receipt);
  const target: PayTarget = { kind: "link", token };
  return (
    <div className="mx-auto max-w-lg space-y-5">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      {context.testMode && <SandboxNotice text={t("sandbox")} />}
      <ReceiptSummary receipt={receipt} />
      {receipt.holdExpiresAt && (
        <p className="rounded-md bg-sky-50 p-3 text-sm text-sky-900" data-testid="hold">
          {t("holdNotice", { time: format.dateTime(receipt.holdExpiresAt, { timeStyle: "short" }) })}
        </p>
      )}
      <PayForm
        methods={context.methods}
        initialMethod={context.methods.find((m) => m === method)}
        amountLabel={await moneyFor(receipt.amount, receipt.currency)}
        paypal={context.paypal}
        action={startPaymentAction.bind(null, target)}
        createPaypalOrder={createPaypalOrderAction.bind(null, target)}
        capturePaypalOrder={capturePaypalOrderAction}
      />
    </div>
  );
}
