// The progress bar's data: counts of the send's messages by status. Staff only, like every
// dashboard door; never cached.
import { getDb } from "@/db/client";
import { requireStaff } from "@/lib/auth/guard";
import { getBulkSendProgress } from "@/lib/messaging/bulk-send";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  await requireStaff();
  const { id } = await params;
  const progress = uuidPattern.test(id) ? await getBulkSendProgress(await getDb(), id) : undefined;
  if (!progress) return Response.json({ error: { code: "not_found" } }, { status: 404, headers: { "cache-control": "no-store" } });
  return Response.json(progress, { headers: { "cache-control": "no-store" } });
}
