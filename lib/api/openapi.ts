// The OpenAPI 3.1 description of REST API v1, generated from the same zod schemas that
// validate the requests.
import { z } from "zod";
import { apiErrorCodes } from "./errors";
import * as s from "./schemas";

const json = (schema: z.ZodType) => ({ "application/json": { schema: z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) } });
const input = (schema: z.ZodType) => ({ "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } });
/** Every operation takes an API key, so each may also answer 429 (rate_limited, with Retry-After). */
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    [...statuses, 429].map((status) => [
      String(status),
      {
        description: status === 429 ? "Too many requests for this API key: wait Retry-After seconds (error.code rate_limited)" : "Error (see error.code)",
        content: json(s.errorBody),
      },
    ]),
  );
const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };

export function openApiDocument(serverUrl: string) {
  const listQuery = z.toJSONSchema(s.listReceiptsQuery, { io: "input" }) as { properties: Record<string, object> };
  return {
    openapi: "3.1.0",
    info: {
      title: "Academy payments API",
      version: "1.0.0",
      description: `Receipts and their payments for the academy's other systems. Amounts are integer minor units (cents). Errors answer { error: { code, message, fields? } } with a stable code: ${apiErrorCodes.join(", ")}.`,
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    security: [{ apiKey: [] }],
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key (ak_…) created in the dashboard." } } },
    paths: {
      "/receipts": {
        post: {
          summary: "Issue a receipt (the student is matched or created) and get its payment link",
          requestBody: { required: true, content: input(s.createReceiptBody) },
          responses: { "201": { description: "Issued", content: json(s.createdReceipt) }, ...errors(400, 401) },
        },
        get: {
          summary: "List receipts, newest first, a page at a time",
          parameters: Object.entries(listQuery.properties).map(([name, schema]) => ({ name, in: "query", required: false, schema })),
          responses: { "200": { description: "A page and the cursor of the next", content: json(s.receiptPage) }, ...errors(400, 401) },
        },
      },
      "/receipts/{id}": {
        get: {
          summary: "A receipt with its status, payment attempts and refunds",
          parameters: [idParam],
          responses: { "200": { description: "The receipt", content: json(s.receiptDetail) }, ...errors(401, 404) },
        },
      },
      "/receipts/{id}/checkout": {
        post: {
          summary: "Start a payment: a new attempt and provider order; the answer says where to send the payer",
          parameters: [idParam],
          requestBody: { required: true, content: input(s.checkoutBody) },
          responses: { "201": { description: "Started", content: json(s.checkoutResult) }, ...errors(400, 401, 404, 409, 422, 503) },
        },
      },
      "/receipts/{id}/refunds": {
        post: {
          summary: "Refund all or part of a paid receipt through the provider that took the money",
          parameters: [idParam, { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" } }],
          requestBody: { required: true, content: input(s.refundBody) },
          responses: { "201": { description: "Requested", content: json(s.refundResult) }, ...errors(400, 401, 404, 409, 502, 503) },
        },
      },
    },
  };
}
