#!/usr/bin/env python3
"""Patient data past [retention] can be deleted, and nothing of it stays:

- referrals, follow-ups and a stray item older than the retention period
  (backdated in the database) are purged by the daemon's own daily purge
  (its first run, 30 s after the start): afterwards none of their
  patients' names is anywhere in a pg_dump of the database, nor in any file
  of the spool folders (processed/, quarantine/, the inbox);
- a referral inside the retention window is intact: its fields, documents,
  checklist, pages, raw bytes, reply and its copy in processed/;
- the event log keeps ids and kinds of what was purged, and nothing blocks
  the deletion;
- `referralctl purge --dry-run` counts without deleting, and a second
  `referralctl purge` finds nothing more to do."""
import json
import os
import shutil
import subprocess

import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)
if shutil.which("pg_dump") is None:
    tap.skip_all("pg_dump (postgresql-client) is needed")

K = kit.Office(85, "Willow Bend Primary Care", "Ada Lindqvist", "willowbend-pc.example")
OLD = [kit.Patient("Wilhelmina", "Quackenbush", "04/12/1944"),
       kit.Patient("Bartholomew", "Oyelaran", "10/03/1951", "Male")]
STRAY = kit.Patient("Philippa", "Zanzibarova", "02/14/1969")
NEW = kit.Patient("Cornelius", "Vandermeer", "08/08/1958", "Male")
OLD_NAMES = [n for p in OLD + [STRAY] for n in (p.given, p.family)]

work = Workdir("retention")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)


def referral_pdf(office, patient):
    return kit.text_pdf([[kit.fax_header(office, 1, 2)] + kit.referral_form_lines(office, patient),
                         [kit.fax_header(office, 2, 2)] + kit.office_note_lines(patient)])


def referral_of(name):
    v = pg.scalar("SELECT r.id FROM referral r JOIN receipt c ON c.item_id = r.item_id WHERE c.original_name = '%s'"
                  % name)
    return int(v) if v else None


def dump():
    out = subprocess.run(["pg_dump", "--no-owner", pg.dsn], capture_output=True, text=True)
    return out.stdout.lower() if out.returncode == 0 else None


def spool_hits(names):
    """(file, name) for every spool file holding one of @names."""
    hits = []
    for folder in (d.inbox, d.processed, d.quarantine):
        for root, _, files in os.walk(folder):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read().lower()
                hits += [(f, n) for n in names if n.lower().encode() in data]
    return hits


def run(step):
    rc = d.run_once(timeout=300)
    tap.ok(rc == 0, "%s: referrald --once exits 0" % step, d.log_text()[-1500:])


try:
    sink.start()
    kit.replies_config(d, pg, sink)
    with open(d.config, "a") as f:
        f.write("[retention]\nraw-items=1y\npage-text=1y\nfields=1y\nprocessed=30d\n")
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    kit.add_partner(d, pg, K, reply_email=K.address, keys=("fax", "npi"))

    for i, p in enumerate(OLD):
        drop(d.inbox, "old%d.pdf" % i, referral_pdf(K, p))
    run("two referrals")
    old_ids = [referral_of("old%d.pdf" % i) for i in range(len(OLD))]
    # the partner's EKG answering the first; an EKG about nobody we know
    drop(d.inbox, "old-ekg.pdf", kit.text_pdf([[kit.fax_header(K, 1, 1)] + kit.ekg_lines(OLD[0])]))
    drop(d.inbox, "stray.pdf", kit.text_pdf([kit.ekg_lines(STRAY)]))
    run("a follow-up and a stray item")
    if not tap.ok(all(old_ids), "the old referrals are stored", old_ids):
        raise SystemExit
    # they arrived 400 days ago
    pg.query("UPDATE item SET received_at = now() - interval '400 days'")
    pg.query("UPDATE referral SET created_at = now() - interval '400 days', updated_at = now() - interval '400 days',"
             " received_at = now() - interval '400 days',"
             " completed_at = CASE WHEN completed_at IS NOT NULL THEN now() - interval '400 days' END")
    old_items = [r[0] for r in pg.query("SELECT id FROM item ORDER BY id")]

    drop(d.inbox, "new.pdf", referral_pdf(K, NEW))
    run("a recent referral")
    new_id = referral_of("new.pdf")
    tap.ok(new_id, "the recent referral is stored")
    before = dump()
    tap.ok(before is not None and all(n.lower() in before for n in OLD_NAMES + [NEW.family]),
           "before the purge the database dump holds every patient's name (the check can see them)")
    tap.ok({n for _, n in spool_hits(OLD_NAMES)} >= {OLD[0].family, OLD[1].family},
           "and the old faxes are in processed/", spool_hits(OLD_NAMES))
    new_state = pg.query("SELECT status, patient_family, reference, (SELECT count(*) FROM referral_document"
                         " WHERE referral_id = r.id), (SELECT count(*) FROM referral_checklist WHERE referral_id = r.id),"
                         " (SELECT count(*) FROM page WHERE item_id = r.item_id),"
                         " (SELECT length(raw) FROM item WHERE id = r.item_id),"
                         " (SELECT count(*) FROM outbox WHERE referral_id = r.id)"
                         " FROM referral r WHERE id = %d" % (new_id or 0))

    p = d.ctl("purge", "--dry-run", "--json")
    counts = json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else {}
    tap.ok(counts.get("referrals") == 2 and counts.get("files", 0) >= 4 and counts.get("dry_run") is True,
           "purge --dry-run counts the two old referrals and their files", p.stdout + p.stderr)
    tap.ok(pg.scalar("SELECT count(*) FROM referral") == "3" and OLD[0].family.lower() in (dump() or ""),
           "and deletes nothing")

    # the daemon's own daily purge: its first run comes 30 s after the start
    d.start()
    purged = wait_for(lambda: "purge: 2 referral(s)" in d.log_text(), 90, 0.5)
    tap.ok(purged, "the daemon purges by itself after its start, and logs what", d.log_text()[-2000:])
    tap.ok(d.stop() == 0, "clean stop")

    after = dump() or "(no dump)"
    left = [n for n in OLD_NAMES if n.lower() in after]
    tap.ok(after != "(no dump)" and not left,
           "after the purge no purged patient's name is anywhere in the database (pg_dump)", left)
    hits = spool_hits(OLD_NAMES)
    tap.ok(not hits, "nor in any file of the spool folders (inbox, processed/, quarantine/)", hits)
    tap.ok(NEW.family.lower() in after and spool_hits([NEW.family]),
           "the recent patient is still in the database and in processed/")
    tap.ok(pg.query("SELECT status, patient_family, reference, (SELECT count(*) FROM referral_document"
                    " WHERE referral_id = r.id), (SELECT count(*) FROM referral_checklist WHERE referral_id = r.id),"
                    " (SELECT count(*) FROM page WHERE item_id = r.item_id),"
                    " (SELECT length(raw) FROM item WHERE id = r.item_id),"
                    " (SELECT count(*) FROM outbox WHERE referral_id = r.id)"
                    " FROM referral r WHERE id = %d" % (new_id or 0)) == new_state and new_state,
           "the referral inside the retention window is intact: fields, documents, checklist, pages, bytes, reply",
           new_state)
    tap.ok(pg.scalar("SELECT count(*) FROM referral WHERE id IN (%s)" % ",".join(map(str, old_ids))) == "0",
           "the old referrals are gone")
    tap.ok(pg.scalar("SELECT count(*) FROM item WHERE id IN (%s) AND (raw IS NOT NULL OR purged_at IS NULL)"
                     % ",".join(old_items)) == "0",
           "their items keep no bytes")
    kinds = pg.query("SELECT DISTINCT kind FROM event WHERE referral_id IN (%s)" % ",".join(map(str, old_ids)))
    tap.ok(["referral-created"] in kinds, "the event log keeps their ids and kinds", kinds)
    tap.ok(pg.scalar("SELECT count(*) FROM event WHERE kind = 'purged'") == "1", "the purge itself is an event")

    p = d.ctl("purge", "--json")
    again = json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else None
    tap.ok(again == {"dry_run": False, "referrals": 0, "items": 0, "raw": 0, "pages": 0, "files": 0},
           "referralctl purge afterwards finds nothing more to delete", p.stdout + p.stderr)
    p = d.ctl("purge")
    tap.ok(p.returncode == 0 and p.stdout.startswith("deleted 0 referral(s)"), "and says so in words", p.stdout)
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, pg.stop)
