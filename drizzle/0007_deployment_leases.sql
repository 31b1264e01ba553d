ALTER TABLE "deployments" ADD COLUMN "generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "lease_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "deployments_due" ON "deployments" USING btree ("due_at");