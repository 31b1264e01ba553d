ALTER TABLE "access_tokens" ADD COLUMN "key_type" text DEFAULT 'PRODUCTION' NOT NULL;--> statement-breakpoint
ALTER TABLE "apis" ADD COLUMN "sandbox_endpoints" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "application_keys" ADD CONSTRAINT "application_keys_key_type" CHECK ("application_keys"."key_type" in ('PRODUCTION', 'SANDBOX'));