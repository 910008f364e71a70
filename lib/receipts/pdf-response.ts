// The HTTP answer that hands a receipt PDF to a browser, shared by the payer's and the staff's
// download routes: a file download named recibo-<number>.pdf (receipt-<number>.pdf in English)
// that no cache keeps and that sends no Referer (the payer's URL carries their payment-link token).
import "server-only";

export function receiptPdfResponse(pdf: { filename: string; bytes: Uint8Array }): Response {
  return new Response(Buffer.from(pdf.bytes), {
    status: 200,
    headers: {
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="${pdf.filename}"`,
      "content-length": String(pdf.bytes.byteLength),
      "cache-control": "private, no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    },
  });
}

/** No PDF here: an unknown link or receipt, or one that proves no payment (pending, cancelled). */
export function noReceiptPdfResponse(): Response {
  return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}
