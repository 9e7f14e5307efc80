-- RFC 5626 (SIP Outbound): a phone that registers with `Supported: outbound` names itself (+sip.instance)
-- and each of its registration flows (reg-id); the binding is tied to the flow the REGISTER came on and is
-- replaced by the next REGISTER of the same instance and reg-id, whatever its Contact URI. Two flows of one
-- phone often carry the same Contact URI, so that URI is unique per user only among plain bindings (those
-- without a flow, all of them before this migration, which keep working unchanged).
ALTER TABLE sip_bindings
  ADD COLUMN instance_id text CHECK (length(instance_id) BETWEEN 1 AND 256),
  ADD COLUMN reg_id integer CHECK (reg_id BETWEEN 1 AND 2147483647),
  ADD CONSTRAINT sip_bindings_flow_whole CHECK ((instance_id IS NULL) = (reg_id IS NULL));

ALTER TABLE sip_bindings DROP CONSTRAINT sip_bindings_user_id_contact_uri_key;
CREATE UNIQUE INDEX sip_bindings_plain_contact ON sip_bindings (user_id, contact_uri) WHERE reg_id IS NULL;
CREATE UNIQUE INDEX sip_bindings_flow ON sip_bindings (user_id, instance_id, reg_id) WHERE reg_id IS NOT NULL;
