// The receipts resource of the REST API: create (matching or creating the student), read,
// list with a cursor, and the serialisation every answer shares.
import "server-only";
import type { Db } from "@/db/client";
import { getReceiptWithPayments, listReceipts } from "@/db/queries/receipts";
import { normaliseDocument } from "@/lib/enrollment/documents";
import { issueReceipt } from "@/lib/receipts/issue";
import { issuePaymentLink } from "@/lib/receipts/payment-links";
import { flagIdentityConflict, matchOrCreateStudent } from "@/lib/students/identity";
import { ApiError } from "./errors";
import type { CreateReceiptBody } from "./schemas";
import type { z } from "zod";
import type { listReceiptsQuery } from "./schemas";

function documentTypeOf(number: string): "dni" | "nie" | "passport" {
  if (/^\d{8}[A-Z]$/i.test(number)) return "dni";
  if (/^[XYZ]\d{7}[A-Z]$/i.test(number)) return "nie";
  return "passport";
}

export async function createReceipt(db: Db, body: CreateReceiptBody) {
  return db.transaction(async (tx) => {
    const documentNumber = body.student.documentNumber ? normaliseDocument("passport", body.student.documentNumber) || undefined : undefined;
    const match = await matchOrCreateStudent(
      tx,
      {
        firstName: body.student.firstName,
        lastName: body.student.lastName,
        email: body.student.email,
        documentNumber,
        documentType: documentNumber ? documentTypeOf(documentNumber) : undefined,
      },
      "api",
    );
    const studentId = match.id;
    const receipt = await issueReceipt(
      tx,
      {
        studentId,
        kind: "other",
        concept: body.concept,
        amount: body.amount,
        currency: body.currency,
        dueDate: body.dueDate,
        payer: { name: `${body.student.firstName} ${body.student.lastName}`, email: body.student.email, document: body.student.documentNumber ?? null },
      },
      "api",
    );
    await flagIdentityConflict(tx, match, receipt.id);
    const link = await issuePaymentLink(tx, receipt.id, body.dueDate);
    return { id: receipt.id, number: receipt.number, status: receipt.status, amount: receipt.amount, currency: receipt.currency, paymentUrl: link.url };
  });
}

type Detail = NonNullable<Awaited<ReturnType<typeof getReceiptWithPayments>>>;

function serialiseReceipt(r: Omit<Detail, "attempts" | "refunds">) {
  return {
    id: r.id,
    number: r.number,
    kind: r.kind,
    concept: r.concept,
    amount: r.amount,
    currency: r.currency,
    refundedAmount: r.refundedAmount,
    dueDate: r.dueDate,
    status: r.status,
    paidAt: r.paidAt?.toISOString() ?? null,
    payer: { name: r.payerName, email: r.payerEmail },
    issuedAt: r.issuedAt.toISOString(),
  };
}

export async function getReceipt(db: Db, id: string) {
  const receipt = await getReceiptWithPayments(db, id);
  if (!receipt) throw new ApiError("not_found", "No receipt with that id.");
  return {
    ...serialiseReceipt(receipt),
    attempts: receipt.attempts.map((a) => ({ ...a, createdAt: a.createdAt.toISOString(), finalizedAt: a.finalizedAt?.toISOString() ?? null })),
    refunds: receipt.refunds.map((f) => ({ ...f, createdAt: f.createdAt.toISOString(), completedAt: f.completedAt?.toISOString() ?? null })),
  };
}

function encodeCursor(row: { issuedAt: Date; id: string }): string {
  return Buffer.from(`${row.issuedAt.toISOString()}|${row.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { issuedAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const issuedAt = new Date(at ?? "");
  if (!id || Number.isNaN(issuedAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw new ApiError("invalid_request", "The cursor is not valid.", { cursor: ["not a cursor from this API"] });
  return { issuedAt, id };
}

export async function listReceiptPage(db: Db, query: z.infer<typeof listReceiptsQuery>) {
  const rows = await listReceipts(db, {
    status: query.status,
    from: query.from,
    to: query.to,
    after: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { data: page.map(serialiseReceipt), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}
