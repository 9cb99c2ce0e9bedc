#!/usr/bin/env python3
"""Least privilege in the database (schema/009_roles.sql): each process acts
as its own role.  A worker cannot read the partner directory, the outbox,
page text or any item's bytes but through the functions made for it; the
sender and intake see only their tables; staff never see web password
hashes; every table belongs to referrald_owner and some process may use it.
And the pipeline still works with the daemon acting as those roles: a
referral from a partner is stored and its missing-document request sent,
and taking the worker's one way to lease an item away stops the workers."""
import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)

OFFICE = kit.Office(47, "Quarry Lane Family Practice", "Benedikt Oyelaran", "quarrylane-fp.example")

work = Workdir("roles")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)


def as_role(role, sql):
    """Runs @sql acting as @role: (ok, rows or the error)."""
    try:
        return True, pg.query("SET ROLE %s; %s" % (role, sql))
    except RuntimeError as e:
        return False, str(e)


def denied(role, sql):
    ok, out = as_role(role, sql)
    return not ok and "permission denied" in out, out


def settled(name):
    return pg.scalar("SELECT i.state FROM item i JOIN receipt c ON c.item_id = i.id WHERE c.original_name = '%s'"
                     % name) in ("done", "failed", "quarantined")


try:
    sink.start()
    kit.replies_config(d, pg, sink)
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit

    roles = [r[0] for r in pg.query("SELECT rolname FROM pg_roles WHERE rolname LIKE 'referrald\\_%' ORDER BY 1")]
    tap.ok(roles == ["referrald_admin", "referrald_intake", "referrald_owner", "referrald_sender", "referrald_staff",
                     "referrald_web", "referrald_worker"], "the migration created one role per kind of process", roles)
    tap.ok(pg.query("SELECT rolname FROM pg_roles WHERE rolname LIKE 'referrald\\_%' AND rolcanlogin") == [],
           "none of them can log in by itself")

    # the worker
    for table in ("partner", "partner_key", "outbox"):
        res, out = denied("referrald_worker", "SELECT count(*) FROM %s" % table)
        tap.ok(res, "the worker role cannot SELECT %s" % table, out)
    res, out = denied("referrald_worker", "SELECT raw FROM item LIMIT 1")
    tap.ok(res, "nor the bytes of any item (it leases its one item through rd_worker_lease)", out)
    res, out = denied("referrald_worker", "SELECT text FROM page LIMIT 1")
    tap.ok(res, "nor the text of other items' pages", out)
    res, out = denied("referrald_worker", "INSERT INTO outbox (referral_id, kind, channel, recipient, subject, body,"
                                          " message_id) VALUES (1, 'missing', 'email', 'x@evil.example', 's', 'b', 'm')")
    tap.ok(res, "nor write a reply of its own", out)
    ok, out = as_role("referrald_worker", "SELECT rd_worker_outbox_add(1, 1, NULL, 'missing', 'email',"
                                          " 'x@evil.example', 's', 'b', 'm1', NULL, '{}', 'sent', NULL, 'reply-sent')")
    tap.ok(not ok and "may not write a reply in state sent" in out, "its outbox function refuses a reply marked sent",
           out)
    ok, out = as_role("referrald_worker", "SELECT count(*) FROM rd_worker_partner_match('a@b.example', NULL, NULL,"
                                          " NULL, 'b.example')")
    tap.ok(ok and out == [["0"]], "but it may ask the directory which partner an item's keys name", out)
    ok, out = as_role("referrald_worker", "SELECT count(*) FROM referral")
    tap.ok(ok, "and read referrals (follow-up matching needs them)", out)

    # the other processes
    for role in ("referrald_sender", "referrald_intake"):
        res, out = denied(role, "SELECT count(*) FROM partner")
        tap.ok(res, "%s cannot SELECT partner" % role, out)
    res, out = denied("referrald_intake", "SELECT count(*) FROM referral")
    tap.ok(res, "intake cannot read referrals", out)
    res, out = denied("referrald_sender", "SELECT patient_family FROM referral LIMIT 1")
    tap.ok(res, "the sender reads no patient field, only the reference", out)
    res, out = denied("referrald_staff", "SELECT password_hash FROM web_user LIMIT 1")
    tap.ok(res, "staff cannot read web password hashes", out)
    ok, out = as_role("referrald_admin", "SELECT count(*) FROM web_user")
    tap.ok(ok, "admins manage web accounts", out)

    # every table: owned by referrald_owner, and usable by some process role
    owners = pg.query("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"
                      " AND tableowner <> 'referrald_owner'")
    tap.ok(owners == [], "every table belongs to referrald_owner", owners)
    orphans = pg.query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                       " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_version'"
                       " AND NOT EXISTS (SELECT 1 FROM unnest(ARRAY['referrald_intake', 'referrald_worker',"
                       "  'referrald_sender', 'referrald_staff', 'referrald_web']) r"
                       "  WHERE has_table_privilege(r, c.oid, 'SELECT, INSERT, UPDATE')"
                       "     OR has_any_column_privilege(r, c.oid, 'SELECT'))")
    tap.ok(orphans == [], "every table is granted to some process role (a new migration must grant its tables)",
           orphans)

    # the pipeline, with every process acting as its role
    kit.add_partner(d, pg, OFFICE, keys=("fax", "npi"), reply_email="intake@quarrylane-fp.example")
    d.start()
    patient = kit.Patient("Marisol", "Thackeray", "09/02/1949")
    drop(d.inbox, "r1.pdf", kit.referral_pdf(OFFICE, patient))
    wait_for(lambda: settled("r1.pdf"), 180, 0.3)
    rid = pg.scalar("SELECT r.id FROM referral r JOIN receipt c ON c.item_id = r.item_id"
                    " WHERE c.original_name = 'r1.pdf'")
    tap.ok(rid is not None, "a referral is stored by a worker acting as referrald_worker", d.log_text()[-3000:])
    tap.ok(pg.scalar("SELECT partner_id IS NOT NULL FROM referral WHERE id = %s" % rid) == "t",
           "matched to its partner through the worker's directory function")
    wait_for(lambda: kit.outbox(pg, "state = 'sent'"), 60, 0.3)
    sent = kit.outbox(pg)
    tap.ok(len(sent) == 1 and sent[0]["state"] == "sent" and sent[0]["recipient"] == "intake@quarrylane-fp.example",
           "its missing-document request was planned by the worker and sent by the sender", sent)
    tap.ok(any("intake@quarrylane-fp.example" in m.rcpt_tos for m in sink.messages()), "and reached the office")

    # the workers really act as referrald_worker: without its lease function
    # they cannot take an item, though the daemon's login could
    pg.query("REVOKE EXECUTE ON FUNCTION rd_worker_lease(text, double precision) FROM referrald_worker")
    drop(d.inbox, "r2.pdf", kit.referral_pdf(OFFICE, kit.Patient("Tobias", "Lindqvist", "01/30/1960", "Male")))
    stuck = wait_for(lambda: "permission denied for function rd_worker_lease" in d.log_text(), 60, 0.5)
    tap.ok(stuck and not settled("r2.pdf"), "without EXECUTE on rd_worker_lease the workers cannot lease",
           d.log_text()[-2000:])
    pg.query("GRANT EXECUTE ON FUNCTION rd_worker_lease(text, double precision) TO referrald_worker")
    tap.ok(wait_for(lambda: settled("r2.pdf"), 180, 0.5), "granted again, the waiting item is processed",
           d.log_text()[-2000:])
    tap.ok(d.alive(), "the daemon ran on throughout")
finally:
    work.finish(tap, d.stop, sink.stop, pg.stop)
