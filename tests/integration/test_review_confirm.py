#!/usr/bin/env python3
"""A referral whose reading is unsure (REVIEW) is never complete on its
own, however its checklist comes out: it is stored incomplete with the
flag, nobody is asked for nothing, and its requests wait for a person.
`referralctl confirm` by a person lets the checklist decide, records who,
and a confirmed referral with items missing stays incomplete."""
import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)

OFFICE = kit.Office(37, "Larkspur Family Practice", "Imogen Vale", "larkspur-fp.example")

work = Workdir("review-confirm")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)


def referral_of(name):
    v = pg.scalar("SELECT r.id FROM referral r JOIN receipt c ON c.item_id = r.item_id WHERE c.original_name = '%s'"
                  % name)
    return int(v) if v else None


def settled(name):
    return pg.scalar("SELECT i.state FROM item i JOIN receipt c ON c.item_id = i.id WHERE c.original_name = '%s'"
                     % name) in ("done", "failed", "quarantined")


def state(rid):
    return pg.query("SELECT status, needs_review::text FROM referral WHERE id = %d" % rid)[0]


try:
    sink.start()
    # every verdict under 99% confidence goes to a person: each of these
    # referrals is read as unsure, whatever its pages say
    kit.replies_config(d, pg, sink, replies={"hold-when-unsure": "true"}, 
                      policy={"policy": {"review-below": "99%"},
                              "checklist.general": {"requires": "ekg;labs;clinical_notes"},
                              "urgency.urgent": {"keep": "ekg;clinical_notes"}})
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        tap.bail("no schema")
    kit.add_partner(d, pg, OFFICE, reply_channel="email", reply_email=OFFICE.address)
    d.start()

    whole = kit.Patient("Tamsin", "Okafor", "03/03/1961")
    part = kit.Patient("Bertil", "Maranda", "07/19/1955")
    drop(d.inbox, "whole.pdf", kit.referral_pdf(OFFICE, whole, with_ekg=True))
    drop(d.inbox, "part.pdf", kit.referral_pdf(OFFICE, part, with_ekg=False))
    tap.ok(wait_for(lambda: settled("whole.pdf") and settled("part.pdf"), 180, 0.3), "both referrals read")
    rw, rp = referral_of("whole.pdf"), referral_of("part.pdf")
    if not tap.ok(rw and rp, "both are referrals", (rw, rp)):
        tap.bail("no referrals")

    # unsure and nothing missing: incomplete, flagged, and no request
    tap.ok(state(rw) == ["incomplete", "true"], "an unsure referral whose checklist is met is stored incomplete,"
           " flagged for review", state(rw))
    tap.ok(pg.scalar("SELECT count(*) FROM referral_checklist WHERE referral_id = %d AND NOT present" % rw) == "0",
           "its checklist shows every item present", pg.query("SELECT item, present FROM referral_checklist"
                                                              " WHERE referral_id = %d" % rw))
    tap.ok(kit.outbox(pg, "referral_id = %d" % rw) == [], "nobody is asked for nothing",
           kit.outbox(pg, "referral_id = %d" % rw))
    listed, p = kit.ctl_json(d, "list", "--json")
    tap.ok(listed is not None and any(str(r.get("id")) == str(rw) and r.get("status") == "incomplete"
                                      for r in listed), "referralctl list shows it incomplete", p.stdout[-800:])

    # unsure with the EKG missing: the request waits for a person
    rows = kit.outbox(pg, "referral_id = %d" % rp)
    tap.ok(len(rows) == 1 and rows[0]["state"] == "held", "an unsure referral's request is held", rows)

    # confirm needs a referral that exists
    p = d.ctl("confirm", "not-an-id")
    tap.ok(p.returncode == 2, "confirm of something that is not an id is refused", p.stderr)
    p = d.ctl("confirm", "999999")
    tap.ok(p.returncode == 1 and "no referral" in p.stderr, "confirm of an unknown referral says so", p.stderr)

    p = d.ctl("confirm", str(rw))
    tap.ok(p.returncode == 0 and "complete" in p.stdout, "confirm: the referral is now complete",
           p.stdout + p.stderr)
    tap.ok(state(rw) == ["complete", "false"], "stored complete, flag cleared", state(rw))
    ev = pg.query("SELECT detail->>'by' FROM event WHERE referral_id = %d AND kind = 'review-confirmed'" % rw)
    tap.ok(len(ev) == 1 and ev[0][0], "the confirmation is in the event log with who confirmed", ev)

    p = d.ctl("confirm", str(rp))
    tap.ok(p.returncode == 0 and "complete" not in p.stdout, "confirming a referral with an item missing",
           p.stdout + p.stderr)
    tap.ok(state(rp) == ["incomplete", "false"], "stays incomplete, flag cleared", state(rp))
    log = d.log_text()
    leaked = [x.family for x in (whole, part) if x.family in log]
    tap.ok(not leaked, "no patient name in the daemon's log", leaked)
    tap.ok(d.stop() == 0, "clean stop")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, pg.stop)
