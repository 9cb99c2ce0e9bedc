-- IMAP intake: where each mailbox's poll left off, and Message-IDs of
-- stored mail so that a second receipt of a message is a duplicate.

CREATE TABLE mailbox (
        name          text        PRIMARY KEY,     -- NAME of [mailbox.NAME]
        uidvalidity   bigint,                      -- of the watched folder, as last seen
        last_uid      bigint      NOT NULL DEFAULT 0,  -- every UID up to this one is stored
        last_poll_at  timestamptz,
        last_ok_at    timestamptz,
        last_error    text,                        -- NULL once a poll succeeds again
        last_error_at timestamptz,
        updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A message seen again (another mailbox, a re-delivery with new trace
-- headers, a folder re-created under a new UIDVALIDITY) keeps one item.
CREATE TABLE item_message_id (
        message_id    text        PRIMARY KEY,
        item_id       bigint      NOT NULL REFERENCES item (id)
);
CREATE INDEX item_message_id_item_idx ON item_message_id (item_id);
