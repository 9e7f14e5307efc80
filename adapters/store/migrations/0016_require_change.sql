-- A write transaction sent in one round trip (Database.writeInTenant) cannot look at a statement's row count
-- before its COMMIT, so a statement that must change a row checks it itself: it is wrapped as
--   WITH changed AS (<statement> RETURNING 1) SELECT app_require_change(count(*), '<what is missing>') FROM changed
-- and the whole transaction fails (SQLSTATE P0002, no_data_found; the store reports STORE_NOT_FOUND) when the
-- statement changed nothing.
CREATE FUNCTION app_require_change(changed bigint, missing text) RETURNS bigint
  LANGUAGE plpgsql AS $$
BEGIN
  IF changed = 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = missing;
  END IF;
  RETURN changed;
END
$$;
