-- A call reads the tenant's trunks as it arrives (is the sender one of them?) and when it dials out (which
-- trunk, with what credentials), so trunks join what the configuration version (0011) covers: writing a
-- trunk moves its tenant's number, and the call layer keeps the trunks in memory with the rest.
CREATE TRIGGER sip_trunks_configuration_version AFTER INSERT OR UPDATE OR DELETE ON sip_trunks
  FOR EACH ROW EXECUTE FUNCTION app_bump_configuration_version();
