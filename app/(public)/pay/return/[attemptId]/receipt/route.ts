// The payer's download of their receipt PDF from the return page: the attempt id (random, only
// known to the browser that paid) is the capability, as it is for the return page itself, and it
// opens only the receipt that attempt belongs to, once paid.
import { z } from "zod";
import { getDb } from "@/db/client";
import { getAttemptForReturn } from "@/db/queries/receipts";
import { loadReceiptPdf } from "@/lib/receipts/pdf";
import { noReceiptPdfResponse, receiptPdfResponse } from "@/lib/receipts/pdf-response";

export async function GET(_request: Request, { params }: { params: Promise<{ attemptId: string }> }): Promise<Response> {
  const { attemptId } = await params;
  if (!z.uuid().safeParse(attemptId).success) return noReceiptPdfResponse();
  const db = await getDb();
  const attempt = await getAttemptForReturn(db, attemptId);
  if (!attempt) return noReceiptPdfResponse();
  const pdf = await loadReceiptPdf(db, attempt.receiptId);
  return pdf ? receiptPdfResponse(pdf) : noReceiptPdfResponse();
}
