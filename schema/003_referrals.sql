-- Referrals understood from items, their documents and checklist.

CREATE FUNCTION rd_try_date(t text) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
        RETURN t::date;
EXCEPTION WHEN others THEN
        RETURN NULL;
END;
$$;

CREATE TABLE referral (
        id                 bigserial PRIMARY KEY,
        item_id            bigint      NOT NULL REFERENCES item (id),
        channel            text        NOT NULL,
        received           date,
        patient_family     text,
        patient_given      text,
        patient_dob        date,
        patient_sex        text,
        patient_phone      text,
        patient_mrn        text,
        referring_name     text,
        referring_npi      text,
        referring_practice text,
        referring_phone    text,
        referring_fax      text,
        service_line       text,
        urgency            text,
        reason             text,
        diagnoses          text[]      NOT NULL DEFAULT '{}',
        status             text        NOT NULL
                           CHECK (status IN ('incomplete', 'complete', 'scheduled', 'seen', 'declined', 'redirected')),
        missing_ekg        boolean     NOT NULL DEFAULT false,
        missing_labs       boolean     NOT NULL DEFAULT false,
        confidence         real,
        extract            jsonb       NOT NULL,  -- the extract JSON as understood, for audit
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        -- one item never becomes two referrals, whatever crashes in between
        CONSTRAINT referral_item_key UNIQUE (item_id)
);
CREATE INDEX referral_status_idx ON referral (status, id);

CREATE TABLE referral_document (
        id           bigserial PRIMARY KEY,
        referral_id  bigint    NOT NULL REFERENCES referral (id),
        item_id      bigint    NOT NULL REFERENCES item (id),
        type         text      NOT NULL,
        pages        integer[] NOT NULL,
        date         date,
        panels       text[]    NOT NULL DEFAULT '{}',
        confidence   real
);
CREATE INDEX referral_document_referral_idx ON referral_document (referral_id);

CREATE TABLE referral_checklist (
        referral_id  bigint  NOT NULL REFERENCES referral (id),
        item         text    NOT NULL,   -- "ekg", "labs", "labs:bnp", ...
        present      boolean NOT NULL,
        why          text,               -- when missing: not_enclosed, labs_too_old, ...
        date_found   date,               -- labs_too_old: the newest report's date
        PRIMARY KEY (referral_id, item)
);

ALTER TABLE event ADD COLUMN referral_id bigint REFERENCES referral (id);
CREATE INDEX event_referral_idx ON event (referral_id, id);
