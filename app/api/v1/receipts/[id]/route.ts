import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { apiHandler } from "@/lib/api/handler";
import { getReceipt } from "@/lib/api/receipts";

export const GET = apiHandler<{ id: string }>(async ({ db, params }) => {
  if (!z.uuid().safeParse(params.id).success) throw new ApiError("not_found", "No receipt with that id.");
  return { body: await getReceipt(db, params.id) };
});
