-- IVR flows: a tenant's flows and every version of each (docs/ivr.md, "Storing flows").
--
-- A flow has a key (the slug subflow and transfer nodes name it by) and a name. Each version stores
-- the whole flow document as JSON with its number and status: at most one draft (the version being
-- edited) and at most one published version (what new calls run) per flow; the others are archived.
-- Calls keep the document they started with, so publishing never changes a call in progress. A roll
-- back publishes an older version's document again as a new version: history is never rewritten.
--
-- The tenant's IVR settings (its main flow; the fallback message and queue a caller reaches when a flow
-- faults) live in tenants.settings under the key "ivr" (see adapters/store/src/flows.ts).

-- Who is acting in this transaction, as the audit trigger reads it ('system' when nothing is set).
CREATE FUNCTION app_current_actor_type() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(nullif(current_setting('app.actor_type', true), ''), 'system') $$;

CREATE FUNCTION app_current_actor_id() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.actor_id', true), '') $$;

CREATE TABLE flows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- The same rule as a flow document's id (domain/ivr identifiers.ts): the document's id is this key.
  key text NOT NULL CHECK (key ~ '^[A-Za-z][A-Za-z0-9_-]{0,63}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, key)
);
CREATE TRIGGER flows_touch BEFORE UPDATE ON flows FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE flow_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  flow_id uuid NOT NULL,
  number integer NOT NULL CHECK (number >= 1),
  status text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
  -- The flow document, validated on save; its "id" is the flow's key and its "version" this number.
  document jsonb NOT NULL CHECK (jsonb_typeof(document) = 'object'),
  -- Each queue reference of the document and the queue id it resolved to when it was saved or published.
  queue_bindings jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(queue_bindings) = 'object'),
  -- Set when this version was published by rolling back to an older one.
  rolled_back_from integer,
  saved_by_type text NOT NULL DEFAULT app_current_actor_type()
    CHECK (saved_by_type IN ('user', 'api_key', 'system')),
  saved_by_id text DEFAULT app_current_actor_id(),
  saved_at timestamptz NOT NULL DEFAULT now(),
  published_by_type text CHECK (published_by_type IN ('user', 'api_key', 'system')),
  published_by_id text,
  published_at timestamptz,
  archived_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (flow_id, number),
  FOREIGN KEY (tenant_id, flow_id) REFERENCES flows (tenant_id, id) ON DELETE CASCADE,
  CHECK ((status = 'draft') = (published_at IS NULL)),
  CHECK ((status = 'archived') = (archived_at IS NOT NULL))
);
-- "Exactly one published version at a time" and one draft being edited, whatever the code does.
CREATE UNIQUE INDEX flow_versions_one_published ON flow_versions (flow_id) WHERE status = 'published';
CREATE UNIQUE INDEX flow_versions_one_draft ON flow_versions (flow_id) WHERE status = 'draft';
CREATE INDEX flow_versions_flow ON flow_versions (tenant_id, flow_id, number DESC);
CREATE TRIGGER flow_versions_touch BEFORE UPDATE ON flow_versions
  FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

-- Audited and isolated exactly like the tenant tables of 0001.
CREATE TRIGGER flows_audit AFTER INSERT OR UPDATE OR DELETE ON flows
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();
CREATE TRIGGER flow_versions_audit AFTER INSERT OR UPDATE OR DELETE ON flow_versions
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();

DO $$
DECLARE
  tenant_tables text[] := ARRAY['flows', 'flow_versions'];
  t text;
BEGIN
  FOREACH t IN ARRAY tenant_tables LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I TO centralita_app USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())',
      t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO centralita_app', t);
  END LOOP;
END
$$;
