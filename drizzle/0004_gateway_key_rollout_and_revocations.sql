CREATE TABLE "subscription_revocations" (
	"tenant_id" uuid NOT NULL,
	"api_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"revoked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscription_revocations_api_id_application_id_pk" PRIMARY KEY("api_id","application_id")
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "signing_key_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "activated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscription_revocations" ADD CONSTRAINT "subscription_revocations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_revocations" ADD CONSTRAINT "subscription_revocations_api_id_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "subscription_revocations_revoked_at" ON "subscription_revocations" USING btree ("revoked_at");--> statement-breakpoint
-- Keys made before this migration were signing already.
UPDATE "signing_keys" SET "activated_at" = "created_at";