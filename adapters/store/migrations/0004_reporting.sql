-- Reports (docs/metrics.md, "Reports: how summaries are kept"): summary rows per tenant, 15-minute
-- interval, queue, agent, channel and direction, kept up to date from domain_events by the reporting
-- projector, so a month's report adds up rows and never reads raw events.
--
-- Summary figures are typed columns, not one jsonb document: the projector applies a batch of
-- differences with one INSERT … ON CONFLICT DO UPDATE SET f = f + excluded.f, and reports add them up
-- with sum() in the database, both of which would otherwise have to unpack and rebuild a document per
-- row. The column names are summaryFields (domain/reporting) in snake case; a new figure is a new column.
--
-- To take a record's old contribution out when a late or corrected event arrives, the projector keeps,
-- per contact, ticket and agent window, the events it was folded from and the rows it contributed
-- (`report_contacts`, `report_tickets`, `report_agent_windows`). All of this is derived data: it is not
-- audited, the application role may only read it (tenant by tenant, through row-level security), and
-- it can be rebuilt at any time from domain_events (docs/metrics.md says how).

CREATE TABLE report_summaries (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  interval_start timestamptz NOT NULL,
  -- Ids as the events name them (text: the routing engine may name a placeholder queue); null when the
  -- dimension does not apply (agent time has no queue, channel or direction).
  queue_id text,
  agent_id text,
  channel text,
  direction text,
  contacts bigint NOT NULL DEFAULT 0,
  contacts_connected bigint NOT NULL DEFAULT 0,
  offered bigint NOT NULL DEFAULT 0,
  answered bigint NOT NULL DEFAULT 0,
  answered_within_threshold bigint NOT NULL DEFAULT 0,
  abandoned bigint NOT NULL DEFAULT 0,
  abandoned_within_threshold bigint NOT NULL DEFAULT 0,
  short_abandoned bigint NOT NULL DEFAULT 0,
  moved_out bigint NOT NULL DEFAULT 0,
  overflowed bigint NOT NULL DEFAULT 0,
  callbacks_reached bigint NOT NULL DEFAULT 0,
  callbacks_not_reached bigint NOT NULL DEFAULT 0,
  escalated bigint NOT NULL DEFAULT 0,
  missed_offers bigint NOT NULL DEFAULT 0,
  declined_offers bigint NOT NULL DEFAULT 0,
  waited bigint NOT NULL DEFAULT 0,
  wait_ms bigint NOT NULL DEFAULT 0,
  answered_wait_ms bigint NOT NULL DEFAULT 0,
  abandoned_wait_ms bigint NOT NULL DEFAULT 0,
  -- The one maximum: taking a contribution out cannot lower it, so the projector recomputes it from the
  -- stored contributions of the interval's contacts when the part taken out held it.
  longest_wait_ms bigint NOT NULL DEFAULT 0,
  handled bigint NOT NULL DEFAULT 0,
  talk_ms bigint NOT NULL DEFAULT 0,
  hold_ms bigint NOT NULL DEFAULT 0,
  holds bigint NOT NULL DEFAULT 0,
  wrap_up_ms bigint NOT NULL DEFAULT 0,
  transferred_out bigint NOT NULL DEFAULT 0,
  logged_in_ms bigint NOT NULL DEFAULT 0,
  available_ms bigint NOT NULL DEFAULT 0,
  break_ms bigint NOT NULL DEFAULT 0,
  busy_ms bigint NOT NULL DEFAULT 0,
  available_idle_ms bigint NOT NULL DEFAULT 0,
  fcr_decided bigint NOT NULL DEFAULT 0,
  fcr_resolved bigint NOT NULL DEFAULT 0,
  tickets_created bigint NOT NULL DEFAULT 0,
  tickets_resolved bigint NOT NULL DEFAULT 0,
  ticket_resolve_ms bigint NOT NULL DEFAULT 0,
  csat_responses bigint NOT NULL DEFAULT 0,
  csat_satisfied bigint NOT NULL DEFAULT 0,
  nps_responses bigint NOT NULL DEFAULT 0,
  nps_promoters bigint NOT NULL DEFAULT 0,
  nps_detractors bigint NOT NULL DEFAULT 0,
  quality_scored bigint NOT NULL DEFAULT 0,
  -- Quality scores are percentages that may have decimals.
  quality_pct_sum double precision NOT NULL DEFAULT 0,
  billable_contacts bigint NOT NULL DEFAULT 0,
  billable_ms bigint NOT NULL DEFAULT 0,
  billed_seconds bigint NOT NULL DEFAULT 0,
  revenue_minor bigint NOT NULL DEFAULT 0,
  CHECK (channel IN ('voice', 'chat', 'email', 'sms', 'whatsapp')),
  CHECK (direction IN ('inbound', 'outbound'))
)
-- Rows are updated in place all day long; room on each page keeps those updates HOT (no index changes).
WITH (fillfactor = 80);
-- One row per key; an absent dimension (null) is a value of the key like any other.
CREATE UNIQUE INDEX report_summaries_key ON report_summaries
  (tenant_id, interval_start, queue_id, agent_id, channel, direction) NULLS NOT DISTINCT;
CREATE INDEX report_summaries_agent ON report_summaries (tenant_id, agent_id, interval_start)
  WHERE agent_id IS NOT NULL;
CREATE INDEX report_summaries_queue ON report_summaries (tenant_id, queue_id, interval_start)
  WHERE queue_id IS NOT NULL;

-- The same rows added up over agents, kept in the same transaction: queue and center reports (no agent
-- dimension, no agent or team filter) read a few hundred rows a day here instead of tens of thousands.
CREATE TABLE report_queue_summaries (LIKE report_summaries INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  WITH (fillfactor = 80);
ALTER TABLE report_queue_summaries DROP COLUMN agent_id;
ALTER TABLE report_queue_summaries ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX report_queue_summaries_key ON report_queue_summaries
  (tenant_id, interval_start, queue_id, channel, direction) NULLS NOT DISTINCT;

-- One contact's events (as domain/reporting reads them) and the summary rows it contributed.
CREATE TABLE report_contacts (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  contact_id text NOT NULL,
  arrived_at timestamptz NOT NULL,
  events jsonb NOT NULL,
  contribution jsonb NOT NULL,
  PRIMARY KEY (tenant_id, contact_id)
);
-- Drill-down and the recomputation of a maximum look for the contacts that arrived around an interval.
CREATE INDEX report_contacts_arrived ON report_contacts (tenant_id, arrived_at);

-- One ticket's events and contribution (tickets count in the interval they were created).
CREATE TABLE report_tickets (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  ticket_id text NOT NULL,
  created_at timestamptz,
  events jsonb NOT NULL,
  contribution jsonb NOT NULL,
  PRIMARY KEY (tenant_id, ticket_id)
);

-- An agent's presence and activity events in one window (an hour in which the agent had events). The
-- window's time runs to the start of the agent's next window (or to the projector's clock for the
-- last one), starting from the previous window's end state, so a late event re-folds its window and,
-- when that changes the state at its end, the windows after it.
CREATE TABLE report_agent_windows (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  agent_id text NOT NULL,
  window_start timestamptz NOT NULL,
  -- Where the last fold stopped: the next window's start, or the clock when it was folded.
  folded_until timestamptz NOT NULL,
  events jsonb NOT NULL,
  -- The state the window starts from (the previous window's end); null for an agent's first window.
  start_state jsonb,
  end_state jsonb NOT NULL,
  contribution jsonb NOT NULL,
  PRIMARY KEY (tenant_id, agent_id, window_start)
);
-- The agents still logged in at the end of their last window: their time keeps running.
CREATE INDEX report_agent_windows_open ON report_agent_windows (tenant_id, agent_id)
  WHERE (end_state ->> 'isLoggedIn')::boolean;

-- How far the projector has read domain_events (one projector per installation). It moves in the same
-- transaction as the summaries, so a crash never loses or doubles an event.
CREATE TABLE report_checkpoint (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  last_seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO report_checkpoint (id, last_seq) VALUES (1, 0);

DO $$
DECLARE
  report_tables text[] := ARRAY['report_summaries', 'report_queue_summaries', 'report_contacts', 'report_tickets', 'report_agent_windows'];
  t text;
BEGIN
  FOREACH t IN ARRAY report_tables LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I TO centralita_app USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())',
      t);
    -- Written only by the projector (a system transaction); requests only read.
    EXECUTE format('GRANT SELECT ON %I TO centralita_app', t);
  END LOOP;
END
$$;
REVOKE ALL ON report_checkpoint FROM centralita_app;
