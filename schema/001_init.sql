-- Inbound items, the receipts that delivered them, and the append-only event log.

CREATE TABLE item (
        id            bigserial PRIMARY KEY,
        source        text        NOT NULL,          -- 'dropdir', 'imap:NAME'
        source_key    text        NOT NULL,          -- first receipt's key (file name, mailbox/uidvalidity/uid)
        sha256        text        NOT NULL,
        size          bigint      NOT NULL CHECK (size >= 0),
        media_type    text,
        raw           bytea,                          -- NULL only for a quarantined file too large to keep
        received_at   timestamptz NOT NULL DEFAULT now(),
        state         text        NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'processing', 'done', 'failed', 'quarantined')),
        attempts      integer     NOT NULL DEFAULT 0,
        not_before    timestamptz NOT NULL DEFAULT now(),   -- retry backoff
        lease_until   timestamptz,
        leased_by     text,
        last_error    text,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT item_sha256_key UNIQUE (sha256)
);
CREATE INDEX item_queue_idx ON item (not_before, id) WHERE state IN ('queued', 'processing');
CREATE INDEX item_state_idx ON item (state, id);

-- Every delivery of bytes by a source.  The first one created the item; a
-- later one with the same bytes under another key is a duplicate; the same
-- key again (a source offering an item twice after a crash) is a no-op.
CREATE TABLE receipt (
        id            bigserial PRIMARY KEY,
        item_id       bigint      NOT NULL REFERENCES item (id),
        source        text        NOT NULL,
        source_key    text        NOT NULL,
        original_name text,
        duplicate     boolean     NOT NULL DEFAULT false,
        received_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT receipt_key UNIQUE (source, source_key, item_id)
);
CREATE INDEX receipt_item_idx ON receipt (item_id);

CREATE TABLE event (
        id            bigserial PRIMARY KEY,
        at            timestamptz NOT NULL DEFAULT clock_timestamp(),
        item_id       bigint REFERENCES item (id),
        kind          text        NOT NULL,
        detail        jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX event_item_idx ON event (item_id, id);

CREATE FUNCTION event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
        RAISE EXCEPTION 'the event log is append-only';
END;
$$;
CREATE TRIGGER event_no_update BEFORE UPDATE OR DELETE ON event
        FOR EACH ROW EXECUTE FUNCTION event_append_only();
