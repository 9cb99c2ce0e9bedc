#!/usr/bin/env python3
"""References are random and still find their referral:

- every new referral gets a reference of nine random symbols and a check
  symbol (RD-XXXXX-XXXXX); consecutive referrals' references share no
  fixed relation, so one seen reference tells nothing about the next;
- a follow-up from the partner quoting a new reference on its cover sheet
  is filed with that referral;
- a reference given by an earlier version (RD-XXXXXXC, computed from the
  referral id) still finds its referral, so answers to old requests match."""
import re

import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)

ALPHABET = "CEFHJKMNPRTWXY34679"
K = kit.Office(84, "Alder Creek Family Medicine", "Mara Olsen", "aldercreek-fm.example")
OLD_REFERENCE = "RD-W3YHT9M"  # what an earlier version gave referral 900001

work = Workdir("references")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)


def referral_of(name):
    v = pg.scalar("SELECT r.id FROM referral r JOIN receipt c ON c.item_id = r.item_id WHERE c.original_name = '%s'"
                  % name)
    return int(v) if v else None


def referral_pdf(office, patient):
    return kit.text_pdf([[kit.fax_header(office, 1, 2)] + kit.referral_form_lines(office, patient),
                         [kit.fax_header(office, 2, 2)] + kit.office_note_lines(patient)])


def symbols(ref):
    return [ALPHABET.index(c) for c in ref[3:].replace("-", "")[:9]]


def attached_by_reference(name):
    return pg.scalar("SELECT e.detail->>'matched_by' FROM event e JOIN receipt c ON c.item_id = e.item_id"
                     " WHERE e.kind = 'followup-attached' AND c.original_name = '%s'" % name) or ""


def run(step):
    rc = d.run_once(timeout=300)
    tap.ok(rc == 0, "%s: referrald --once exits 0" % step, d.log_text()[-1500:])


try:
    sink.start()
    kit.replies_config(d, pg, sink)
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    kit.add_partner(d, pg, K, reply_email=K.address, keys=("fax", "npi"))

    patients = [kit.Patient("Elin", "Strand", "03/02/1950"), kit.Patient("Tomas", "Berg", "07/21/1948", "Male"),
                kit.Patient("Ruth", "Adler", "12/05/1939"), kit.Patient("Omar", "Haddad", "09/30/1961", "Male")]
    for i, p in enumerate(patients):
        drop(d.inbox, "r%d.pdf" % i, referral_pdf(K, p))
    run("four referrals")
    ids = [referral_of("r%d.pdf" % i) for i in range(len(patients))]
    if not tap.ok(all(ids), "four referrals stored", ids):
        raise SystemExit
    rows = pg.query("SELECT id, reference FROM referral ORDER BY id")
    refs = [r[1] for r in rows]
    # two workers may store the referrals in any order: each one's own
    ref_of = {int(r[0]): r[1] for r in rows}
    tap.ok(all(re.fullmatch(r"RD-[%s]{5}-[%s]{5}" % (ALPHABET, ALPHABET), r) for r in refs),
           "each reference is RD-XXXXX-XXXXX from the look-alike-free alphabet", refs)
    tap.ok(len(set(refs)) == len(refs), "no two referrals share a reference", refs)
    diffs = [sum(a != b for a, b in zip(symbols(x), symbols(y))) for x, y in zip(refs, refs[1:])]
    tap.ok(all(n >= 5 for n in diffs),
           "consecutive referrals' references differ in most of their nine random symbols", (refs, diffs))
    steps = [tuple((b - a) % 19 for a, b in zip(symbols(x), symbols(y))) for x, y in zip(refs, refs[1:])]
    tap.ok(len(set(steps)) == len(steps),
           "and no fixed step leads from one to the next (nothing to compute them from)", steps)

    # the partner answers referral 1 quoting its new reference; referral 2
    # holds a reference an earlier version gave, quoted by the partner
    pg.query("UPDATE referral SET reference = '%s' WHERE id = %d" % (OLD_REFERENCE, ids[2]))
    drop(d.inbox, "ans-new.pdf", kit.text_pdf([kit.cover_lines(K, 1, 2, reference=ref_of[ids[1]]),
                                               [kit.fax_header(K, 2, 2)] + kit.ekg_lines(patients[1])]))
    drop(d.inbox, "ans-old.pdf", kit.text_pdf([kit.cover_lines(K, 1, 2, reference=OLD_REFERENCE),
                                               [kit.fax_header(K, 2, 2)] + kit.ekg_lines(patients[2])]))
    run("two answers")
    how = attached_by_reference("ans-new.pdf")
    tap.ok("reference" in how, "a follow-up quoting a new reference is filed with its referral, by the reference",
           pg.query("SELECT kind, referral_id, detail FROM event WHERE kind LIKE 'followup%'"))
    tap.ok(pg.scalar("SELECT count(*) FROM referral_document d JOIN receipt c ON c.item_id = d.item_id"
                     " WHERE c.original_name = 'ans-new.pdf' AND d.referral_id = %d" % ids[1]) not in (None, "0"),
           "its EKG is one of that referral's documents")
    how = attached_by_reference("ans-old.pdf")
    tap.ok("reference" in how, "a follow-up quoting a reference an earlier version gave still finds its referral",
           pg.query("SELECT kind, referral_id, detail FROM event WHERE kind LIKE 'followup%'"))
    tap.ok(pg.scalar("SELECT count(*) FROM referral") == "4", "no referral was created from an answer")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, pg.stop)
