import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { apiHandler } from "@/lib/api/handler";
import { checkoutBody } from "@/lib/api/schemas";
import { env } from "@/lib/env";
import { startCheckout } from "@/lib/payments/checkout";

export const POST = apiHandler<{ id: string }>(async ({ db, params, json }) => {
  if (!z.uuid().safeParse(params.id).success) throw new ApiError("not_found", "No receipt with that id.");
  const { method, locale } = checkoutBody.parse(await json());
  const started = await startCheckout(db, { receiptId: params.id, method, locale, source: "api", appUrl: env().APP_URL });
  return { status: 201, body: started };
});
