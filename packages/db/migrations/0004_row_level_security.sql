-- Row-level security: tenant isolation in the database, as defence in depth under the
-- application's own `where tenant_id = …`.
--
-- Work done on behalf of one tenant runs in a transaction that switches to the role
-- `samtal_tenant` and sets `samtal.tenant_id` (see `inTenantTransaction` in packages/db). That role
-- sees and writes only rows of the tenant set, and nothing when no tenant is set. The owner of
-- the tables (the role that runs migrations and the services' connections) is not subject to the
-- policies: it is the "system" identity for work that spans tenants (the outbox sweep, rollups,
-- retention, and looking up a session or API key before the tenant is known).

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'samtal_tenant') THEN
    CREATE ROLE samtal_tenant NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
  END IF;
END
$$;
--> statement-breakpoint
-- The connecting role may switch to samtal_tenant (a no-op for a superuser, needed otherwise).
GRANT samtal_tenant TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO samtal_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO samtal_tenant;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO samtal_tenant;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO samtal_tenant;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO samtal_tenant;
--> statement-breakpoint
-- NULL when no tenant is set, so `tenant_id = samtal_current_tenant()` matches no row.
CREATE OR REPLACE FUNCTION samtal_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('samtal.tenant_id', true), '')::uuid $$;
--> statement-breakpoint
-- Gives every table with a tenant_id column that has no policy yet its tenant_isolation policy.
-- Later migrations that add tables call it again; a test fails if a tenant-owned table lacks one.
CREATE OR REPLACE FUNCTION samtal_isolate_tenant_tables() RETURNS void
  LANGUAGE plpgsql
  AS $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT c.relname
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation')
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.relname);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = samtal_current_tenant()) '
      'WITH CHECK (tenant_id = samtal_current_tenant())',
      t.relname
    );
  END LOOP;
END
$$;
--> statement-breakpoint
SELECT samtal_isolate_tenant_tables();
--> statement-breakpoint
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A tenant sees its own settings row and cannot create or touch another.
CREATE POLICY tenant_isolation ON tenants
  USING (id = samtal_current_tenant())
  WITH CHECK (id = samtal_current_tenant());
