// Every REST route goes through this: authenticate the key, parse the JSON body, run, answer
// JSON with the right status, and turn any failure into the API's error shape.
import "server-only";
import { getDb, type Db } from "@/db/client";
import { authenticateApiKey, type ApiCaller } from "./auth";
import { hitDoor, tooManyRequests } from "@/lib/security/doors";
import { ApiError, errorResponse } from "./errors";

type Context<P> = { db: Db; caller: ApiCaller; request: Request; params: P; json(): Promise<unknown> };

const MAX_BODY_BYTES = 64 * 1024;

export function apiHandler<P = Record<string, never>>(run: (context: Context<P>) => Promise<{ status?: number; body: unknown }>) {
  return async (request: Request, route: { params: Promise<P> }): Promise<Response> => {
    try {
      const db = await getDb();
      const caller = await authenticateApiKey(db, request);
      // Per API key (lib/security/doors.ts): 429 with Retry-After past the limit.
      const limit = await hitDoor(db, "api", caller.keyId);
      if (!limit.allowed) return tooManyRequests(limit);
      const params = await route.params;
      const json = async () => {
        const text = await request.text();
        if (text.length > MAX_BODY_BYTES) throw new ApiError("invalid_request", "The body is too large.");
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new ApiError("invalid_request", "The body is not valid JSON.");
        }
      };
      const { status = 200, body } = await run({ db, caller, request, params, json });
      return Response.json(body, { status, headers: { "cache-control": "no-store" } });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
