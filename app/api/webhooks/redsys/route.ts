import { handleWebhook } from "@/lib/payments/webhooks";

export async function POST(request: Request): Promise<Response> {
  return handleWebhook("redsys", request);
}
