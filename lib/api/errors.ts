// Errors of the REST API: a stable code for programs, a message for people, field details for
// validation. Unknown failures are logged in full and answered with a plain 500.
import { z } from "zod";
import { PaymentError } from "@/lib/payments/types";
import { AppError } from "@/lib/errors";

export const apiErrorCodes = [
  "unauthorized",
  "invalid_request",
  "not_found",
  "receipt_not_payable",
  "method_not_enabled",
  "provider_not_configured",
  "provider_unavailable",
  "provider_refused",
  "refund_not_allowed",
  "conflict",
  "rate_limited",
  "internal_error",
] as const;
export type ApiErrorCode = (typeof apiErrorCodes)[number];

const statusOf: Record<ApiErrorCode, number> = {
  unauthorized: 401,
  invalid_request: 400,
  not_found: 404,
  receipt_not_payable: 409,
  method_not_enabled: 422,
  provider_not_configured: 422,
  provider_unavailable: 503,
  provider_refused: 502,
  refund_not_allowed: 409,
  conflict: 409,
  rate_limited: 429,
  internal_error: 500,
};

export class ApiError extends AppError<ApiErrorCode> {
  constructor(
    code: ApiErrorCode,
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(code, message);
    this.name = "ApiError";
  }
}

export function errorResponse(error: unknown): Response {
  if (error instanceof ApiError) {
    return Response.json(
      { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } },
      { status: statusOf[error.code] },
    );
  }
  if (error instanceof z.ZodError) {
    const fields: Record<string, string[]> = {};
    for (const issue of error.issues) (fields[issue.path.join(".") || "body"] ??= []).push(issue.message);
    return errorResponse(new ApiError("invalid_request", "The request is not valid.", fields));
  }
  if (error instanceof PaymentError) {
    const code: ApiErrorCode = error.code === "receipt_not_found" || error.code === "attempt_not_found" ? "not_found" : error.code;
    return errorResponse(new ApiError(code, error.message));
  }
  console.error("API request failed:", error);
  return errorResponse(new ApiError("internal_error", "Something went wrong on our side."));
}
