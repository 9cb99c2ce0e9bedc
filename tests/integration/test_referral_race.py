#!/usr/bin/env python3
"""One referral per packet under concurrency: two or three copies of the
same referral packet (a resent fax, the same PDF in two mailboxes) reach
several workers at the same moment.  Each round must end with exactly one
referral for the patient, the other copies filed as its follow-ups, and
one missing-document request, never two.  20 rounds, three workers."""
import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop

ROUNDS = 20

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)

OFFICE = kit.Office(61, "Harbor Point Family Medicine", "Nadia Brennan", "harborpoint-fm.example")

work = Workdir("race")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)

try:
    sink.start()
    kit.replies_config(d, pg, sink, workers={"count": "3", "poll-interval": "1"},
                       replies={"max-per-recipient": "1000"})
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    kit.add_partner(d, pg, OFFICE, reply_email=OFFICE.address, keys=("fax", "npi"))

    failures = []
    for n in range(ROUNDS):
        copies = 2 + n % 2
        patient = kit.Patient("Quinn", "Racewell", "03/%02d/1951" % (n + 1))
        pages = [[kit.fax_header(OFFICE, 1, 2)] + kit.referral_form_lines(OFFICE, patient),
                 [kit.fax_header(OFFICE, 2, 2)] + kit.office_note_lines(patient)]
        pdf = kit.text_pdf(pages)
        for c in range(copies):
            # the same packet; bytes differ (a resend), so intake keeps each
            drop(d.inbox, "round%02d-copy%d.pdf" % (n, c), pdf + b"\n%% resend %d\n" % c)
        rc = d.run_once(timeout=300)
        dob = "1951-03-%02d" % (n + 1)
        refs = pg.query("SELECT id FROM referral WHERE patient_dob = '%s'" % dob)
        roles = sorted(r[0] for r in pg.query(
            "SELECT o.role FROM item_origin o JOIN receipt c ON c.item_id = o.item_id"
            " WHERE c.original_name LIKE 'round%02d-%%'" % n))
        requests = pg.query("SELECT count(*) FROM outbox o JOIN referral r ON r.id = o.referral_id"
                            " WHERE r.patient_dob = '%s' AND o.kind = 'missing' AND o.state <> 'suppressed'" % dob)
        want_roles = sorted(["referral"] + ["followup"] * (copies - 1))
        if rc != 0 or len(refs) != 1 or roles != want_roles or requests != [["1"]]:
            failures.append((n, copies, rc, refs, roles, requests))
    tap.ok(not failures, "%d rounds of 2 or 3 copies at once: one referral each, the other copies its"
           " follow-ups, one request" % ROUNDS, failures)
    tap.ok(pg.scalar("SELECT count(*) FROM item WHERE state <> 'done'") == "0", "every copy is done")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, pg.stop)
