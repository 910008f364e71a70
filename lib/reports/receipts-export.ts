// The receipts CSV export: the column set accountants asked for, one line per receipt, and a
// stream that pulls keyset batches only as fast as the client reads them (backpressure), so an
// export of any size holds one batch in memory, never the whole result.
import type { ReceiptCursor, ReceiptExportRow } from "@/db/queries/dashboard-receipts";
import { csvAmount, csvDate, csvLine, UTF8_BOM } from "./csv";

export const EXPORT_BATCH_SIZE = 1000;

/** Column keys in file order; their headings come from the messages (reports.csv.columns). */
export const exportColumns = [
  "number",
  "issuedOn",
  "dueDate",
  "student",
  "document",
  "payer",
  "concept",
  "period",
  "amount",
  "discount",
  "currency",
  "status",
  "method",
  "paidOn",
  "refunded",
  "providerRef",
] as const;
export type ExportColumn = (typeof exportColumns)[number];

export type ExportLabels = {
  column: (key: ExportColumn) => string;
  status: (status: ReceiptExportRow["status"]) => string;
  method: (method: NonNullable<ReceiptExportRow["paidMethod"]>) => string;
};

export type ExportRow = Omit<ReceiptExportRow, "id" | "cursorKey">;

export function receiptCsvHeader(labels: ExportLabels): string {
  return csvLine(exportColumns.map((key) => labels.column(key)));
}

export function receiptCsvLine(row: ExportRow, labels: ExportLabels): string {
  return csvLine([
    row.number,
    csvDate(row.issuedOn),
    csvDate(row.dueDate),
    row.studentName,
    row.payerDocument,
    row.payerName,
    row.concept,
    row.period,
    csvAmount(row.amount, row.currency),
    csvAmount(row.discountAmount, row.currency),
    row.currency,
    labels.status(row.status),
    row.paidMethod ? labels.method(row.paidMethod) : null,
    csvDate(row.paidOn),
    csvAmount(row.refundedAmount, row.currency),
    row.providerRef,
  ]);
}

export type FetchBatch = (after: ReceiptCursor | undefined) => Promise<{ rows: ReceiptExportRow[]; next?: ReceiptCursor }>;

/**
 * BOM and header first, then one chunk per batch. `pull` runs only when the consumer wants more,
 * so a slow download slows the queries instead of filling memory. A failed query errors the
 * stream: the download breaks off visibly rather than ending as a complete-looking file.
 */
export function receiptsCsvStream(fetchBatch: FetchBatch, labels: ExportLabels, onError?: (error: unknown) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let started = false;
  let after: ReceiptCursor | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!started) {
            started = true;
            controller.enqueue(encoder.encode(UTF8_BOM + receiptCsvHeader(labels)));
            return;
          }
          const batch = await fetchBatch(after);
          if (batch.rows.length > 0) controller.enqueue(encoder.encode(batch.rows.map((row) => receiptCsvLine(row, labels)).join("")));
          if (!batch.next) controller.close();
          after = batch.next;
        } catch (error) {
          onError?.(error);
          controller.error(error);
        }
      },
    },
    { highWaterMark: 1 },
  );
}
