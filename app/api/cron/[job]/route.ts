// Cron door for serverless hosting: POST (or GET, for schedulers that only GET) /api/cron/<job>
// with Authorization: Bearer <CRON_SECRET>. The logic is in lib/jobs/cron.ts.
import { handleCronRequest } from "@/lib/jobs/cron";

type Context = { params: Promise<{ job: string }> };

export async function POST(request: Request, { params }: Context): Promise<Response> {
  return handleCronRequest(request, (await params).job);
}

export const GET = POST;
