CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"tenant_domain" text NOT NULL,
	"actor_user_id" uuid,
	"actor_username" text NOT NULL,
	"channel" text NOT NULL,
	"token_id" uuid,
	"token_name" text,
	"client_address" text,
	"action" text NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	CONSTRAINT "audit_events_outcome" CHECK ("audit_events"."outcome" in ('ok', 'refused'))
);
--> statement-breakpoint
CREATE INDEX "audit_events_tenant_at" ON "audit_events" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_at" ON "audit_events" USING btree ("at");
--> statement-breakpoint
-- Audit records are append-only. The one deletion allowed is the retention purge
-- (lib/audit/audit-retention.ts): it sets privatejet.audit_purge_before for its own transaction
-- only, and may remove nothing younger than that cutoff.
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cutoff text := current_setting('privatejet.audit_purge_before', true);
BEGIN
  IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> '' THEN
    IF OLD."at" < cutoff::timestamptz THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit records cannot be changed or deleted (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_no_update_or_delete" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();--> statement-breakpoint
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();
