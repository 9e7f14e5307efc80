-- Dispositions: the outcomes agents choose when they wrap up a contact, per tenant, with Spanish and English
-- labels. `is_resolved` says the outcome resolves the customer's matter; inactive ones stay on old contacts but
-- are no longer offered.
CREATE TABLE dispositions (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  label_es text NOT NULL CHECK (length(label_es) BETWEEN 1 AND 80),
  label_en text NOT NULL CHECK (length(label_en) BETWEEN 1 AND 80),
  is_resolved boolean NOT NULL DEFAULT false,
  is_active boolean NOT NULL DEFAULT true,
  sort_order integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, code)
);

ALTER TABLE dispositions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dispositions TO centralita_app
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON dispositions TO centralita_app;

CREATE TRIGGER dispositions_audit AFTER INSERT OR UPDATE OR DELETE ON dispositions
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();

-- Every tenant starts with the same six outcomes (new tenants through the trigger, existing ones here).
CREATE FUNCTION app_seed_dispositions(p_tenant uuid) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public
  AS $$
  INSERT INTO dispositions (tenant_id, code, label_es, label_en, is_resolved, sort_order) VALUES
    (p_tenant, 'resuelto_primer_contacto', 'Resuelto al primer contacto', 'Resolved at first contact', true, 10),
    (p_tenant, 'requiere_seguimiento', 'Requiere seguimiento', 'Needs follow-up', false, 20),
    (p_tenant, 'informacion_enviada', 'Información enviada', 'Information sent', true, 30),
    (p_tenant, 'venta_cerrada', 'Venta cerrada', 'Sale closed', true, 40),
    (p_tenant, 'reclamacion', 'Reclamación', 'Complaint', false, 50),
    (p_tenant, 'otro', 'Otro', 'Other', false, 60)
  ON CONFLICT DO NOTHING
$$;

CREATE FUNCTION app_seed_dispositions_trigger() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
BEGIN
  PERFORM app_seed_dispositions(NEW.id);
  RETURN NEW;
END
$$;
CREATE TRIGGER tenants_seed_dispositions AFTER INSERT ON tenants
  FOR EACH ROW EXECUTE FUNCTION app_seed_dispositions_trigger();

SELECT app_seed_dispositions(id) FROM tenants;
