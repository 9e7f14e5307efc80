-- First-contact resolution in the summaries (docs/metrics.md, "First-contact resolution"): each folded contact
-- keeps its customer, whether it came in, and its FCR status: pending until its window has passed, repeated
-- when the customer came back within it, resolved otherwise; null when the contact is not eligible. Contacts
-- folded before this migration are not judged until the summaries are rebuilt (docs/metrics.md, "Rebuild").
ALTER TABLE report_contacts
  ADD COLUMN customer_id text,
  ADD COLUMN is_inbound boolean NOT NULL DEFAULT false,
  ADD COLUMN fcr text CHECK (fcr IN ('pending', 'resolved', 'repeated'));

CREATE INDEX report_contacts_customer ON report_contacts (tenant_id, customer_id, arrived_at)
  WHERE customer_id IS NOT NULL;
CREATE INDEX report_contacts_fcr_pending ON report_contacts (arrived_at) WHERE fcr = 'pending';
