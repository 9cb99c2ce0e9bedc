-- Least privilege: one PostgreSQL role per kind of process, so that an
-- exploit in a parsing worker (poppler, Leptonica, Tesseract, GMime)
-- cannot read the partner directory or the outbox, nor queue mail at will.
--
--   referrald_owner   owns every table; migrations run as it
--   referrald_intake  the supervisor and the mailbox pollers: store items, mailbox state
--   referrald_worker  lease an item, store its results; partners and the
--                     outbox only through the rd_worker_* functions below
--   referrald_sender  the outbox sender
--   referrald_staff   people, through referralctl (each logs in as themselves)
--   referrald_admin   staff who also manage web accounts
--   referrald_web     the web interface (acts for the signed-in person)
--
-- The roles cannot log in.  The role that runs this migration (the
-- daemon's login) is made a member of each, and every process of the
-- daemon does SET ROLE to its own right after connecting.  People log in
-- as themselves (peer authentication) and are members of referrald_staff.
-- Creating roles needs CREATEROLE (or a superuser); a DBA may instead
-- create them beforehand (README, "Database roles").

DO $$
DECLARE
        r text;
BEGIN
        FOREACH r IN ARRAY ARRAY['referrald_owner', 'referrald_intake', 'referrald_worker', 'referrald_sender',
                                 'referrald_staff', 'referrald_admin', 'referrald_web'] LOOP
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
                        BEGIN
                                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
                        EXCEPTION WHEN insufficient_privilege THEN
                                RAISE EXCEPTION 'the role % does not exist, and % may not create roles', r, current_user
                                        USING HINT = 'create the roles as the PostgreSQL superuser (README, "Database roles"), or give this role CREATEROLE';
                        END;
                END IF;
                IF NOT pg_has_role(current_user, r, 'MEMBER') THEN
                        EXECUTE format('GRANT %I TO %I', r, current_user);
                END IF;
        END LOOP;
END;
$$;
GRANT referrald_staff TO referrald_admin;

-- Everything of ours belongs to the owner role from now on.
GRANT USAGE, CREATE ON SCHEMA public TO referrald_owner;
DO $$
DECLARE
        o record;
BEGIN
        FOR o IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p')
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
                EXECUTE format('ALTER TABLE %I OWNER TO referrald_owner', o.relname);
        END LOOP;
        -- sequences of serial columns moved with their tables
        FOR o IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind = 'S'
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i', 'e')) LOOP
                EXECUTE format('ALTER SEQUENCE %I OWNER TO referrald_owner', o.relname);
        END LOOP;
        FOR o IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'public'
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
                EXECUTE format('ALTER FUNCTION %s OWNER TO referrald_owner', o.f);
        END LOOP;
END;
$$;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;

-- Every event names who recorded it: the login of the connection (a
-- person's own name for referralctl, the daemon's login for the daemon).
-- A trigger, not a default, so that nobody can write another name.
ALTER TABLE event ADD COLUMN actor text;
CREATE FUNCTION event_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
        NEW.actor := session_user;
        RETURN NEW;
END;
$$;
ALTER FUNCTION event_actor() OWNER TO referrald_owner;
CREATE TRIGGER event_actor BEFORE INSERT ON event FOR EACH ROW EXECUTE FUNCTION event_actor();

-- ---- intake: the supervisor and the mailbox pollers ----------------------
GRANT SELECT, INSERT, UPDATE ON item, mailbox TO referrald_intake;
GRANT SELECT, INSERT ON receipt, item_message_id TO referrald_intake;
GRANT INSERT ON event TO referrald_intake;
GRANT SELECT (state) ON outbox TO referrald_intake;         -- the STATUS= line counts replies
GRANT USAGE ON SEQUENCE item_id_seq, receipt_id_seq, event_id_seq TO referrald_intake;

-- ---- workers --------------------------------------------------------------
-- An item's bytes only through rd_worker_lease(): never another item's.
GRANT SELECT (id, source, source_key, sha256, size, media_type, received_at, state, attempts, not_before,
              lease_until, leased_by, last_error, updated_at, read_error, n_pages) ON item TO referrald_worker;
GRANT UPDATE ON item TO referrald_worker;
GRANT SELECT (item_id, number), INSERT, DELETE ON page TO referrald_worker;
GRANT SELECT, INSERT, UPDATE ON referral, referral_document, item_origin, followup_review TO referrald_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON referral_checklist TO referrald_worker;
GRANT SELECT ON referral_resolution TO referrald_worker;
GRANT INSERT ON event TO referrald_worker;
GRANT USAGE ON SEQUENCE referral_id_seq, referral_document_id_seq, event_id_seq, outbox_id_seq TO referrald_worker;

-- What a worker needs of the partner directory and the outbox, and no more.
CREATE FUNCTION rd_worker_lease(worker text, secs double precision)
        RETURNS TABLE (id bigint, attempts integer, media_type text, raw bytea, received text)
        LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        UPDATE item SET state = 'processing', attempts = item.attempts + 1,
               lease_until = now() + make_interval(secs => secs), leased_by = worker, updated_at = now()
         WHERE item.id = (SELECT i.id FROM item i WHERE i.state = 'queued' AND i.not_before <= now()
                          ORDER BY i.id FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING item.id, item.attempts, item.media_type, item.raw, to_char(item.received_at, 'YYYY-MM-DD');
$$;

-- The partner an item's keys name: exactly, in the order of preference.
CREATE FUNCTION rd_worker_partner_match(email text, channel_fax text, form_fax text, npi text, domain text)
        RETURNS TABLE (partner_id bigint, kind text, value text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.partner_id, k.kind, k.value FROM partner_key k
         WHERE (k.kind = 'email' AND k.value = email) OR (k.kind = 'fax' AND k.value IN (channel_fax, form_fax))
            OR (k.kind = 'npi' AND k.value = npi) OR (k.kind = 'domain' AND k.value = domain)
         ORDER BY CASE WHEN k.kind = 'email' THEN 1 WHEN k.kind = 'fax' AND k.value = channel_fax THEN 2
                       WHEN k.kind = 'fax' THEN 3 WHEN k.kind = 'npi' THEN 4 ELSE 5 END
         LIMIT 1;
$$;

-- Registered fax numbers within two digits of one read by OCR (at most two).
CREATE FUNCTION rd_worker_partner_fax_near(number text)
        RETURNS TABLE (partner_id bigint, value text, d bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.partner_id, k.value, x.d FROM partner_key k,
               LATERAL (SELECT count(*) AS d FROM generate_series(1, 10) i
                         WHERE substr(k.value, i, 1) <> substr(number, i, 1)) x
         WHERE k.kind = 'fax' AND length(k.value) = 10 AND length(number) = 10 AND x.d <= 2
         ORDER BY x.d, k.partner_id LIMIT 2;
$$;

-- The referrals our replies with this Message-ID answered.
CREATE FUNCTION rd_worker_replied_referrals(msgid text) RETURNS SETOF bigint
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT DISTINCT o.referral_id FROM outbox o WHERE o.message_id = msgid;
$$;

-- The facts one referral's reply is planned from: its origin, and its
-- partner's reply channel, addresses and fax.
CREATE FUNCTION rd_worker_reply_facts(rid bigint)
        RETURNS TABLE (channel text, from_addr text, reply_to text, message_id text, refs text,
                       auto_submitted text, header_fax text, form_fax text, relay text, relay_fax text,
                       partner_id bigint, partner_match text, reply_channel text, reply_email text,
                       email_key text, partner_fax text, reference text, received text, patient_family text,
                       patient_given text, patient_dob text, needs_review text, item_id bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT o.channel, o.from_addr, o.reply_to, o.message_id, array_to_string(o.references_ids, ' '),
               o.auto_submitted::text, o.header_fax, o.form_fax, o.relay, o.relay_fax, r.partner_id, o.partner_match,
               p.reply_channel, p.reply_email,
               (SELECT k.value FROM partner_key k WHERE k.partner_id = p.id AND k.kind = 'email'
                 ORDER BY k.value LIMIT 1),
               coalesce(p.reply_fax, (SELECT k.value FROM partner_key k WHERE k.partner_id = p.id AND k.kind = 'fax'
                 ORDER BY k.value = o.partner_fax DESC, k.value = o.header_fax DESC, k.value = o.relay_fax DESC,
                 k.value LIMIT 1)),
               r.reference, coalesce(r.received::text, r.received_at::date::text), r.patient_family,
               r.patient_given, r.patient_dob::text, r.needs_review::text, r.item_id
          FROM referral r JOIN item_origin o ON o.item_id = r.item_id
          LEFT JOIN partner p ON p.id = r.partner_id WHERE r.id = rid;
$$;

-- Replies of this kind to this referral within the interval, and to this
-- recipient within the window (suppressed ones do not count).
CREATE FUNCTION rd_worker_reply_counts(p_referral bigint, p_kind text, p_recipient text, p_interval interval,
                                       p_window interval)
        RETURNS TABLE (same_kind bigint, to_recipient bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        -- parameters are prefixed: in SQL a column name wins over a parameter's
        SELECT (SELECT count(*) FROM outbox o WHERE o.referral_id = p_referral AND o.kind = p_kind
                   AND o.state <> 'suppressed' AND o.created_at > now() - p_interval),
               (SELECT count(*) FROM outbox o WHERE lower(o.recipient) = lower(p_recipient)
                   AND o.state <> 'suppressed' AND o.created_at > now() - p_window);
$$;

-- A planned reply, with its event.  Only queued, held or suppressed: a
-- worker never marks a reply sent.
CREATE FUNCTION rd_worker_outbox_add(p_id bigint, p_referral bigint, p_item bigint, p_kind text, p_channel text,
                                     p_recipient text, p_subject text, p_body text, p_message_id text,
                                     p_in_reply_to text, p_references text[], p_state text, p_reason text,
                                     p_event text)
        RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
        IF p_state NOT IN ('queued', 'held', 'suppressed') THEN
                RAISE EXCEPTION 'a worker may not write a reply in state %', p_state USING ERRCODE = '42501';
        END IF;
        INSERT INTO outbox (id, referral_id, item_id, kind, channel, recipient, subject, body, message_id,
                            in_reply_to, references_ids, state, reason)
        VALUES (p_id, p_referral, p_item, p_kind, p_channel, p_recipient, p_subject, p_body, p_message_id,
                p_in_reply_to, p_references, p_state, p_reason);
        INSERT INTO event (item_id, referral_id, kind, detail)
        VALUES (p_item, p_referral, p_event, jsonb_strip_nulls(jsonb_build_object('outbox', p_id, 'reply', p_kind,
                'channel', p_channel, 'reason', p_reason)));
END;
$$;

DO $$
DECLARE
        f text;
BEGIN
        FOREACH f IN ARRAY ARRAY['rd_worker_lease(text, double precision)',
                                 'rd_worker_partner_match(text, text, text, text, text)',
                                 'rd_worker_partner_fax_near(text)', 'rd_worker_replied_referrals(text)',
                                 'rd_worker_reply_facts(bigint)',
                                 'rd_worker_reply_counts(bigint, text, text, interval, interval)',
                                 'rd_worker_outbox_add(bigint, bigint, bigint, text, text, text, text, text, text,'
                                 ' text, text[], text, text, text)'] LOOP
                EXECUTE format('ALTER FUNCTION %s OWNER TO referrald_owner', f);
                EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO referrald_worker, referrald_staff', f);
        END LOOP;
END;
$$;

-- ---- the outbox sender ----------------------------------------------------
GRANT SELECT, UPDATE ON outbox TO referrald_sender;
GRANT SELECT (id, reference) ON referral TO referrald_sender;
GRANT INSERT ON event TO referrald_sender;
GRANT USAGE ON SEQUENCE event_id_seq TO referrald_sender;

-- ---- people (referralctl) ------------------------------------------------
-- Staff see everything but the web accounts, and change what their
-- commands change.  Reprocessing an item deletes its old pages.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO referrald_staff;
REVOKE SELECT ON web_user, web_session FROM referrald_staff;
GRANT INSERT, UPDATE ON item, referral, referral_document, referral_resolution, item_origin, followup_review,
                        outbox, partner, partner_key TO referrald_staff;
GRANT INSERT, UPDATE, DELETE ON referral_checklist TO referrald_staff;
GRANT DELETE ON partner, partner_key, page TO referrald_staff;
GRANT INSERT ON event, audit_log TO referrald_staff;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO referrald_staff;
-- Web accounts: admins only (referralctl user).
GRANT SELECT, INSERT, UPDATE ON web_user TO referrald_admin;
GRANT SELECT, DELETE ON web_session TO referrald_admin;

-- ---- the web interface ------------------------------------------------------
-- It acts for the signed-in person: what staff may do, plus sign-in.
GRANT referrald_staff TO referrald_web;
GRANT SELECT, UPDATE ON web_user TO referrald_web;
GRANT SELECT, INSERT, UPDATE, DELETE ON web_session TO referrald_web;

-- ---- the purge (migration 008): it deletes across every table, so it runs
-- with the owner's rights, for the supervisor's daily run and for staff
ALTER FUNCTION rd_purge(interval, interval, interval, boolean) SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE ALL ON FUNCTION rd_purge(interval, interval, interval, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rd_purge(interval, interval, interval, boolean) TO referrald_intake, referrald_staff;

-- ---- corrections by staff (web interface): a page's type corrected and a
-- follow-up detached replace the referral's document rows
GRANT DELETE ON referral_document TO referrald_staff;
