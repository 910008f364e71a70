ALTER TYPE "public"."attention_kind" ADD VALUE 'identity_conflict';--> statement-breakpoint
ALTER TYPE "public"."attention_kind" ADD VALUE 'test_payment';--> statement-breakpoint
DROP INDEX "students_document_key";--> statement-breakpoint
ALTER TABLE "staff_users" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "receipts" ADD COLUMN "paid_attempt_id" uuid;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_paid_attempt_id_payment_attempts_id_fk" FOREIGN KEY ("paid_attempt_id") REFERENCES "public"."payment_attempts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "students_document_idx" ON "students" USING btree ("document_type","document_number");--> statement-breakpoint
-- Receipts paid before the column existed: the payment their timeline says paid them, else the
-- first successful payment that nothing flagged (a wrong amount, a second payment, test money).
UPDATE "receipts" r SET "paid_attempt_id" = coalesce(
  (SELECT e."attempt_id" FROM "audit_events" e
   WHERE e."receipt_id" = r."id" AND e."action" = 'receipt.paid' AND e."attempt_id" IS NOT NULL
   ORDER BY e."id" DESC LIMIT 1),
  (SELECT a."id" FROM "payment_attempts" a
   WHERE a."receipt_id" = r."id" AND a."status" = 'succeeded' AND a."amount" = r."amount"
     AND NOT EXISTS (SELECT 1 FROM "attention_items" i WHERE i."attempt_id" = a."id"
                     AND i."kind" IN ('amount_mismatch', 'double_payment', 'payment_on_cancelled', 'late_payment'))
   ORDER BY a."finalized_at" NULLS LAST, a."created_at" LIMIT 1)
) WHERE r."paid_at" IS NOT NULL;
