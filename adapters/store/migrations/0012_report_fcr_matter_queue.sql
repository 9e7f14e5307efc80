-- The queue each folded contact is about, for first-contact resolution by line of business
-- (`settings.reports.fcrSameMatter = 'same-queue'`, docs/metrics.md, "First-contact resolution"): the first
-- queue the contact entered (domain/reporting matterQueueOf); null when it never reached one. The projector
-- keeps it with every contact it folds, whatever the tenant's setting, so a tenant switching to same-queue is
-- judged by it from the next contact on.
ALTER TABLE report_contacts ADD COLUMN matter_queue_id text;

-- Contacts folded before: their first queue from the events kept with them. As in the fold, the first event
-- (time, then recording order) that puts the contact in a queue opens its first stay: ContactQueued,
-- ContactAnswered, EscalationApplied and ContactFinished name that queue, ContactMoved the one it left.
-- Only contacts of known customers: first-contact resolution reads no others.
UPDATE report_contacts c
   SET matter_queue_id = (
     SELECT CASE e ->> 'type' WHEN 'ContactMoved' THEN e ->> 'fromQueueId' ELSE e ->> 'queueId' END
       FROM jsonb_array_elements(c.events) AS e
      WHERE e ->> 'type' IN ('ContactQueued', 'ContactAnswered', 'ContactMoved', 'EscalationApplied', 'ContactFinished')
      ORDER BY (e ->> 'atMs')::float8, (e ->> 'seq')::float8
      LIMIT 1)
 WHERE c.customer_id IS NOT NULL;
