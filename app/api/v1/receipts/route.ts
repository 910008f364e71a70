import { apiHandler } from "@/lib/api/handler";
import { createReceipt, listReceiptPage } from "@/lib/api/receipts";
import { createReceiptBody, listReceiptsQuery } from "@/lib/api/schemas";

export const POST = apiHandler(async ({ db, json }) => ({ status: 201, body: await createReceipt(db, createReceiptBody.parse(await json())) }));

export const GET = apiHandler(async ({ db, request }) => {
  const query = listReceiptsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { body: await listReceiptPage(db, query) };
});
