-- Call scripts: what agents say on a queue's calls, in Spanish and English, with placeholders filled in from
-- the customer, the agent, the queue and the tenant (domain/crm call-script.ts). A queue follows at most one
-- script; a script may serve several queues. Retired scripts (is_active false) are no longer shown.
CREATE TABLE call_scripts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  body_es text NOT NULL DEFAULT '' CHECK (length(body_es) <= 20000),
  body_en text NOT NULL DEFAULT '' CHECK (length(body_en) <= 20000),
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  CHECK (body_es <> '' OR body_en <> '')
);
CREATE UNIQUE INDEX call_scripts_name_unique ON call_scripts (tenant_id, lower(name));
CREATE TRIGGER call_scripts_touch BEFORE UPDATE ON call_scripts FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE queue_scripts (
  tenant_id uuid NOT NULL,
  queue_id uuid NOT NULL,
  script_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, queue_id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, script_id) REFERENCES call_scripts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX queue_scripts_script ON queue_scripts (tenant_id, script_id);

ALTER TABLE call_scripts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_scripts TO centralita_app
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON call_scripts TO centralita_app;

ALTER TABLE queue_scripts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON queue_scripts TO centralita_app
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON queue_scripts TO centralita_app;

CREATE TRIGGER call_scripts_audit AFTER INSERT OR UPDATE OR DELETE ON call_scripts
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();
CREATE TRIGGER queue_scripts_audit AFTER INSERT OR UPDATE OR DELETE ON queue_scripts
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();
