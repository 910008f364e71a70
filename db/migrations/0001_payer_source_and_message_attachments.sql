ALTER TYPE "public"."audit_source" ADD VALUE 'payer';--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "delivery_note" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "attachments" jsonb DEFAULT '[]'::jsonb NOT NULL;