// GET /admin/receipts/export?<the list's filters>: the filtered receipts as a CSV download,
// streamed in keyset batches through the list's own query code (same filter, same order).
// The session is checked by requireStaff, as on every staff page: anyone without a valid one
// is redirected to sign in (307), before any query runs.
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { listReceiptsForExport } from "@/db/queries/dashboard-receipts";
import { requireStaff } from "@/lib/auth/guard";
import { calendarDate } from "@/lib/dates";
import { EXPORT_BATCH_SIZE, receiptsCsvStream, type ExportLabels } from "@/lib/reports/receipts-export";
import { getAcademy } from "@/lib/settings/read";
import { parseListParams } from "../search-params";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  await requireStaff();
  const db = await getDb();

  const url = new URL(request.url);
  const raw: Record<string, string> = {};
  for (const [key, value] of url.searchParams) raw[key] ??= value;
  const params = parseListParams(raw);
  const t = await getTranslations("reports.csv");
  // Exporting fewer filters than asked would hand over a different set of rows than the user thinks.
  if (params.ignored.length > 0) {
    return new Response(`${t("invalidFilter", { fields: params.ignored.join(", ") })}\n`, {
      status: 400,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  const timeZone = (await getAcademy(db))?.timeZone ?? "Europe/Madrid";
  const filter = { ...params.filter, timeZone };

  const tStatus = await getTranslations("receiptStatus");
  const tMethod = await getTranslations("admin.receipts.methods");
  const labels: ExportLabels = {
    column: (key) => t(`columns.${key}`),
    status: (status) => tStatus(status),
    method: (method) => tMethod(method),
  };
  const stream = receiptsCsvStream(
    (after) => listReceiptsForExport(db, { filter, after, limit: EXPORT_BATCH_SIZE }),
    labels,
    (error) => console.error("receipts export failed", error),
  );
  const filename = `${t("filename")}-${calendarDate(new Date(), timeZone)}.csv`;
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
