-- Closing the loop: the partner directory, where each item came from, the
-- referral's reference token, follow-ups, staff resolutions, the outbox of
-- replies and the dates the funnel report measures.

CREATE TABLE partner (
        id            bigserial   PRIMARY KEY,
        name          text        NOT NULL,
        tier          text,
        reply_channel text        NOT NULL DEFAULT 'auto'
                      CHECK (reply_channel IN ('auto', 'email', 'fax', 'none')),
        reply_email   text,        -- replies go here instead of the sender's address
        reply_fax     text,        -- 10 digits: fax replies go here
        contact       text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT partner_name_key UNIQUE (name)
);

-- What identifies a partner's items.  One key belongs to one partner, so a
-- match is never ambiguous.  Values are normalised: addresses and domains
-- lower-case, fax numbers 10 digits, NPIs 10 digits.
CREATE TABLE partner_key (
        partner_id    bigint      NOT NULL REFERENCES partner (id) ON DELETE CASCADE,
        kind          text        NOT NULL CHECK (kind IN ('email', 'domain', 'fax', 'npi')),
        value         text        NOT NULL,
        PRIMARY KEY (kind, value)
);
CREATE INDEX partner_key_partner_idx ON partner_key (partner_id);

-- Where an item came from, as the worker read it (one row per processed item).
CREATE TABLE item_origin (
        item_id        bigint      PRIMARY KEY REFERENCES item (id),
        channel        text        NOT NULL,         -- fax | email
        from_addr      text,
        reply_to       text,
        subject        text,
        message_id     text,
        in_reply_to    text,
        references_ids text[]      NOT NULL DEFAULT '{}',
        auto_submitted boolean     NOT NULL DEFAULT false,
        fax_number     text,                          -- 10 digits, from the fax header or cover sheet
        partner_id     bigint      REFERENCES partner (id),
        partner_match  text,                          -- email | domain | fax | npi | NULL (unknown)
        role           text        NOT NULL DEFAULT 'referral'
                       CHECK (role IN ('referral', 'followup', 'review', 'none')),
        referral_id    bigint      REFERENCES referral (id)
);
CREATE INDEX item_origin_referral_idx ON item_origin (referral_id);

ALTER TABLE referral ADD COLUMN reference text;
ALTER TABLE referral ADD CONSTRAINT referral_reference_key UNIQUE (reference);
ALTER TABLE referral ADD COLUMN partner_id bigint REFERENCES partner (id);
ALTER TABLE referral ADD COLUMN received_at timestamptz;      -- the first item reached us
ALTER TABLE referral ADD COLUMN complete_on_arrival boolean;
ALTER TABLE referral ADD COLUMN completed_at timestamptz;
ALTER TABLE referral ADD COLUMN scheduled_at timestamptz;     -- when staff scheduled it
ALTER TABLE referral ADD COLUMN appointment_at timestamptz;   -- --at TIME
ALTER TABLE referral ADD COLUMN status_note text;
UPDATE referral r SET received_at = i.received_at, complete_on_arrival = (r.status = 'complete')
  FROM item i WHERE i.id = r.item_id;
CREATE INDEX referral_partner_idx ON referral (partner_id, id);

-- A checklist item staff received out of band (referralctl resolve).
CREATE TABLE referral_resolution (
        referral_id   bigint      NOT NULL REFERENCES referral (id),
        item          text        NOT NULL,
        note          text        NOT NULL,
        at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (referral_id, item)
);

-- An item that may belong to more than one referral: staff decide
-- (referralctl attach ITEM REFERRAL, or reprocess ITEM --new).
CREATE TABLE followup_review (
        item_id       bigint      PRIMARY KEY REFERENCES item (id),
        candidates    bigint[]    NOT NULL,
        reason        text        NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        resolved_at   timestamptz
);

-- Replies.  A row is written in the worker's transaction with everything
-- needed to send it; the sender claims it with SKIP LOCKED.  'sending' is
-- committed before the first byte goes out, so a crash leaves 'sending'
-- and the row becomes 'uncertain' (never sent again by itself).
CREATE TABLE outbox (
        id             bigserial   PRIMARY KEY,
        referral_id    bigint      NOT NULL REFERENCES referral (id),
        item_id        bigint      REFERENCES item (id),   -- the item answered
        kind           text        NOT NULL CHECK (kind IN ('missing', 'receipt', 'complete')),
        channel        text        NOT NULL CHECK (channel IN ('email', 'fax-spool', 'fax-gateway')),
        recipient      text        NOT NULL,     -- address, or 10 fax digits for fax-spool
        subject        text        NOT NULL,
        body           text        NOT NULL,
        message_id     text        NOT NULL,     -- ours, without <>
        in_reply_to    text,
        references_ids text[]      NOT NULL DEFAULT '{}',
        state          text        NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'suppressed')),
        reason         text,                     -- suppressed: why no reply was sent
        attempts       integer     NOT NULL DEFAULT 0,
        not_before     timestamptz NOT NULL DEFAULT now(),
        claimed_by     text,
        last_error     text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        sent_at        timestamptz,
        CONSTRAINT outbox_message_id_key UNIQUE (message_id)
);
CREATE INDEX outbox_queue_idx ON outbox (not_before, id) WHERE state = 'queued';
CREATE INDEX outbox_referral_idx ON outbox (referral_id, kind, created_at);
CREATE INDEX outbox_recipient_idx ON outbox (lower(recipient), created_at);
