-- The summary rows added up per agent and hour, over queues, channels and directions (docs/metrics.md,
-- "Reports: how summaries are kept"). An agent report (a line per agent over days, weeks, a month or
-- the whole period: "handle time per agent this month") reads one row per agent and hour here instead
-- of one per agent, queue, channel, direction and 15 minutes in report_summaries: a 30-day report of a
-- 100-seat center reads some 36,000 rows instead of 800,000. The projector keeps it in the same
-- transaction as the other two tables.
--
-- The hour is the UTC hour (interval_start is its first instant): it is a local hour in every zone
-- whose offset from UTC is a whole number of hours, so local days are made of whole rows; a report in
-- a zone where it is not (India, Newfoundland, Nepal…) reads report_summaries as before.
CREATE TABLE report_agent_hour_summaries (LIKE report_summaries INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  WITH (fillfactor = 80);
ALTER TABLE report_agent_hour_summaries DROP COLUMN queue_id, DROP COLUMN channel, DROP COLUMN direction;
ALTER TABLE report_agent_hour_summaries
  ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX report_agent_hour_summaries_key ON report_agent_hour_summaries
  (tenant_id, interval_start, agent_id) NULLS NOT DISTINCT;

-- Rows the projector already kept, added up: reports read the new table from the start.
INSERT INTO report_agent_hour_summaries (
  tenant_id, interval_start, agent_id, contacts, contacts_connected, offered, answered,
  answered_within_threshold, abandoned, abandoned_within_threshold, short_abandoned, moved_out,
  overflowed, callbacks_reached, callbacks_not_reached, escalated, missed_offers, declined_offers,
  waited, wait_ms, answered_wait_ms, abandoned_wait_ms, handled, talk_ms, hold_ms, holds,
  wrap_up_ms, transferred_out, logged_in_ms, available_ms, break_ms, busy_ms, available_idle_ms,
  fcr_decided, fcr_resolved, tickets_created, tickets_resolved, ticket_resolve_ms, csat_responses,
  csat_satisfied, nps_responses, nps_promoters, nps_detractors, quality_scored, quality_pct_sum,
  billable_contacts, billable_ms, billed_seconds, revenue_minor, longest_wait_ms
)
SELECT tenant_id, to_timestamp(floor(extract(epoch FROM interval_start) / 3600) * 3600), agent_id,
  sum(contacts), sum(contacts_connected), sum(offered), sum(answered),
  sum(answered_within_threshold), sum(abandoned), sum(abandoned_within_threshold),
  sum(short_abandoned), sum(moved_out), sum(overflowed), sum(callbacks_reached),
  sum(callbacks_not_reached), sum(escalated), sum(missed_offers), sum(declined_offers),
  sum(waited), sum(wait_ms), sum(answered_wait_ms), sum(abandoned_wait_ms), sum(handled),
  sum(talk_ms), sum(hold_ms), sum(holds), sum(wrap_up_ms), sum(transferred_out), sum(logged_in_ms),
  sum(available_ms), sum(break_ms), sum(busy_ms), sum(available_idle_ms), sum(fcr_decided),
  sum(fcr_resolved), sum(tickets_created), sum(tickets_resolved), sum(ticket_resolve_ms),
  sum(csat_responses), sum(csat_satisfied), sum(nps_responses), sum(nps_promoters),
  sum(nps_detractors), sum(quality_scored), sum(quality_pct_sum), sum(billable_contacts),
  sum(billable_ms), sum(billed_seconds), sum(revenue_minor), max(longest_wait_ms)
  FROM report_summaries
 GROUP BY 1, 2, 3;

ALTER TABLE report_agent_hour_summaries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON report_agent_hour_summaries TO centralita_app
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
-- Written only by the projector (a system transaction); requests only read.
GRANT SELECT ON report_agent_hour_summaries TO centralita_app;
