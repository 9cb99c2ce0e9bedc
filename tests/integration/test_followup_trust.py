#!/usr/bin/env python3
"""Answers complete the right referral, and only when that can be trusted:

- an answer without a reference from the referral's partner, whose
  patient's family name OCR misread by one letter, attaches to the open
  referral (family name within one edit plus date of birth) and completes it;
- a packet quoting a referral's reference from a stranger, about another
  patient, is not merged: it waits among staff's unmatched follow-ups with
  the reason, the referral is unchanged, and no referral is created;
- an EKG alone that answers no open referral is not a referral: it waits
  for staff, and nobody gets a request;
- an answer that fits two open referrals (the same patient referred by two
  offices) waits for staff with both as candidates."""
import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)

K = kit.Office(81, "Birchwood Family Practice", "Hana Sato", "birchwood-fp.example")
L = kit.Office(82, "Eastside Medical Group", "Paul Lindgren", "eastside-mg.example")
STRANGER = kit.Office(83, "Unknown Imaging LLC", "No One", "unknown-imaging.example")

work = Workdir("followup-trust")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)


def item(name):
    return pg.query("SELECT o.role, coalesce(o.referral_id::text, ''), coalesce(f.reason, ''),"
                    " coalesce(array_to_string(f.candidates, ','), '')"
                    " FROM receipt c JOIN item_origin o ON o.item_id = c.item_id"
                    " LEFT JOIN followup_review f ON f.item_id = c.item_id WHERE c.original_name = '%s'" % name)


def referral_of(name):
    v = pg.scalar("SELECT r.id FROM referral r JOIN receipt c ON c.item_id = r.item_id WHERE c.original_name = '%s'"
                  % name)
    return int(v) if v else None


def referral_pdf(office, patient):
    return kit.text_pdf([[kit.fax_header(office, 1, 2)] + kit.referral_form_lines(office, patient),
                         [kit.fax_header(office, 2, 2)] + kit.office_note_lines(patient)])


def run(step):
    rc = d.run_once(timeout=300)
    tap.ok(rc == 0, "%s: referrald --once exits 0" % step, d.log_text()[-1500:])


try:
    sink.start()
    kit.replies_config(d, pg, sink)
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    for office in (K, L):
        kit.add_partner(d, pg, office, reply_email=office.address, keys=("fax", "npi"))

    hartmann = kit.Patient("Greta", "Hartmann", "06/14/1946")
    twice = kit.Patient("Ivan", "Petrov", "01/09/1952", "Male")
    other = kit.Patient("Jonas", "Keller", "11/11/1960", "Male")
    drop(d.inbox, "r1.pdf", referral_pdf(K, hartmann))
    drop(d.inbox, "r2k.pdf", referral_pdf(K, twice))
    drop(d.inbox, "r2l.pdf", referral_pdf(L, twice))
    run("three referrals")
    r1, r2k, r2l = referral_of("r1.pdf"), referral_of("r2k.pdf"), referral_of("r2l.pdf")
    tap.ok(r1 and r2k and r2l and len({r1, r2k, r2l}) == 3,
           "the same patient referred by two offices makes two referrals", (r1, r2k, r2l))
    ref1 = pg.scalar("SELECT reference FROM referral WHERE id = %d" % (r1 or 0))
    requests = pg.scalar("SELECT count(*) FROM outbox WHERE kind = 'missing'")

    # the partner's EKG, no reference, the family name misread by one letter
    misread = kit.Patient("Greta", "Hartman", "06/14/1946")
    drop(d.inbox, "ekg1.pdf", kit.text_pdf([[kit.fax_header(K, 1, 1)] + kit.ekg_lines(misread)]))
    # a stranger quotes r1's reference about another patient
    drop(d.inbox, "forged.pdf", kit.text_pdf([["FAX COVER SHEET", "Reference: %s" % ref1,
                                               "Message: EKG as requested."], kit.ekg_lines(other)]))
    # an EKG alone, about nobody we know
    drop(d.inbox, "stray.pdf", kit.text_pdf([kit.ekg_lines(kit.Patient("Lena", "Moreau", "02/02/1972"))]))
    # an EKG about the patient both offices referred, from nobody known
    drop(d.inbox, "both.pdf", kit.text_pdf([kit.ekg_lines(twice)]))
    run("four answers")

    e1 = item("ekg1.pdf")
    tap.ok(e1 and e1[0][0] == "followup" and e1[0][1] == str(r1),
           "an answer without a reference, name off by one letter, attaches to the partner's referral", e1)
    tap.ok(pg.scalar("SELECT status FROM referral WHERE id = %d" % (r1 or 0)) == "complete",
           "and completes it")
    f = item("forged.pdf")
    tap.ok(f and f[0][0] == "review" and "neither" in f[0][2] and f[0][3] == str(r1),
           "a reference from a stranger about another patient waits for staff, with the reason", f)
    tap.ok(pg.scalar("SELECT count(*) FROM referral_document WHERE item_id = (SELECT item_id FROM receipt"
                     " WHERE original_name = 'forged.pdf')") == "0",
           "and nothing of it is filed with the referral it names")
    s = item("stray.pdf")
    tap.ok(s and s[0][0] == "review" and "not a referral" in s[0][2],
           "an EKG that answers no referral is not made a referral: it waits for staff", s)
    b = item("both.pdf")
    tap.ok(b and b[0][0] == "review" and sorted(b[0][3].split(",")) == sorted([str(r2k), str(r2l)]),
           "an answer that fits two open referrals waits for staff with both", b)
    tap.ok(pg.scalar("SELECT count(*) FROM referral") == "3", "no referral was created from an answer",
           pg.query("SELECT id, item_id FROM referral"))
    tap.ok(pg.scalar("SELECT count(*) FROM outbox WHERE kind = 'missing'") == requests,
           "and no new missing-document request was queued")
    p = d.ctl("review")
    tap.ok(p.returncode == 0 and "neither" in p.stdout and "not a referral" in p.stdout,
           "referralctl review shows them with their reasons", p.stdout + p.stderr)
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, pg.stop)
