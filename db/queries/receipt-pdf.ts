// What the receipt PDF prints of one receipt: the receipt itself (number, concept, period, money,
// payment) and its student (name, document, language). The academy comes from settings.
import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { receipts, students } from "@/db/schema";

export async function getReceiptForPdf(db: DbOrTx, receiptId: string) {
  const [row] = await db
    .select({
      id: receipts.id,
      number: receipts.number,
      kind: receipts.kind,
      concept: receipts.concept,
      period: receipts.period,
      amount: receipts.amount,
      discountAmount: receipts.discountAmount,
      currency: receipts.currency,
      status: receipts.status,
      issuedAt: receipts.issuedAt,
      paidAt: receipts.paidAt,
      paidMethod: receipts.paidMethod,
      refundedAmount: receipts.refundedAmount,
      payerName: receipts.payerName,
      payerEmail: receipts.payerEmail,
      payerDocument: receipts.payerDocument,
      studentFirstName: students.firstName,
      studentLastName: students.lastName,
      studentDocumentType: students.documentType,
      studentDocumentNumber: students.documentNumber,
      studentLocale: students.locale,
    })
    .from(receipts)
    .innerJoin(students, eq(students.id, receipts.studentId))
    .where(eq(receipts.id, receiptId));
  return row;
}
