// Staff send a payer a fresh link to pay a pending receipt.
import "server-only";
import type { Db } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { lockReceipt } from "@/db/queries/payments";
import { getStudentLocale } from "@/db/queries/students";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";
import { PaymentError } from "@/lib/payments/types";
import { hashLinkToken, issuePaymentLink } from "./payment-links";

/**
 * Issues a new payment link for a pending receipt (the old one is revoked) and queues the
 * `payment_link` e-mail to the payer. The dedupe key names the new link, so each resend mails
 * once and a retried transaction cannot mail twice.
 */
export async function resendPaymentLink(db: Db, input: { receiptId: string; staffUserId: string }): Promise<{ messageId: string | undefined }> {
  return db.transaction(async (tx) => {
    const receipt = await lockReceipt(tx, input.receiptId);
    if (!receipt) throw new PaymentError("receipt_not_found", `no receipt ${input.receiptId}`);
    if (receipt.status !== "pending") throw new PaymentError("receipt_not_payable", `receipt ${receipt.number} is ${receipt.status}`);
    const link = await issuePaymentLink(tx, receipt.id, receipt.dueDate);
    const studentLocale = await getStudentLocale(tx, receipt.studentId);
    const linkKey = hashLinkToken(link.token).slice(0, 24);
    const messageId = await enqueueMessage(tx, {
      template: "payment_link",
      locale: isLocale(studentLocale) ? studentLocale : defaultLocale,
      to: receipt.payerEmail,
      dedupeKey: `payment-link-resent:${receipt.id}:${linkKey}`,
      receiptId: receipt.id,
      data: {
        recipientName: receipt.payerName,
        concept: receipt.concept,
        amount: receipt.amount,
        currency: receipt.currency,
        dueDate: receipt.dueDate,
        link: link.url,
        linkExpiresAt: link.expiresAt,
      },
    });
    await recordAudit(
      tx,
      {
        source: "staff",
        action: "payment_link.issued",
        receiptId: receipt.id,
        staffUserId: input.staffUserId,
        data: { expiresAt: link.expiresAt.toISOString(), linkKey },
      },
      ...(messageId
        ? [
            {
              source: "staff" as const,
              action: "message.queued",
              receiptId: receipt.id,
              staffUserId: input.staffUserId,
              data: { template: "payment_link", messageId },
            },
          ]
        : []),
    );
    return { messageId };
  });
}
