export const dynamic = "force-dynamic";

import { openApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/env";

export function GET(): Response {
  return Response.json(openApiDocument(env().APP_URL));
}
