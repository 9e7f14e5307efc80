-- A server that listens for moved configuration versions (0017) now also keeps in memory where dialled numbers
-- lead, so a new call from a trunk needs no query to find its tenant and flow. A DID written (added, changed or
-- removed) moves its tenant's version like a flow or a trunk does (0011, 0014), and so is announced; a server
-- forgets every number it kept on any announcement, as a number may move from one tenant to another.
CREATE TRIGGER dids_configuration_version AFTER INSERT OR UPDATE OR DELETE ON dids
  FOR EACH ROW EXECUTE FUNCTION app_bump_configuration_version();
