-- SIP: agents' digest credentials, their phones' registrations, trunks and DIDs (docs/sip.md,
-- "Registrar, trunks and numbers").
--
-- Credentials: the SIP username is the user's extension and the realm is "<tenant slug>.<SIP domain>".
-- Only the digest HA1 values are kept, H(username:realm:password) with MD5 and with SHA-256
-- (RFC 7616 §3.4.2, RFC 8760): the password itself is never stored. HA1 binds the username and the
-- realm, so a credential whose username is no longer the user's extension, or whose realm is no longer
-- the installation's, opens nothing: set the SIP password again.
--
-- Bindings (RFC 3261 §10): one row per contact a user's phone registered, with where the REGISTER came
-- from (so calls can reach phones behind NAT), its Call-ID and CSeq (§10.3 step 7) and when it expires.
-- They survive a restart; expired rows are ignored and swept. Like browser sessions they are not
-- audited: phones refresh them every few minutes.
--
-- Trunks: inbound calls accepted by source address (CIDR) and/or digest credentials (HA1 only, like
-- users); outbound calls sent to a host with a username and secret, stored as given because we must
-- answer the carrier's challenges with it, and never returned by the API.
--
-- DIDs: an E.164 number mapped to a tenant and the flow that answers it. A number is unique across the
-- installation: the SIP service finds the tenant from the number called.

CREATE TABLE sip_credentials (
  tenant_id uuid NOT NULL,
  user_id uuid PRIMARY KEY,
  -- The extension and realm the HA1 values were computed over.
  username text NOT NULL CHECK (username ~ '^[0-9]{2,8}$'),
  realm text NOT NULL CHECK (length(realm) BETWEEN 1 AND 255),
  ha1_md5 text NOT NULL CHECK (ha1_md5 ~ '^[0-9a-f]{32}$'),
  ha1_sha256 text NOT NULL CHECK (ha1_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sip_credentials_username ON sip_credentials (tenant_id, username);
CREATE TRIGGER sip_credentials_touch BEFORE UPDATE ON sip_credentials
  FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE sip_bindings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  contact_uri text NOT NULL CHECK (length(contact_uri) BETWEEN 1 AND 2048),
  transport text NOT NULL CHECK (transport IN ('udp', 'tcp', 'tls', 'ws', 'wss')),
  source_address text NOT NULL CHECK (length(source_address) BETWEEN 1 AND 64),
  source_port integer NOT NULL CHECK (source_port BETWEEN 0 AND 65535),
  call_id text NOT NULL CHECK (length(call_id) BETWEEN 1 AND 512),
  cseq bigint NOT NULL CHECK (cseq BETWEEN 0 AND 4294967295),
  user_agent text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 512),
  registered_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, contact_uri),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sip_bindings_expiry ON sip_bindings (expires_at);
CREATE TRIGGER sip_bindings_touch BEFORE UPDATE ON sip_bindings
  FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE sip_trunks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  inbound_addresses cidr[] NOT NULL DEFAULT '{}',
  inbound_username text CHECK (length(inbound_username) BETWEEN 1 AND 128),
  inbound_realm text,
  inbound_ha1_md5 text CHECK (inbound_ha1_md5 ~ '^[0-9a-f]{32}$'),
  inbound_ha1_sha256 text CHECK (inbound_ha1_sha256 ~ '^[0-9a-f]{64}$'),
  outbound_host text CHECK (length(outbound_host) BETWEEN 1 AND 255),
  outbound_port integer CHECK (outbound_port BETWEEN 1 AND 65535),
  outbound_transport text CHECK (outbound_transport IN ('udp', 'tcp', 'tls')),
  outbound_username text CHECK (length(outbound_username) BETWEEN 1 AND 128),
  outbound_secret text CHECK (length(outbound_secret) BETWEEN 1 AND 256),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  -- Inbound digest credentials come whole or not at all.
  CHECK ((inbound_username IS NULL) = (inbound_ha1_md5 IS NULL)
    AND (inbound_username IS NULL) = (inbound_ha1_sha256 IS NULL)
    AND (inbound_username IS NULL) = (inbound_realm IS NULL))
);
CREATE UNIQUE INDEX sip_trunks_name_unique ON sip_trunks (tenant_id, lower(name));
CREATE TRIGGER sip_trunks_touch BEFORE UPDATE ON sip_trunks FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

CREATE TABLE dids (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- E.164 (ITU-T E.164: at most 15 digits after the +, no leading zero).
  number text NOT NULL CHECK (number ~ '^\+[1-9][0-9]{1,14}$'),
  flow_key text NOT NULL,
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, flow_key) REFERENCES flows (tenant_id, key) ON UPDATE CASCADE
);
-- Across the installation, not per tenant: the number called names the tenant.
CREATE UNIQUE INDEX dids_number_unique ON dids (number);
CREATE TRIGGER dids_touch BEFORE UPDATE ON dids FOR EACH ROW EXECUTE FUNCTION app_touch_updated_at();

-- Digest HA1 values are password equivalents and the trunk secret is a password: keep them out of the
-- audit log like password hashes.
CREATE OR REPLACE FUNCTION app_audit_redact(row_data jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT row_data - 'password_hash' - 'key_hash' - 'csrf_token' - 'search_text'
    - 'ha1_md5' - 'ha1_sha256' - 'inbound_ha1_md5' - 'inbound_ha1_sha256' - 'outbound_secret' $$;

-- Audited and isolated exactly like the tenant tables of 0001 (bindings isolated, not audited).
CREATE TRIGGER sip_credentials_audit AFTER INSERT OR UPDATE OR DELETE ON sip_credentials
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();
CREATE TRIGGER sip_trunks_audit AFTER INSERT OR UPDATE OR DELETE ON sip_trunks
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();
CREATE TRIGGER dids_audit AFTER INSERT OR UPDATE OR DELETE ON dids
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();

DO $$
DECLARE
  tenant_tables text[] := ARRAY['sip_credentials', 'sip_bindings', 'sip_trunks', 'dids'];
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
