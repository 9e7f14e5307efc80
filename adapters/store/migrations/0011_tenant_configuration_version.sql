-- A number that moves whenever something a new call reads before its flow starts changes: the tenant's
-- settings (the IVR's main flow and fallback live there), its flows and their versions (publishing,
-- rolling back, deleting), and its queues (flows name queues by key). The call layer keeps each tenant's
-- published flows, parsed, in memory with the number they were read at, and reads them again only when
-- the number has moved: one small query per call instead of four and a parse of every flow. Triggers keep
-- it, so every way of writing (the API, a script, another server of the installation) moves it.
ALTER TABLE tenants ADD COLUMN configuration_version bigint NOT NULL DEFAULT 0;

-- Moving the number is not a change of the tenant worth auditing: the audit log never sees the column,
-- so an update that changes only it (and updated_at) writes no audit row. Everything 0003 keeps out of
-- the log stays out.
CREATE OR REPLACE FUNCTION app_audit_redact(row_data jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT row_data - 'password_hash' - 'key_hash' - 'csrf_token' - 'search_text'
    - 'ha1_md5' - 'ha1_sha256' - 'inbound_ha1_md5' - 'inbound_ha1_sha256' - 'outbound_secret'
    - 'configuration_version' $$;

-- A change of the tenant's own row (its settings, its time zone…) moves the number in the same update.
CREATE FUNCTION app_tenant_configuration_changed() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF NEW.configuration_version = OLD.configuration_version
     AND (to_jsonb(NEW) - 'updated_at') IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at') THEN
    NEW.configuration_version := OLD.configuration_version + 1;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER tenants_configuration_version BEFORE UPDATE ON tenants
  FOR EACH ROW EXECUTE FUNCTION app_tenant_configuration_changed();

-- A row of a flow or a queue written moves its tenant's number. SECURITY DEFINER: the application role
-- may not update the tenants table itself.
CREATE FUNCTION app_bump_configuration_version() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
BEGIN
  UPDATE tenants SET configuration_version = configuration_version + 1
   WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
  RETURN NULL;
END
$$;

DO $$
DECLARE
  configuration_tables text[] := ARRAY['flows', 'flow_versions', 'queues'];
  t text;
BEGIN
  FOREACH t IN ARRAY configuration_tables LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION app_bump_configuration_version()',
      t || '_configuration_version', t);
  END LOOP;
END
$$;
