#!/usr/bin/env python3
"""From dropped faxes to referrals: each item becomes exactly one referral
with its pages, documents and checklist; the flags and `referralctl list`
and `show` agree with the checklist; what the daemon stores equals what
`referralctl extract` says; unreadable files fail with a clear reason."""
import json
import os
import re
import shutil
import subprocess

from harness import BUILD, REFERRALCTL, Daemon, Postgres, Tap, Workdir, drop, wait_for

SHARED = os.environ.get("RD_SHARED_DIR", "")
tap = Tap()
work = Workdir("referrals")
pg = Postgres(work)
d = Daemon(work, pg, dropdir__settle_time="0")
try:
    gen = subprocess.run([os.path.join(BUILD, "tools", "make-demo-faxes"), d.inbox], capture_output=True,
                         text=True, check=True)
    expect_pages = {}
    for line in gen.stdout.splitlines():
        m = re.match(r"(\S+): (\d+) pages", line)
        if m:
            expect_pages[m.group(1)] = int(m.group(2))
    samples = []
    if os.path.isdir(os.path.join(SHARED, "samples")):
        # other layouts than the generator's, with ground truth
        for name in ("fax03.pdf", "fax12.tif", "digital22.pdf", "email19.eml"):
            shutil.copy(os.path.join(SHARED, "samples", name), os.path.join(work.path, name))
            samples.append(name)
    encrypted = os.path.join(SHARED, "corpus", "pdf", "pdfium-encrypted_hello_world_r2.pdf")
    if os.path.exists(encrypted):
        shutil.copy(encrypted, os.path.join(d.inbox, "locked.pdf"))
    for name in samples:
        if not name.endswith(".eml"):
            shutil.copy(os.path.join(work.path, name), os.path.join(d.inbox, name))

    rc = d.run_once(timeout=900)
    tap.ok(rc == 0, "referrald --once exits 0", d.log_text()[-3000:])

    n_files = len(expect_pages) + len([s for s in samples if not s.endswith(".eml")])
    rows = pg.query("SELECT r.original_name, i.state, i.n_pages, i.attempts, coalesce(i.last_error, '')"
                    " FROM item i JOIN receipt r ON r.item_id = i.id")
    by_name = {r[0]: r[1:] for r in rows}
    tap.ok(all(by_name.get(n, [None])[0] == "done" for n in expect_pages), "every generated fax is done",
           rows)
    tap.ok(all(by_name[n][1] == str(p) for n, p in expect_pages.items() if n in by_name),
           "every page of every file was read and stored", {n: (by_name.get(n), p) for n, p in expect_pages.items()})
    tap.ok(pg.scalar("SELECT count(*) FROM referral") == str(n_files), "one referral per fax (%d)" % n_files)
    tap.ok(pg.scalar("SELECT count(*) FROM (SELECT item_id FROM referral GROUP BY item_id HAVING count(*) > 1) x")
           == "0", "no item became two referrals")
    tap.ok(pg.scalar("SELECT count(*) FROM page p JOIN receipt r ON r.item_id = p.item_id"
                     " WHERE r.original_name LIKE '%-ehr.pdf' AND p.method <> 'text-layer'") == "0",
           "born-digital PDFs are read from their text layer, without OCR")
    tap.ok(pg.scalar("SELECT count(*) FROM page p JOIN receipt r ON r.item_id = p.item_id"
                     " WHERE r.original_name LIKE '%-fax%' AND p.method <> 'ocr'") == "0",
           "fax images are OCRed")

    # flags and status follow the checklist
    inconsistent = pg.query(
        "SELECT r.id FROM referral r WHERE"
        " (r.status = 'complete') <> NOT EXISTS (SELECT 1 FROM referral_checklist c WHERE c.referral_id = r.id"
        "   AND NOT c.present)"
        " OR r.missing_ekg <> EXISTS (SELECT 1 FROM referral_checklist c WHERE c.referral_id = r.id"
        "   AND c.item = 'ekg' AND NOT c.present)"
        " OR r.missing_labs <> EXISTS (SELECT 1 FROM referral_checklist c WHERE c.referral_id = r.id"
        "   AND c.item LIKE 'labs%' AND NOT c.present)")
    tap.ok(inconsistent == [], "status, missing-EKG and missing-labs flags agree with the checklist", inconsistent)
    tap.ok(pg.scalar("SELECT count(*) FROM referral_checklist WHERE NOT present AND why IS NULL") == "0",
           "every missing item says why")
    tap.ok(pg.scalar("SELECT count(*) FROM event WHERE kind = 'referral-created'") == str(n_files),
           "each referral is in the event log")

    p = d.ctl("list", "--missing", "ekg", "--json")
    listed = {r["id"] for r in json.loads(p.stdout)} if p.returncode == 0 else None
    flagged = {int(r[0]) for r in pg.query("SELECT id FROM referral WHERE missing_ekg")}
    tap.ok(listed == flagged, "list --missing ekg shows exactly the referrals missing an EKG", (listed, flagged))
    p = d.ctl("list", "--status", "incomplete", "--json")
    listed = [r for r in json.loads(p.stdout)] if p.returncode == 0 else []
    tap.ok({r["id"] for r in listed} == {int(r[0]) for r in pg.query(
        "SELECT id FROM referral WHERE status = 'incomplete'")} and all(r["missing"] for r in listed),
        "list --status incomplete shows the incomplete ones, each with what is missing")
    inc = pg.scalar("SELECT id FROM referral WHERE status = 'incomplete' ORDER BY id LIMIT 1")
    if inc:
        p = d.ctl("show", inc)
        tap.ok(p.returncode == 0 and "MISSING" in p.stdout and "not enclosed" in p.stdout
               and "referral-created" in p.stdout, "show explains what is missing and why", p.stdout + p.stderr)
    p = d.ctl("show", "999999")
    tap.ok(p.returncode != 0 and "no referral" in p.stderr, "show of an unknown id is a clear error")

    # what the daemon stored is what `referralctl extract` prints
    for name in samples:
        if name.endswith(".eml"):
            continue
        truth = json.load(open(os.path.join(SHARED, "samples", name.rsplit(".", 1)[0] + ".truth.json")))
        got = pg.query("SELECT c.item FROM referral_checklist c JOIN referral r ON r.id = c.referral_id"
                       " JOIN receipt rc ON rc.item_id = r.item_id WHERE rc.original_name = '%s'"
                       " AND NOT c.present" % name)
        tap.ok(sorted(x[0] for x in got) == sorted(truth["missing"]),
               "%s: the stored missing set matches its ground truth" % name, (got, truth["missing"]))
    if not samples:
        tap.skip("the shared samples' stored missing sets match their ground truth",
                 "RD_SHARED_DIR has no samples/")
        tap.skip("extract reads an email: body and attachments", "RD_SHARED_DIR has no samples/")
    if samples:
        p = subprocess.run([REFERRALCTL, "extract", "--compact", os.path.join(work.path, "email19.eml")],
                           capture_output=True, text=True)
        truth = json.load(open(os.path.join(SHARED, "samples", "email19.truth.json")))
        out = json.loads(p.stdout) if p.returncode == 0 else {}
        tap.ok(out.get("channel") == "email" and sorted(out.get("missing", [])) == sorted(truth["missing"]),
               "extract reads an email: body and attachments", p.stderr)
    if os.path.exists(encrypted):
        st = by_name.get("locked.pdf")
        tap.ok(st and st[0] == "failed" and st[2] == "1" and "encrypt" in st[3].lower(),
               "an encrypted PDF fails at once with the reason, without pointless retries", st)
    else:
        tap.skip("an encrypted PDF fails at once with the reason", "RD_SHARED_DIR has no corpus/pdf")

    log = d.log_text()
    names = [r[0] for r in pg.query("SELECT patient_family FROM referral WHERE patient_family IS NOT NULL")]
    leaked = [n for n in names if n and n in log]
    tap.ok(names and not leaked, "no patient name appears in the daemon's log", leaked)
finally:
    work.finish(tap, d.kill_group, pg.stop)
