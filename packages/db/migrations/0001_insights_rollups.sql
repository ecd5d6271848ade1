CREATE TABLE "insight_rollup_state" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"refreshed_through" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "insight_rollups_daily" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"category_id" uuid,
	"department_id" uuid,
	"channel" text NOT NULL,
	"cases" integer DEFAULT 0 NOT NULL,
	"first_response_minutes" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"resolution_minutes" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"first_response_sla_due" integer DEFAULT 0 NOT NULL,
	"first_response_sla_met" integer DEFAULT 0 NOT NULL,
	"resolution_sla_due" integer DEFAULT 0 NOT NULL,
	"resolution_sla_met" integer DEFAULT 0 NOT NULL,
	"first_contact_resolutions" integer DEFAULT 0 NOT NULL,
	"direct_answers" integer DEFAULT 0 NOT NULL,
	"kkik_due" integer DEFAULT 0 NOT NULL,
	"kkik_met" integer DEFAULT 0 NOT NULL,
	"concluded" integer DEFAULT 0 NOT NULL,
	"concluded_without_rehandling" integer DEFAULT 0 NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"satisfied_ratings" integer DEFAULT 0 NOT NULL,
	"routed" integer DEFAULT 0 NOT NULL,
	"returned" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"contacts_offered" integer DEFAULT 0 NOT NULL,
	"contacts_answered" integer DEFAULT 0 NOT NULL,
	"contacts_abandoned" integer DEFAULT 0 NOT NULL,
	"contact_wait_seconds" double precision[] DEFAULT '{}'::double precision[] NOT NULL,
	"contacts_handled" integer DEFAULT 0 NOT NULL,
	"contact_handle_seconds" double precision DEFAULT 0 NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "insight_rollup_state" ADD CONSTRAINT "insight_rollup_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" ADD CONSTRAINT "insight_rollups_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "insight_rollups_daily_tenant_day_idx" ON "insight_rollups_daily" USING btree ("tenant_id","day");