-- The staff web interface: people and their roles, login sessions, the
-- audit log of every view and change of a referral under a person's name,
-- and what the queue page needs to stay fast (state rank, trigram search).

CREATE TABLE web_user (
        id              bigserial   PRIMARY KEY,
        name            text        NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
        password_hash   text        NOT NULL,     -- libsodium crypto_pwhash_str (argon2id)
        role            text        NOT NULL CHECK (role IN ('staff', 'admin')),
        disabled        boolean     NOT NULL DEFAULT false,
        failed_logins   integer     NOT NULL DEFAULT 0,  -- since the last good login
        locked_until    timestamptz,                   -- too many failures: no login before this
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        last_login_at   timestamptz,
        CONSTRAINT web_user_name_key UNIQUE (name)
);

-- A session is known by the SHA-256 of its cookie: the database never holds
-- a token that would let its reader log in.
CREATE TABLE web_session (
        token_sha256    text        PRIMARY KEY,
        user_id         bigint      NOT NULL REFERENCES web_user (id) ON DELETE CASCADE,
        csrf_token      text        NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        last_seen_at    timestamptz NOT NULL DEFAULT now(),
        remote          text
);
CREATE INDEX web_session_user_idx ON web_session (user_id);

-- Who looked at or changed what.  The person's name is copied, not
-- referenced, so the record outlives a renamed or removed account.
CREATE TABLE audit_log (
        id              bigserial   PRIMARY KEY,
        at              timestamptz NOT NULL DEFAULT clock_timestamp(),
        user_name       text        NOT NULL,
        action          text        NOT NULL,     -- login, login-failed, logout, view, view-page, resolve, ...
        referral_id     bigint      REFERENCES referral (id),
        detail          jsonb       NOT NULL DEFAULT '{}',
        remote          text
);
CREATE INDEX audit_log_referral_idx ON audit_log (referral_id, id);
CREATE INDEX audit_log_user_idx ON audit_log (user_name, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION event_append_only();

-- Queue order as stored columns so that one index serves the page:
-- needs review (the reader could not tell who, which line or how urgent),
-- then incomplete, complete, scheduled, closed; STAT before urgent before
-- routine; then oldest first.
ALTER TABLE referral ADD COLUMN queue_rank smallint GENERATED ALWAYS AS (
        CASE WHEN status IN ('incomplete', 'complete')
                  AND (service_line IS NULL OR urgency IS NULL OR patient_family IS NULL OR patient_dob IS NULL)
                  THEN 0
             WHEN status = 'incomplete' THEN 1
             WHEN status = 'complete' THEN 2
             WHEN status = 'scheduled' THEN 3
             ELSE 4 END) STORED;
ALTER TABLE referral ADD COLUMN urgency_rank smallint GENERATED ALWAYS AS (
        CASE urgency WHEN 'stat' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END) STORED;
CREATE INDEX referral_queue_idx ON referral (queue_rank, urgency_rank, created_at, id);
CREATE INDEX referral_dob_idx ON referral (patient_dob);
CREATE INDEX referral_mrn_idx ON referral (lower(patient_mrn));
CREATE INDEX referral_line_queue_idx ON referral (service_line, queue_rank, urgency_rank, created_at, id);

-- Patient names come from OCR: search by trigram similarity when pg_trgm
-- can be had (it ships with PostgreSQL; a trusted extension since 13).
-- Without it, the web process falls back to a substring search.
DO $$
BEGIN
        IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
                CREATE EXTENSION IF NOT EXISTS pg_trgm;
                CREATE INDEX referral_patient_trgm_idx ON referral USING gin
                        ((coalesce(patient_given, '') || ' ' || coalesce(patient_family, '')) gin_trgm_ops);
        END IF;
END;
$$;
