CREATE INDEX "cases_tenant_updated_idx" ON "cases" USING btree ("tenant_id","updated_at");--> statement-breakpoint
CREATE INDEX "cases_tenant_first_response_due_open_idx" ON "cases" USING btree ("tenant_id","first_response_due_at") WHERE "cases"."first_responded_at" is null;--> statement-breakpoint
CREATE INDEX "cases_tenant_resolution_due_open_idx" ON "cases" USING btree ("tenant_id","resolution_due_at") WHERE "cases"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "contacts_tenant_created_idx" ON "contacts" USING btree ("tenant_id","created_at");