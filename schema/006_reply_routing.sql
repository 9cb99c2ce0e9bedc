-- Reply routing: where each item's channel says it came from (the fax
-- header's sender, a fax-to-email relay and the number it names, the
-- number only the document's text gives), the referral's review flag
-- from the understanding, and replies held for a person's approval.

ALTER TABLE item_origin ADD COLUMN header_fax text;   -- 10 digits: the sending machine's header line
ALTER TABLE item_origin ADD COLUMN form_fax text;     -- 10 digits: only the document's text supplies it
ALTER TABLE item_origin ADD COLUMN relay text;        -- the fax-to-email relay's name, or NULL
ALTER TABLE item_origin ADD COLUMN relay_fax text;    -- 10 digits: the sender's number the relay names
ALTER TABLE item_origin ADD COLUMN partner_fax text;  -- the registered fax key that matched (exactly or within 2 digits)

ALTER TABLE referral ADD COLUMN needs_review boolean NOT NULL DEFAULT false;
ALTER TABLE referral ADD COLUMN review_reasons jsonb NOT NULL DEFAULT '[]';

-- 'held': written by the worker, waits for `referralctl outbox approve`.
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
  CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'suppressed', 'held'));
ALTER TABLE outbox ADD COLUMN decided_by text;        -- the Unix user who approved or held it
ALTER TABLE outbox ADD COLUMN decided_at timestamptz;
CREATE INDEX outbox_held_idx ON outbox (id) WHERE state = 'held';
