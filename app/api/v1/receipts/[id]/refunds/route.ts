import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { apiHandler } from "@/lib/api/handler";
import { refundBody } from "@/lib/api/schemas";
import { requestRefund } from "@/lib/payments/refunds";

export const POST = apiHandler<{ id: string }>(async ({ db, params, json, request, caller }) => {
  if (!z.uuid().safeParse(params.id).success) throw new ApiError("not_found", "No receipt with that id.");
  const { amount, reason } = refundBody.parse(await json());
  const idempotencyKey = request.headers.get("idempotency-key") ?? undefined;
  if (idempotencyKey !== undefined && !/^[\w.:-]{8,100}$/.test(idempotencyKey)) {
    throw new ApiError("invalid_request", "Idempotency-Key must be 8 to 100 letters, digits or . _ : -");
  }
  const refund = await requestRefund(db, {
    receiptId: params.id,
    amount,
    reason,
    source: "api",
    idempotencyKey: idempotencyKey && `api:${caller.keyId}:${idempotencyKey}`,
  });
  return { status: 201, body: { id: refund.refundId, status: refund.status, amount: refund.amount, currency: refund.currency } };
});
