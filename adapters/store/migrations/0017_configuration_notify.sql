-- Every server of the installation keeps each tenant's configuration in memory (0011, 0014) and, before a
-- transfer, asked whether its version had moved: one query per transfer. Now a moved version is also announced
-- on the channel centralita_configuration, with the tenant's id, when its transaction commits. A server that
-- listens drops what it kept for that tenant and needs no query while nothing is announced; one whose listening
-- connection is lost asks again, as before, until it listens again.
CREATE FUNCTION app_announce_configuration() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  PERFORM pg_notify('centralita_configuration', NEW.id::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER tenants_configuration_announced AFTER UPDATE ON tenants
  FOR EACH ROW WHEN (NEW.configuration_version IS DISTINCT FROM OLD.configuration_version)
  EXECUTE FUNCTION app_announce_configuration();
