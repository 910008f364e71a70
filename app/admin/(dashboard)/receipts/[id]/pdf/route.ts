// Staff's download of a receipt's PDF from its dashboard page. The session is checked here, as on
// every staff page (proxy.ts only redirects); any staff role may download.
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { loadReceiptPdf } from "@/lib/receipts/pdf";
import { noReceiptPdfResponse, receiptPdfResponse } from "@/lib/receipts/pdf-response";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  await requireStaff();
  const { id } = await params;
  if (!uuidPattern.test(id)) return noReceiptPdfResponse();
  const pdf = await loadReceiptPdf(await getDb(), id);
  return pdf ? receiptPdfResponse(pdf) : noReceiptPdfResponse();
}
