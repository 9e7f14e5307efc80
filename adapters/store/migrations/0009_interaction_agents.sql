-- The agents a contact passed through: when an interaction's agent changes (a transfer, a consultation handed
-- over, a supervisor taking over), the one before is kept in metadata.previousAgentIds, so they can still
-- finish their own after-call work on it.
CREATE FUNCTION app_keep_previous_agent() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF OLD.agent_id IS NOT NULL AND NEW.agent_id IS DISTINCT FROM OLD.agent_id
     AND NOT coalesce(NEW.metadata -> 'previousAgentIds', '[]'::jsonb) ? OLD.agent_id::text THEN
    NEW.metadata := jsonb_set(
      NEW.metadata,
      '{previousAgentIds}',
      coalesce(NEW.metadata -> 'previousAgentIds', '[]'::jsonb) || to_jsonb(OLD.agent_id::text)
    );
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER interactions_previous_agent BEFORE UPDATE OF agent_id ON interactions
  FOR EACH ROW EXECUTE FUNCTION app_keep_previous_agent();
