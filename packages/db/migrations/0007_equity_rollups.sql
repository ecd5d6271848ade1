-- The rollups are a cache the insights service rebuilds from the cases: empty them (and the
-- refresh cursor, so the next refresh rebuilds every day) rather than convert arrays to tallies.
DELETE FROM "insight_rollups_daily";--> statement-breakpoint
DELETE FROM "insight_rollup_state";--> statement-breakpoint
CREATE TABLE "insight_equity_daily" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"channel" text,
	"dimension" text NOT NULL,
	"answer" text,
	"cases" integer DEFAULT 0 NOT NULL,
	"first_response_counts" "bytea" NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"sla_due" integer DEFAULT 0 NOT NULL,
	"sla_met" integer DEFAULT 0 NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "insight_rollups_daily_tenant_day_idx";--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" ALTER COLUMN "channel" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" DROP COLUMN "contact_wait_seconds";--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" ADD COLUMN "contact_wait_seconds" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_rollup_state" ADD COLUMN "equity_dimensions" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" ADD COLUMN "cut" text NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" ADD COLUMN "first_response_counts" "bytea" NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" ADD COLUMN "resolution_counts" "bytea" NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" ADD COLUMN "contact_wait_counts" "bytea" NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_equity_daily" ADD CONSTRAINT "insight_equity_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "insight_equity_daily_tenant_day_idx" ON "insight_equity_daily" USING btree ("tenant_id","day");--> statement-breakpoint
CREATE INDEX "insight_rollups_daily_tenant_cut_day_idx" ON "insight_rollups_daily" USING btree ("tenant_id","cut","day");--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" DROP COLUMN "first_response_minutes";--> statement-breakpoint
ALTER TABLE "insight_rollups_daily" DROP COLUMN "resolution_minutes";--> statement-breakpoint
-- Row-level security for the new tables (see 0004_row_level_security).
SELECT samtal_isolate_tenant_tables();
