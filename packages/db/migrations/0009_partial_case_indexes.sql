DROP INDEX "cases_tenant_lead_department_idx";--> statement-breakpoint
DROP INDEX "cases_tenant_parent_idx";--> statement-breakpoint
DROP INDEX "cases_tenant_contact_email_idx";--> statement-breakpoint
DROP INDEX "cases_tenant_contact_phone_idx";--> statement-breakpoint
CREATE INDEX "cases_tenant_lead_department_idx" ON "cases" USING btree ("tenant_id","lead_department_id","status") WHERE "cases"."lead_department_id" is not null;--> statement-breakpoint
CREATE INDEX "cases_tenant_parent_idx" ON "cases" USING btree ("tenant_id","parent_case_id") WHERE "cases"."parent_case_id" is not null;--> statement-breakpoint
CREATE INDEX "cases_tenant_contact_email_idx" ON "cases" USING btree ("tenant_id",lower("contact_email")) WHERE "cases"."contact_email" is not null;--> statement-breakpoint
CREATE INDEX "cases_tenant_contact_phone_idx" ON "cases" USING btree ("tenant_id",regexp_replace("contact_phone", '[^0-9+]', '', 'g')) WHERE "cases"."contact_phone" is not null;