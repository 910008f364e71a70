// The payer's download of their receipt PDF from the payment link: the token is the capability,
// and it opens only its own receipt, once paid. A link that no longer works (revoked, expired)
// opens nothing here either, as on the payment page.
import { getDb } from "@/db/client";
import { lookUpPaymentLink } from "@/lib/receipts/payment-links";
import { loadReceiptPdf } from "@/lib/receipts/pdf";
import { noReceiptPdfResponse, receiptPdfResponse } from "@/lib/receipts/pdf-response";

export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  const db = await getDb();
  const link = await lookUpPaymentLink(db, token);
  if (link.state !== "live") return noReceiptPdfResponse();
  const pdf = await loadReceiptPdf(db, link.receiptId);
  return pdf ? receiptPdfResponse(pdf) : noReceiptPdfResponse();
}
