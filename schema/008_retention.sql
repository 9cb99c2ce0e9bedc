-- Retention: patient data can be deleted when the practice's retention
-- period ([retention] of the configuration) has passed.  The event log and
-- the audit log keep ids and kinds for good, so they no longer hold
-- foreign keys that would keep a referral or an item from going, and they
-- hold no patient data: what earlier versions put there is removed here.

ALTER TABLE event DROP CONSTRAINT IF EXISTS event_item_id_fkey;
ALTER TABLE event DROP CONSTRAINT IF EXISTS event_referral_id_fkey;
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_referral_id_fkey;

-- when the item's bytes and the names it arrived under were deleted, and
-- when what was derived from it (its origin, its referral) was
ALTER TABLE item ADD COLUMN purged_at timestamptz;
ALTER TABLE item ADD COLUMN fields_purged_at timestamptz;
-- the purge asks, for every item, whether a referral's documents use it
CREATE INDEX referral_document_item_idx ON referral_document (item_id);

-- A follow-up waiting for staff stored its whole extract JSON (names,
-- dates of birth) in its event; staff notes were copied into events too.
-- The extract now waits in followup_review (for `referralctl attach`),
-- the notes stay in referral_resolution and referral.status_note, all of
-- which the purge deletes.
ALTER TABLE followup_review ADD COLUMN extract jsonb;
UPDATE followup_review f SET extract = (SELECT (e.detail->>'extract')::jsonb FROM event e
        WHERE e.item_id = f.item_id AND e.kind = 'followup-review' AND e.detail ? 'extract'
        ORDER BY e.id DESC LIMIT 1);
ALTER TABLE event DISABLE TRIGGER event_no_update;
UPDATE event SET detail = detail - 'extract' WHERE detail ? 'extract';
UPDATE event SET detail = detail - 'note' || jsonb_build_object('noted', true) WHERE detail ? 'note';
ALTER TABLE event ENABLE TRIGGER event_no_update;

-- Deletes what is past its retention, in one transaction, one purge at a
-- time across instances; with dry_run only counts.  Measured from:
--   keep_raw    an item's arrival: its bytes, the file names and
--               Message-IDs it arrived under (the row stays: id, size,
--               state, hash);
--   keep_pages  an item's arrival: the text of its pages;
--   keep_fields a referral's last activity (created, changed, completed,
--               scheduled, or a follow-up's arrival): the referral, its
--               documents, checklist, resolutions, replies, and the origin
--               (sender, subject) and review entries of its items; an item
--               that belongs to no referral, from its arrival.
-- Items still queued or being processed are never touched.
CREATE FUNCTION rd_purge(keep_raw interval, keep_pages interval, keep_fields interval, dry_run boolean)
RETURNS TABLE (referrals bigint, items bigint, raw bigint, pages bigint)
LANGUAGE plpgsql AS $$
DECLARE
        refs bigint[];
        field_items bigint[];
        raw_items bigint[];
        page_items bigint[];
BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('referrald-purge'));

        SELECT coalesce(array_agg(r.id), '{}') INTO refs FROM referral r
         WHERE greatest(r.created_at, r.updated_at, r.received_at, r.completed_at, r.scheduled_at,
                        r.appointment_at,
                        (SELECT max(i.received_at) FROM item_origin o JOIN item i ON i.id = o.item_id
                          WHERE o.referral_id = r.id),
                        (SELECT max(i.received_at) FROM referral_document d JOIN item i ON i.id = d.item_id
                          WHERE d.referral_id = r.id)) < now() - keep_fields;
        -- the same as a table: "used by a referral that is kept" is then a
        -- lookup, not a walk through the array for every item
        IF to_regclass('pg_temp.rd_purge_refs') IS NULL THEN
                CREATE TEMP TABLE rd_purge_refs (id bigint PRIMARY KEY) ON COMMIT DROP;
        ELSE
                TRUNCATE rd_purge_refs;
        END IF;
        INSERT INTO rd_purge_refs SELECT unnest(refs);
        ANALYZE rd_purge_refs;

        -- the items of those referrals that no kept referral uses, and the
        -- old items that belong to no referral at all (each test an index
        -- lookup: this runs daily over every item)
        SELECT coalesce(array_agg(i.id), '{}') INTO field_items FROM item i
         WHERE i.state IN ('done', 'failed', 'quarantined') AND i.fields_purged_at IS NULL
           AND (i.id IN (SELECT x.item_id FROM referral x WHERE x.id = ANY (refs)
                         UNION SELECT d.item_id FROM referral_document d WHERE d.referral_id = ANY (refs)
                         UNION SELECT o.item_id FROM item_origin o WHERE o.referral_id = ANY (refs))
                OR (i.received_at < now() - keep_fields
                    AND NOT EXISTS (SELECT 1 FROM referral x WHERE x.item_id = i.id)
                    AND NOT EXISTS (SELECT 1 FROM referral_document d WHERE d.item_id = i.id)
                    AND NOT EXISTS (SELECT 1 FROM item_origin o WHERE o.item_id = i.id AND o.referral_id IS NOT NULL)))
           AND NOT EXISTS (SELECT 1 FROM referral x WHERE x.item_id = i.id
                           AND NOT EXISTS (SELECT 1 FROM rd_purge_refs p WHERE p.id = x.id))
           AND NOT EXISTS (SELECT 1 FROM referral_document d WHERE d.item_id = i.id
                           AND NOT EXISTS (SELECT 1 FROM rd_purge_refs p WHERE p.id = d.referral_id))
           AND NOT EXISTS (SELECT 1 FROM item_origin o WHERE o.item_id = i.id AND o.referral_id IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM rd_purge_refs p WHERE p.id = o.referral_id));

        SELECT coalesce(array_agg(i.id), '{}') INTO raw_items FROM item i
         WHERE i.state IN ('done', 'failed', 'quarantined') AND i.received_at < now() - keep_raw
           AND (i.purged_at IS NULL OR i.raw IS NOT NULL);

        SELECT coalesce(array_agg(i.id), '{}') INTO page_items FROM item i
         WHERE i.state IN ('done', 'failed', 'quarantined') AND i.received_at < now() - keep_pages
           AND EXISTS (SELECT 1 FROM page g WHERE g.item_id = i.id);

        referrals := cardinality(refs);
        items := cardinality(field_items);
        raw := cardinality(raw_items);
        pages := cardinality(page_items);
        IF dry_run THEN
                RETURN NEXT;
                RETURN;
        END IF;

        DELETE FROM outbox WHERE referral_id = ANY (refs) OR item_id = ANY (field_items);
        DELETE FROM referral_document WHERE referral_id = ANY (refs) OR item_id = ANY (field_items);
        DELETE FROM referral_checklist WHERE referral_id = ANY (refs);
        DELETE FROM referral_resolution WHERE referral_id = ANY (refs);
        DELETE FROM followup_review WHERE item_id = ANY (field_items);
        DELETE FROM item_origin WHERE item_id = ANY (field_items) OR referral_id = ANY (refs);
        DELETE FROM referral WHERE id = ANY (refs);

        -- the names an item arrived under go with its fields or its bytes,
        -- whichever goes first
        UPDATE receipt SET original_name = NULL, source_key = 'purged:' || id
         WHERE item_id = ANY (raw_items || field_items) AND source_key NOT LIKE 'purged:%';
        DELETE FROM item_message_id WHERE item_id = ANY (raw_items || field_items);
        UPDATE item SET source_key = 'purged:' || id
         WHERE id = ANY (raw_items || field_items) AND source_key NOT LIKE 'purged:%';
        UPDATE item SET raw = NULL, purged_at = now() WHERE id = ANY (raw_items);
        UPDATE item SET fields_purged_at = now() WHERE id = ANY (field_items);

        DELETE FROM page WHERE item_id = ANY (page_items);

        INSERT INTO event (kind, detail) VALUES ('purged', jsonb_build_object('referrals', referrals,
                'items', items, 'raw', raw, 'pages', pages));
        RETURN NEXT;
END;
$$;
