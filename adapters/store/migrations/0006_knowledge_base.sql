-- Knowledge-base articles agents search during a contact: Spanish or English, with full-text search in the
-- article's own language (stemming: "facturas" finds "factura").
CREATE TABLE kb_articles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  language text NOT NULL CHECK (language IN ('es', 'en')),
  tags text[] NOT NULL DEFAULT '{}',
  is_published boolean NOT NULL DEFAULT true,
  updated_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Kept by the store on every write: title (weight A), tags (B) and body (C) in the article's language.
  search tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX kb_articles_search ON kb_articles USING gin (search);
CREATE INDEX kb_articles_tenant ON kb_articles (tenant_id, language, updated_at DESC);

ALTER TABLE kb_articles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_articles TO centralita_app
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON kb_articles TO centralita_app;

CREATE TRIGGER kb_articles_audit AFTER INSERT OR UPDATE OR DELETE ON kb_articles
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();
