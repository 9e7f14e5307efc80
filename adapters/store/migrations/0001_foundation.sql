-- Centralita foundation schema: tenants, users and roles, customers and their channel identities,
-- interactions, tickets, follow-ups, the audit log and the durable event log.
--
-- Tenant isolation: every tenant-owned table has a tenant_id column and a row-level security policy
-- that compares it with the transaction's `app.tenant_id` setting. The application runs every tenant
-- request as the NOLOGIN role centralita_app (SET LOCAL ROLE), which is neither superuser nor BYPASSRLS,
-- so a query that forgets a WHERE clause still sees only its own tenant's rows.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'centralita_app') THEN
    CREATE ROLE centralita_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  -- The connecting user must be able to switch to the application role.
  IF NOT pg_has_role(current_user, 'centralita_app', 'MEMBER') THEN
    EXECUTE format('GRANT centralita_app TO %I', current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO centralita_app;

-- The tenant of the current transaction, or NULL when none is set (then no tenant row is visible).
CREATE FUNCTION app_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- unaccent() is only STABLE; search columns need an IMMUTABLE wrapper with a fixed dictionary.
CREATE FUNCTION app_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

CREATE FUNCTION app_touch_updated_at() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

------------------------------------------------------------------------------------------------------
-- Tenants
------------------------------------------------------------------------------------------------------
CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  default_country text NOT NULL DEFAULT 'ES' CHECK (default_country ~ '^[A-Z]{2}$'),
  default_language text NOT NULL DEFAULT 'es' CHECK (default_language IN ('es', 'en')),
  time_zone text NOT NULL DEFAULT 'Europe/Madrid',
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER tenants_touch BEFORE UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

-- Per-tenant counters for human-facing numbers (ticket 1042 is read out by the IVR).
CREATE TABLE tenant_counters (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  value bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, name)
);

------------------------------------------------------------------------------------------------------
-- People: teams, users, skills
------------------------------------------------------------------------------------------------------
CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX teams_name_unique ON teams (tenant_id, lower(name));
CREATE TRIGGER teams_touch BEFORE UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  role text NOT NULL CHECK (role IN ('admin', 'manager', 'team_lead', 'agent', 'trainer', 'analyst')),
  team_id uuid,
  language text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
  languages text[] NOT NULL DEFAULT ARRAY['es'],
  extension text CHECK (extension ~ '^[0-9]{2,8}$'),
  password_hash text,
  is_disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id)
);
CREATE UNIQUE INDEX users_email_unique ON users (tenant_id, lower(email));
CREATE UNIQUE INDEX users_extension_unique ON users (tenant_id, extension) WHERE extension IS NOT NULL;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE skills (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX skills_name_unique ON skills (tenant_id, lower(name));

CREATE TABLE user_skills (
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  skill_id uuid NOT NULL,
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 10),
  PRIMARY KEY (user_id, skill_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id) ON DELETE CASCADE
);

-- Browser sessions. Only a SHA-256 of the token is stored: a stolen backup opens no session.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ip text,
  user_agent text,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  role text NOT NULL CHECK (role IN ('admin', 'manager', 'team_lead', 'agent', 'trainer', 'analyst')),
  prefix text NOT NULL UNIQUE,
  key_hash text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  UNIQUE (tenant_id, id)
);

-- Failed logins per tenant and e-mail address and per source address, for back-off and lockout.
-- Not tenant data: only the system connection reads and writes it.
CREATE TABLE login_failures (
  subject text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz
);

------------------------------------------------------------------------------------------------------
-- Queues (the ACD owns their live state; this is their configuration)
------------------------------------------------------------------------------------------------------
CREATE TABLE queues (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '',
  language text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
  service_level_threshold_s integer NOT NULL DEFAULT 20 CHECK (service_level_threshold_s > 0),
  service_level_target_pct numeric(5, 2) NOT NULL DEFAULT 80 CHECK (service_level_target_pct BETWEEN 0 AND 100),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX queues_name_unique ON queues (tenant_id, lower(name));
CREATE TRIGGER queues_touch BEFORE UPDATE ON queues FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE queue_skills (
  tenant_id uuid NOT NULL,
  queue_id uuid NOT NULL,
  skill_id uuid NOT NULL,
  min_level smallint NOT NULL DEFAULT 1 CHECK (min_level BETWEEN 1 AND 10),
  PRIMARY KEY (queue_id, skill_id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id) ON DELETE CASCADE
);

------------------------------------------------------------------------------------------------------
-- Customers and channel identities
------------------------------------------------------------------------------------------------------
CREATE TABLE customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  first_name text NOT NULL DEFAULT '' CHECK (length(first_name) <= 120),
  last_name text NOT NULL DEFAULT '' CHECK (length(last_name) <= 120),
  company text NOT NULL DEFAULT '' CHECK (length(company) <= 200),
  language text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
  tags text[] NOT NULL DEFAULT '{}',
  custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(custom_fields) = 'object'),
  is_verified boolean NOT NULL DEFAULT true,
  is_vip boolean NOT NULL DEFAULT false,
  notes text NOT NULL DEFAULT '',
  search_text text GENERATED ALWAYS AS (app_fold(first_name || ' ' || last_name || ' ' || company)) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE INDEX customers_search ON customers USING gin (search_text gin_trgm_ops);
CREATE INDEX customers_tenant_created ON customers (tenant_id, created_at DESC, id);
CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

-- Each phone number, e-mail address, chat or WhatsApp id that identifies a customer. Addresses are
-- stored normalised (E.164 for numbers, lower case for e-mail), so one lookup finds any formatting.
CREATE TABLE customer_identities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('phone', 'email', 'chat', 'whatsapp')),
  address text NOT NULL CHECK (length(address) BETWEEN 1 AND 320),
  label text NOT NULL DEFAULT '' CHECK (length(label) <= 40),
  is_primary boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, kind, address),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);
CREATE INDEX customer_identities_address ON customer_identities (tenant_id, address text_pattern_ops);

------------------------------------------------------------------------------------------------------
-- Interactions: one per customer contact on any channel
------------------------------------------------------------------------------------------------------
CREATE TABLE interactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid,
  channel text NOT NULL CHECK (channel IN ('voice', 'chat', 'email', 'sms', 'whatsapp')),
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
  status text NOT NULL DEFAULT 'completed'
    CHECK (status IN ('queued', 'in_progress', 'wrap_up', 'completed', 'abandoned', 'missed')),
  queue_id uuid,
  agent_id uuid,
  remote_address text NOT NULL DEFAULT '',
  subject text NOT NULL DEFAULT '' CHECK (length(subject) <= 500),
  started_at timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz,
  ended_at timestamptz,
  wrap_up_ended_at timestamptz,
  disposition text,
  wrap_up_notes text NOT NULL DEFAULT '',
  recording_ref text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  CHECK (answered_at IS NULL OR answered_at >= started_at),
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE SET NULL (customer_id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE SET NULL (queue_id),
  FOREIGN KEY (tenant_id, agent_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (agent_id)
);
CREATE INDEX interactions_customer ON interactions (tenant_id, customer_id, started_at DESC);
CREATE INDEX interactions_started ON interactions (tenant_id, started_at DESC);
CREATE INDEX interactions_agent ON interactions (tenant_id, agent_id, started_at DESC);
CREATE TRIGGER interactions_touch BEFORE UPDATE ON interactions FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

------------------------------------------------------------------------------------------------------
-- Tickets
------------------------------------------------------------------------------------------------------
-- Statuses per tenant: the four built-in ones are inserted for every tenant, custom ones map to one of
-- them (their category), so rules and reports can reason about any status.
CREATE TABLE ticket_statuses (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  category text NOT NULL CHECK (category IN ('open', 'resolved', 'closed', 'needs_follow_up')),
  label_es text NOT NULL,
  label_en text NOT NULL,
  is_builtin boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, code)
);

CREATE FUNCTION app_seed_ticket_statuses() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
BEGIN
  INSERT INTO ticket_statuses (tenant_id, code, category, label_es, label_en, is_builtin) VALUES
    (NEW.id, 'open', 'open', 'Abierto', 'Open', true),
    (NEW.id, 'resolved', 'resolved', 'Resuelto', 'Resolved', true),
    (NEW.id, 'closed', 'closed', 'Cerrado', 'Closed', true),
    (NEW.id, 'needs_follow_up', 'needs_follow_up', 'Requiere seguimiento', 'Needs follow-up', true);
  RETURN NEW;
END
$$;
CREATE TRIGGER tenants_seed_ticket_statuses AFTER INSERT ON tenants
  FOR EACH ROW EXECUTE FUNCTION app_seed_ticket_statuses();

CREATE TABLE tickets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  number bigint NOT NULL,
  customer_id uuid NOT NULL,
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
  description text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'open',
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  assignee_id uuid,
  queue_id uuid,
  due_at timestamptz,
  created_by uuid,
  resolved_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, number),
  FOREIGN KEY (tenant_id, status) REFERENCES ticket_statuses (tenant_id, code),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (assignee_id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE SET NULL (queue_id)
);
CREATE INDEX tickets_status ON tickets (tenant_id, status, updated_at DESC);
CREATE INDEX tickets_assignee ON tickets (tenant_id, assignee_id, updated_at DESC);
CREATE INDEX tickets_customer ON tickets (tenant_id, customer_id, updated_at DESC);
CREATE TRIGGER tickets_touch BEFORE UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE ticket_interactions (
  tenant_id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  interaction_id uuid NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, interaction_id),
  FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE ticket_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  author_id uuid,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  is_internal boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (author_id)
);
CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket_id, created_at);

CREATE TABLE follow_up_tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  assignee_id uuid,
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
  completed_at timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (assignee_id)
);
CREATE INDEX follow_up_tasks_assignee ON follow_up_tasks (tenant_id, assignee_id, status, due_at);
CREATE TRIGGER follow_up_tasks_touch BEFORE UPDATE ON follow_up_tasks
  FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

------------------------------------------------------------------------------------------------------
-- Durable event log (the WebSocket stream and, later, reports read it)
------------------------------------------------------------------------------------------------------
CREATE TABLE domain_events (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type text NOT NULL,
  occurred_at timestamptz NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX domain_events_tenant ON domain_events (tenant_id, seq);

------------------------------------------------------------------------------------------------------
-- Audit log: append-only, written by triggers, so no write path can forget it
------------------------------------------------------------------------------------------------------
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  tenant_id uuid,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
  actor_id text,
  action text NOT NULL,
  table_name text NOT NULL,
  row_id text,
  before jsonb,
  after jsonb,
  request_id text,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id DESC);
CREATE INDEX audit_log_row ON audit_log (table_name, row_id);

-- Columns that never go into the audit log.
CREATE FUNCTION app_audit_redact(row_data jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT row_data - 'password_hash' - 'key_hash' - 'csrf_token' - 'search_text' $$;

CREATE FUNCTION app_audit_row() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
DECLARE
  before_data jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN app_audit_redact(to_jsonb(OLD)) END;
  after_data jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN app_audit_redact(to_jsonb(NEW)) END;
  row_data jsonb := coalesce(after_data, before_data);
BEGIN
  IF TG_OP = 'UPDATE' AND before_data - 'updated_at' = after_data - 'updated_at' THEN
    RETURN NULL; -- nothing but the timestamp changed
  END IF;
  INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, table_name, row_id, before, after, request_id)
  VALUES (
    coalesce((row_data ->> 'tenant_id')::uuid, CASE WHEN TG_TABLE_NAME = 'tenants' THEN (row_data ->> 'id')::uuid END),
    coalesce(nullif(current_setting('app.actor_type', true), ''), 'system'),
    nullif(current_setting('app.actor_id', true), ''),
    TG_OP,
    TG_TABLE_NAME,
    coalesce(row_data ->> 'id', row_data ->> 'code', row_data ->> 'user_id', row_data ->> 'ticket_id'),
    before_data,
    after_data,
    nullif(current_setting('app.request_id', true), '')
  );
  RETURN NULL;
END
$$;

-- Login, logout and other facts that are not row changes.
CREATE FUNCTION app_audit_fact(fact text, subject_table text, subject_id text, details jsonb) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public
  AS $$
  INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, table_name, row_id, after, request_id)
  VALUES (
    app_current_tenant(),
    coalesce(nullif(current_setting('app.actor_type', true), ''), 'system'),
    nullif(current_setting('app.actor_id', true), ''),
    fact, subject_table, subject_id, details,
    nullif(current_setting('app.request_id', true), '')
  )
$$;

CREATE FUNCTION app_audit_is_append_only() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION app_audit_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION app_audit_is_append_only();

DO $$
DECLARE
  audited text[] := ARRAY['tenants', 'teams', 'users', 'skills', 'user_skills', 'api_keys', 'queues', 'queue_skills',
    'customers', 'customer_identities', 'interactions', 'ticket_statuses', 'tickets', 'ticket_interactions',
    'ticket_notes', 'follow_up_tasks'];
  t text;
BEGIN
  FOREACH t IN ARRAY audited LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION app_audit_row()',
      t || '_audit', t);
  END LOOP;
END
$$;

------------------------------------------------------------------------------------------------------
-- Row-level security and the application role's privileges
------------------------------------------------------------------------------------------------------
DO $$
DECLARE
  tenant_tables text[] := ARRAY['tenant_counters', 'teams', 'users', 'skills', 'user_skills', 'sessions', 'api_keys',
    'queues', 'queue_skills', 'customers', 'customer_identities', 'interactions', 'ticket_statuses', 'tickets',
    'ticket_interactions', 'ticket_notes', 'follow_up_tasks', 'domain_events', 'audit_log'];
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

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants TO centralita_app USING (id = app_current_tenant());
GRANT SELECT, UPDATE ON tenants TO centralita_app;

-- The audit log is read by the application, written only by the SECURITY DEFINER triggers above.
REVOKE INSERT, UPDATE, DELETE ON audit_log FROM centralita_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO centralita_app;
REVOKE ALL ON login_failures FROM centralita_app;
REVOKE ALL ON schema_migrations FROM centralita_app;
