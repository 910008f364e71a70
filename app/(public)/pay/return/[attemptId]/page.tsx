// Where the payer comes back from the provider. The query string is never trusted: the page
// reads our books, and if no webhook has settled the attempt yet it asks the provider itself.
import { getFormatter, getTranslations } from "next-intl/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { getAttemptForReturn, getEnrollmentAfterPayment, getReceiptForPayment } from "@/db/queries/receipts";
import { AutoRefresh } from "@/components/payments/auto-refresh";
import { PayForm } from "@/components/payments/pay-form";
import { ReceiptPdfLink } from "@/components/payments/receipt-pdf-link";
import { moneyFor, ReceiptSummary, SandboxNotice, StatusPanel } from "@/components/payments/receipt-summary";
import { isFinalAttempt } from "@/lib/payments/attempt-machine";
import { paymentPageContext } from "@/lib/payments/page-context";
import { refreshAttempt } from "@/lib/payments/refresh";
import { capturePaypalOrderAction, createPaypalOrderAction, startPaymentAction, type PayTarget } from "../../actions";

export async function generateMetadata() {
  const t = await getTranslations("pay.return");
  return { title: t("title"), robots: { index: false } };
}

export default async function ReturnPage({ params, searchParams }: { params: Promise<{ attemptId: string }>; searchParams: Promise<{ cancelled?: string }> }) {
  const { attemptId } = await params;
  // Only a hint: the provider is asked to make the cancellation final, and its answer counts.
  const abandoned = (await searchParams).cancelled === "1";
  const t = await getTranslations("pay");
  const db = await getDb();
  const known = z.uuid().safeParse(attemptId).success ? await getAttemptForReturn(db, attemptId) : undefined;
  if (!known) return <StatusPanel tone="neutral" title={t("states.unknownTitle")} body={t("return.notFound")} />;

  if (!isFinalAttempt(known.status)) {
    try {
      await refreshAttempt(db, attemptId, "return_page", { abandoned });
    } catch (error) {
      // The provider did not answer now; the webhook or reconciliation will. Keep waiting.
      console.error(`Return page could not ask the provider about ${attemptId}:`, error);
    }
  }
  const attempt = (await getAttemptForReturn(db, attemptId))!;
  const receipt = (await getReceiptForPayment(db, attempt.receiptId))!;
  const amount = await moneyFor(receipt.amount, receipt.currency);

  if (receipt.status === "paid" || receipt.status === "partially_refunded" || receipt.status === "refunded") {
    const enrollment = receipt.kind === "enrollment" ? await getEnrollmentAfterPayment(db, receipt.id) : undefined;
    const format = await getFormatter();
    return (
      <div className="mx-auto max-w-lg space-y-4" data-state="paid">
        <StatusPanel tone="ok" title={t("return.paidTitle")} body={t("return.paidBody", { amount, number: receipt.number })} />
        {enrollment && (
          <section className="space-y-2 rounded-xl border border-emerald-200 bg-white p-4" data-testid="what-next" aria-labelledby="what-next-title">
            <h2 id="what-next-title" className="text-lg font-semibold">
              {enrollment.status === "confirmed" ? t("return.confirmedTitle", { course: enrollment.course }) : t("return.reviewTitle")}
            </h2>
            {enrollment.status === "confirmed" ? (
              <ul className="list-disc space-y-1 pl-5 text-sm text-stone-800">
                <li>
                  {t(enrollment.startDate > new Date().toISOString().slice(0, 10) ? "return.startsOn" : "return.startedOn", {
                    date: format.dateTime(new Date(`${enrollment.startDate}T12:00:00Z`), { dateStyle: "long", timeZone: "UTC" }),
                    schedule: enrollment.schedule,
                  })}
                </li>
                <li>{t("return.mailsComing")}</li>
                {enrollment.campus && <li>{t("return.campusComing")}</li>}
              </ul>
            ) : (
              <p className="text-sm text-stone-800">{t("return.reviewBody")}</p>
            )}
          </section>
        )}
        <ReceiptSummary receipt={receipt} />
        <ReceiptPdfLink href={`/pay/return/${attemptId}/receipt`} />
      </div>
    );
  }
  if (receipt.status === "cancelled") {
    return <StatusPanel tone="neutral" title={t("states.cancelledTitle")} body={t("states.cancelledBody")} />;
  }
  if (!isFinalAttempt(attempt.status) || attempt.status === "succeeded") {
    return (
      <div className="mx-auto max-w-lg space-y-4" data-state="processing">
        <StatusPanel tone="wait" title={t("return.processingTitle")} body={t("return.processingBody")} />
        <ReceiptSummary receipt={receipt} />
        <AutoRefresh />
      </div>
    );
  }

  const context = await paymentPageContext(db, receipt);
  const target: PayTarget = { kind: "attempt", attemptId };
  return (
    <div className="mx-auto max-w-lg space-y-5" data-state="failed">
      <StatusPanel
        tone="bad"
        title={t("return.failedTitle")}
        body={attempt.status === "cancelled" || (abandoned && attempt.status === "expired") ? t("return.cancelledBody") : t("return.failedBody")}
      />
      {context.testMode && <SandboxNotice text={t("sandbox")} />}
      <ReceiptSummary receipt={receipt} />
      <h2 className="text-lg font-semibold">{t("return.retry")}</h2>
      <PayForm
        methods={context.methods}
        // The method that was just declined or cancelled: most payers try it again or switch.
        initialMethod={context.methods.find((m) => m === attempt.method)}
        amountLabel={amount}
        paypal={context.paypal}
        action={startPaymentAction.bind(null, target)}
        createPaypalOrder={createPaypalOrderAction.bind(null, target)}
        capturePaypalOrder={capturePaypalOrderAction}
      />
    </div>
  );
}
