// The REST API's request and response shapes. The same zod schemas validate requests and
// produce the OpenAPI document, so the two cannot drift apart.
import { z } from "zod";
import { onlineMethods } from "@/lib/payments/types";

const currency = z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code in capitals, e.g. EUR");
const isoDate = z.iso.date();
const minorUnits = z.number().int().positive().max(100_000_000);

export const createReceiptBody = z
  .object({
    student: z.object({
      firstName: z.string().trim().min(1).max(100),
      lastName: z.string().trim().min(1).max(150),
      email: z.email().max(254),
      documentNumber: z.string().trim().min(3).max(30).optional(),
    }),
    concept: z.string().trim().min(1).max(200),
    amount: minorUnits.describe("Integer minor units (cents): 9500 is 95,00 €"),
    currency,
    dueDate: isoDate,
  })
  .strict();
export type CreateReceiptBody = z.infer<typeof createReceiptBody>;

export const checkoutBody = z
  .object({ method: z.enum(onlineMethods), locale: z.enum(["es", "en"]).default("es").describe("Language of the provider's page") })
  .strict();
export const refundBody = z.object({ amount: minorUnits, reason: z.string().max(500).optional() }).strict();

export const receiptStatusValues = ["pending", "paid", "cancelled", "refunded", "partially_refunded"] as const;
export const listReceiptsQuery = z.object({
  status: z.enum(receiptStatusValues).optional(),
  from: isoDate.optional().describe("Issued on or after this date"),
  to: isoDate.optional().describe("Issued on or before this date"),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const createdReceipt = z.object({
  id: z.uuid(),
  number: z.string(),
  status: z.enum(receiptStatusValues),
  amount: z.number().int(),
  currency,
  paymentUrl: z.url(),
});

const attempt = z.object({
  id: z.uuid(),
  method: z.string(),
  provider: z.string(),
  status: z.string(),
  amount: z.number().int(),
  currency,
  providerRef: z.string().nullable(),
  createdAt: z.iso.datetime(),
  finalizedAt: z.iso.datetime().nullable(),
});
const refund = z.object({
  id: z.uuid(),
  amount: z.number().int(),
  currency,
  status: z.string(),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
});

export const receiptDetail = z.object({
  id: z.uuid(),
  number: z.string(),
  kind: z.string(),
  concept: z.string(),
  amount: z.number().int(),
  currency,
  refundedAmount: z.number().int(),
  dueDate: isoDate,
  status: z.enum(receiptStatusValues),
  paidAt: z.iso.datetime().nullable(),
  payer: z.object({ name: z.string(), email: z.string() }),
  issuedAt: z.iso.datetime(),
  attempts: z.array(attempt),
  refunds: z.array(refund),
});

export const receiptPage = z.object({ data: z.array(receiptDetail.omit({ attempts: true, refunds: true })), nextCursor: z.string().nullable() });

export const checkoutResult = z.object({
  attemptId: z.uuid(),
  providerRef: z.string(),
  action: z.discriminatedUnion("type", [
    z.object({ type: z.literal("redirect"), url: z.url() }),
    z.object({ type: z.literal("form"), url: z.url(), fields: z.record(z.string(), z.string()) }),
  ]),
});

export const refundResult = z.object({ id: z.uuid(), status: z.enum(["pending", "succeeded", "failed"]), amount: z.number().int(), currency });

export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.array(z.string())).optional() }),
});
