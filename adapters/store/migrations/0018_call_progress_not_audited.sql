-- The call layer writes each call's interaction as the call moves (created when answered, then queued,
-- connected, ended, its recording kept): three or four row versions a call, each of which the audit trigger
-- copied whole, before and after, into audit_log. The same moves are the call's domain events (CallReceived,
-- CallAnswered, CallEnded...), with their times, so the copies told nobody anything new, cost the database a
-- third of its work per call, and buried the changes people make among thousands of automatic ones.
-- Now the call layer's own inserts and updates of interactions (actor system/calls) are not audited; everyone
-- else's are (agents' and managers' edits, API keys, other system jobs such as recording retention), and every
-- delete is, whoever deletes. The condition is the trigger's WHEN, so a skipped row costs no trigger call.
DROP TRIGGER interactions_audit ON interactions;
CREATE TRIGGER interactions_audit AFTER INSERT OR UPDATE ON interactions
  FOR EACH ROW
  WHEN (current_setting('app.actor_type', true) IS DISTINCT FROM 'system'
        OR current_setting('app.actor_id', true) IS DISTINCT FROM 'calls')
  EXECUTE FUNCTION app_audit_row();
CREATE TRIGGER interactions_audit_delete AFTER DELETE ON interactions
  FOR EACH ROW EXECUTE FUNCTION app_audit_row();
