// Every status and kind in the domain, as PostgreSQL enums so the database refuses a typo.
import { pgEnum } from "drizzle-orm/pg-core";

export const staffRole = pgEnum("staff_role", ["admin", "staff"]);
export const documentType = pgEnum("document_type", ["dni", "nie", "passport", "other"]);
export const courseStatus = pgEnum("course_status", ["draft", "open", "closed"]);
export const enrollmentStatus = pgEnum("enrollment_status", ["pending_payment", "confirmed", "cancelled", "withdrawn", "waitlisted"]);
export const discountKind = pgEnum("discount_kind", ["percent", "fixed"]);
export const receiptKind = pgEnum("receipt_kind", ["enrollment", "monthly", "other"]);
export const receiptStatus = pgEnum("receipt_status", ["pending", "paid", "cancelled", "refunded", "partially_refunded"]);
export const provider = pgEnum("provider", ["stripe", "paypal", "redsys", "manual"]);
/** How the payer paid: the online methods map to a provider; the manual ones are recorded by staff. */
export const paymentMethod = pgEnum("payment_method", ["stripe", "paypal", "redsys", "bizum", "cash", "transfer", "other"]);
export const providerMode = pgEnum("provider_mode", ["sandbox", "test", "live"]);
export const attemptStatus = pgEnum("attempt_status", ["created", "redirected", "pending", "succeeded", "failed", "cancelled", "expired"]);
export const eventOutcome = pgEnum("event_outcome", ["received", "applied", "ignored", "flagged", "failed"]);
export const refundStatus = pgEnum("refund_status", ["pending", "succeeded", "failed"]);
export const attentionKind = pgEnum("attention_kind", [
  "amount_mismatch",
  "double_payment",
  "payment_on_cancelled",
  "refund_at_provider",
  "side_effect_failed",
  "late_payment",
  "paid_not_confirmed",
  "identity_conflict",
  "test_payment",
]);
export const messageStatus = pgEnum("message_status", ["queued", "sending", "sent", "failed", "invalid_address"]);
export const auditSource = pgEnum("audit_source", ["webhook", "return_page", "reconciliation", "staff", "api", "enrollment", "system", "payer"]);
export const campusProvider = pgEnum("campus_provider", ["moodle", "webhook"]);
export const campusStatus = pgEnum("campus_status", ["pending", "active", "suspended", "failed"]);
export const deliveryStatus = pgEnum("delivery_status", ["pending", "delivered", "failed"]);
