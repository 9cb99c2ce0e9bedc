#!/usr/bin/env python3
"""Staff work on referrals with referralctl: resolve a missing item received
out of band, set scheduled / seen / declined with the dates the report
measures, settle an item left for review (attach, or reprocess --new),
process a quarantined item again, and send a suppressed reply after all.
Each change is in the event log."""
import json

import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)

OFFICE = kit.Office(31, "Harbor Point Internal Medicine", "Aurelio Fenwick", "harborpoint-im.example")

work = Workdir("staff")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)


def item_of(name):
    v = pg.scalar("SELECT item_id FROM receipt WHERE original_name = '%s'" % name)
    return int(v) if v else None


def referral_of(name):
    v = pg.scalar("SELECT r.id FROM referral r JOIN receipt c ON c.item_id = r.item_id WHERE c.original_name = '%s'"
                  % name)
    return int(v) if v else None


def settled(name):
    return pg.scalar("SELECT i.state FROM item i JOIN receipt c ON c.item_id = i.id WHERE c.original_name = '%s'"
                     % name) in ("done", "failed", "quarantined")


def status(rid):
    return pg.scalar("SELECT status FROM referral WHERE id = %d" % rid)


def kinds(rid):
    return [kit.norm_kind(r[0]) for r in pg.query("SELECT kind FROM event WHERE referral_id = %d ORDER BY id" % rid)]


def new_referral(name, patient):
    drop(d.inbox, name, kit.referral_pdf(OFFICE, patient))
    wait_for(lambda: settled(name), 120, 0.3)
    return referral_of(name)


try:
    sink.start()
    kit.replies_config(d, pg, sink)
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    kit.add_partner(d, pg, OFFICE, keys=("fax", "npi"), reply_email="desk@harborpoint-im.example")
    d.start()

    # resolve: an EKG the office sent through the hospital portal
    p1 = kit.Patient("Odalys", "Verhoeven", "03/14/1952")
    r1 = new_referral("r1.pdf", p1)
    tap.ok(r1 and status(r1) == "incomplete", "a referral without an EKG is incomplete")
    p = d.ctl("resolve", str(r1), "ekg")
    tap.ok(p.returncode == 2 and "--note" in p.stderr, "resolve without --note is refused", p.stderr)
    p = d.ctl("resolve", str(r1), "echo", "--note", "x")
    tap.ok(p.returncode == 1 and "ekg" in p.stderr, "an item not on the checklist is refused, naming the checklist",
           p.stderr)
    tap.ok(status(r1) == "incomplete", "and nothing changed")
    p = d.ctl("resolve", str(r1), "ekg", "--note", "EKG received via the hospital portal")
    tap.ok(p.returncode == 0 and "complete" in p.stdout, "resolve ekg --note completes the referral",
           p.stdout + p.stderr)
    tap.ok(status(r1) == "complete" and pg.scalar("SELECT completed_at IS NOT NULL AND NOT missing_ekg"
                                                   " FROM referral WHERE id = %d" % r1) == "t",
           "status complete, completed_at set, the EKG flag cleared")
    tap.ok(kit.in_order(kinds(r1), ["resolved", "checklist_rerun", "referral_complete"]),
           "events: resolved, checklist re-run, complete", kinds(r1))
    shown, p = kit.ctl_json(d, "show", str(r1), "--json")
    tap.ok(shown and shown.get("resolutions") and shown["resolutions"][0]["item"] == "ekg"
           and "portal" in shown["resolutions"][0]["note"], "show --json lists the resolution with its note",
           p.stdout[-2000:])

    # status: scheduled needs --at, declined needs --note
    p = d.ctl("status", str(r1), "scheduled")
    tap.ok(p.returncode == 2, "scheduled without --at is refused", p.stderr)
    p = d.ctl("status", str(r1), "declined")
    tap.ok(p.returncode == 2, "declined without --note is refused", p.stderr)
    p = d.ctl("status", str(r1), "scheduled", "--at", "2026-12-03 09:30")
    tap.ok(p.returncode == 0 and status(r1) == "scheduled", "scheduled --at", p.stderr)
    tap.ok(pg.scalar("SELECT scheduled_at IS NOT NULL AND appointment_at = '2026-12-03 09:30'::timestamptz"
                     " FROM referral WHERE id = %d" % r1) == "t", "scheduled_at and the appointment are recorded")
    p = d.ctl("status", str(r1), "seen")
    tap.ok(p.returncode == 0 and status(r1) == "seen", "seen", p.stderr)
    p = d.ctl("status", "999999", "seen")
    tap.ok(p.returncode == 1 and "no referral" in p.stderr, "an unknown referral is named", p.stderr)
    tap.ok(kinds(r1).count("status_changed") == 2, "each status change is an event", kinds(r1))

    # review: a follow-up that fits two referrals, settled by attach
    pa = kit.Patient("Ignatius", "Brandvold", "07/22/1947", "Male")
    pb = kit.Patient("Ignatius", "Brandvold", "07/23/1947", "Male")
    ra = new_referral("ra.pdf", pa)
    rb = new_referral("rb.pdf", pb)
    pg.query("UPDATE referral SET patient_dob = '1947-07-22' WHERE id = %d" % rb)
    drop(d.inbox, "fu.pdf", kit.text_pdf([kit.cover_lines(OFFICE, 1, 2, message="EKG attached."),
                                          kit.ekg_lines(pa)]))
    wait_for(lambda: settled("fu.pdf"), 120, 0.3)
    fu = item_of("fu.pdf")
    listed, p = kit.ctl_json(d, "review", "--json")
    tap.ok(listed and [r["item"] for r in listed] == [fu], "review lists the item that fits two referrals",
           p.stdout + p.stderr)
    p = d.ctl("attach", str(fu), str(ra))
    tap.ok(p.returncode == 0, "attach ITEM REFERRAL", p.stdout + p.stderr)
    tap.ok(status(ra) == "complete" and status(rb) == "incomplete", "the chosen referral is complete, the other not",
           (status(ra), status(rb)))
    tap.ok(pg.query("SELECT role, referral_id FROM item_origin WHERE item_id = %d" % fu) == [["followup", str(ra)]],
           "the item is recorded as its follow-up")
    listed, p = kit.ctl_json(d, "review", "--json")
    tap.ok(listed == [], "and the review list is empty", p.stdout)
    tap.ok("followup_attached" in kinds(ra), "event: follow-up attached", kinds(ra))

    # reprocess --new: the same situation, but it is a referral of its own
    pg.query("UPDATE referral SET status = 'incomplete' WHERE id = %d" % ra)
    drop(d.inbox, "fu2.pdf", kit.text_pdf([kit.cover_lines(OFFICE, 1, 2, message="Another EKG."),
                                           kit.ekg_lines(pa), ["Second tracing, repeat study."]]))
    wait_for(lambda: settled("fu2.pdf"), 120, 0.3)
    fu2 = item_of("fu2.pdf")
    tap.ok(pg.scalar("SELECT role FROM item_origin WHERE item_id = %d" % (fu2 or 0)) == "review",
           "a second ambiguous item waits for review")
    p = d.ctl("reprocess", str(r1))
    tap.ok(p.returncode == 1, "reprocess refuses an item that is done and not under review", p.stderr)
    p = d.ctl("reprocess", str(fu2), "--new")
    tap.ok(p.returncode == 0, "reprocess --new", p.stdout + p.stderr)
    made = wait_for(lambda: referral_of("fu2.pdf"), 120, 0.5)
    tap.ok(made and made not in (ra, rb), "the item became a referral of its own", made)

    # reprocess: a quarantined file, once more
    drop(d.inbox, "broken.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n")
    wait_for(lambda: settled("broken.pdf"), 60, 0.3)
    q = item_of("broken.pdf")
    state0 = pg.scalar("SELECT state FROM item WHERE id = %d" % q)
    p = d.ctl("reprocess", str(q))
    tap.ok(state0 == "quarantined" and p.returncode == 0, "a quarantined item is queued again",
           (state0, p.stdout, p.stderr))
    tap.ok(wait_for(lambda: pg.scalar("SELECT state FROM item WHERE id = %d" % q) == "failed", 60, 0.3),
           "and fails with its reason instead of waiting forever",
           pg.query("SELECT state, last_error FROM item WHERE id = %d" % q))

    # outbox retry: a reply suppressed because the partner takes none
    quiet = kit.Office(32, "Quietwater Family Practice", "Rowan Ashby", "quietwater-fp.example")
    kit.add_partner(d, pg, quiet, reply_channel="none", reply_email="desk@quietwater-fp.example",
                    keys=("fax", "npi"))
    p3 = kit.Patient("Saoirse", "Delacroix", "09/09/1970")
    drop(d.inbox, "quiet.pdf", kit.referral_pdf(quiet, p3))
    wait_for(lambda: settled("quiet.pdf"), 120, 0.3)
    # (the EKG that became a referral of its own above has no form: it
    # needs review, and its reply is held for a person, not suppressed)
    rows = kit.outbox(pg, "referral_id = %d" % (referral_of("quiet.pdf") or 0))
    tap.ok(len(rows) == 1 and rows[0]["state"] == "suppressed" and "partner" in rows[0]["reason"],
           "a partner with reply-channel none gets no reply, and the row says why", rows)
    n = sink.count()
    if rows:
        p = d.ctl("outbox", "retry", rows[0]["id"])
        tap.ok(p.returncode == 0, "outbox retry ID", p.stdout + p.stderr)
        tap.ok(wait_for(lambda: sink.count() == n + 1, 30, 0.3), "and the reply goes out", kit.outbox(pg))
        p = d.ctl("outbox", "retry", rows[0]["id"])
        tap.ok(p.returncode == 1, "a sent reply cannot be retried", p.stderr)
    listed, p = kit.ctl_json(d, "outbox", "--json", "--state", "sent")
    tap.ok(listed and all(r["state"] == "sent" for r in listed), "outbox --state sent --json", p.stdout[-1500:])
    log = d.log_text()
    leaked = [x.family for x in (p1, pa, p3) if x.family in log]
    tap.ok(not leaked, "no patient name in the daemon's log", leaked)
    tap.ok(d.stop() == 0, "clean stop")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, pg.stop)
