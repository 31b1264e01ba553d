CREATE TABLE "application_traffic_hours" (
	"tenant_id" uuid NOT NULL,
	"api_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"throttled" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "application_traffic_hours_application_id_api_id_bucket_pk" PRIMARY KEY("application_id","api_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "application_traffic_minutes" (
	"tenant_id" uuid NOT NULL,
	"api_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"throttled" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "application_traffic_minutes_application_id_api_id_bucket_pk" PRIMARY KEY("application_id","api_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "gateway_scrapes" (
	"tenant_id" uuid NOT NULL,
	"api_id" uuid NOT NULL,
	"cluster_name" text NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"counters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"replicas" integer DEFAULT 0 NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"last_failure" text,
	"last_duration_ms" integer,
	"last_bytes" integer,
	CONSTRAINT "gateway_scrapes_api_id_cluster_name_pk" PRIMARY KEY("api_id","cluster_name")
);
--> statement-breakpoint
CREATE TABLE "traffic_hours" (
	"tenant_id" uuid NOT NULL,
	"api_id" uuid NOT NULL,
	"cluster_name" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"status_2xx" integer DEFAULT 0 NOT NULL,
	"status_3xx" integer DEFAULT 0 NOT NULL,
	"status_4xx" integer DEFAULT 0 NOT NULL,
	"status_5xx" integer DEFAULT 0 NOT NULL,
	"status_401" integer DEFAULT 0 NOT NULL,
	"status_403" integer DEFAULT 0 NOT NULL,
	"throttled" integer DEFAULT 0 NOT NULL,
	"latency_buckets" integer[] NOT NULL,
	"latency_sum_ms" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "traffic_hours_api_id_bucket_cluster_name_pk" PRIMARY KEY("api_id","bucket","cluster_name")
);
--> statement-breakpoint
CREATE TABLE "traffic_minutes" (
	"tenant_id" uuid NOT NULL,
	"api_id" uuid NOT NULL,
	"cluster_name" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"status_2xx" integer DEFAULT 0 NOT NULL,
	"status_3xx" integer DEFAULT 0 NOT NULL,
	"status_4xx" integer DEFAULT 0 NOT NULL,
	"status_5xx" integer DEFAULT 0 NOT NULL,
	"status_401" integer DEFAULT 0 NOT NULL,
	"status_403" integer DEFAULT 0 NOT NULL,
	"throttled" integer DEFAULT 0 NOT NULL,
	"latency_buckets" integer[] NOT NULL,
	"latency_sum_ms" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "traffic_minutes_api_id_bucket_cluster_name_pk" PRIMARY KEY("api_id","bucket","cluster_name")
);
--> statement-breakpoint
ALTER TABLE "application_traffic_hours" ADD CONSTRAINT "application_traffic_hours_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_traffic_hours" ADD CONSTRAINT "application_traffic_hours_api_id_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_traffic_minutes" ADD CONSTRAINT "application_traffic_minutes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_traffic_minutes" ADD CONSTRAINT "application_traffic_minutes_api_id_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_scrapes" ADD CONSTRAINT "gateway_scrapes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_scrapes" ADD CONSTRAINT "gateway_scrapes_api_id_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "traffic_hours" ADD CONSTRAINT "traffic_hours_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "traffic_hours" ADD CONSTRAINT "traffic_hours_api_id_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "traffic_minutes" ADD CONSTRAINT "traffic_minutes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "traffic_minutes" ADD CONSTRAINT "traffic_minutes_api_id_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_traffic_hours_bucket" ON "application_traffic_hours" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "application_traffic_minutes_bucket" ON "application_traffic_minutes" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "gateway_scrapes_due" ON "gateway_scrapes" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "traffic_hours_bucket" ON "traffic_hours" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "traffic_minutes_bucket" ON "traffic_minutes" USING btree ("bucket");