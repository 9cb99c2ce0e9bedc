#!/usr/bin/env python3
"""Replies to fax referrals: a one-page PDF in the outbound fax spool, named
for the destination number (fax-reply=spool), or a mail with that page to
an email-to-fax gateway (fax-reply=gateway).  The page carries the
reference and the missing items, and OCR reads the reference back (the
page alone then waits for staff: a reference proves nothing by itself)."""
import os
import re
import subprocess

import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)
if not kit.raster_available():
    tap.skip_all("pdftoppm (poppler-utils) is needed")

OFFICE = kit.Office(41, "Cedar Hollow Internal Medicine", "Samuel Okafor", "cedarhollow-im.example")
REPLY_FAX = "5552019911"

work = Workdir("faxreplies")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)
spool = work.sub("outfax")


def settled(name):
    return pg.scalar("SELECT i.state FROM item i JOIN receipt c ON c.item_id = i.id WHERE c.original_name = '%s'"
                     % name) in ("done", "failed")


def pdftotext(path):
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True).stdout


try:
    sink.start()
    kit.replies_config(d, pg, sink, replies={"fax-reply": "spool", "fax-spool": spool})
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    kit.add_partner(d, pg, OFFICE, reply_channel="fax", reply_fax=REPLY_FAX, keys=("fax", "npi"))
    # the spool is shared with the fax gateway's group: a link planted
    # under a name the sender might use for its temporary file
    victim = os.path.join(work.path, "victim.txt")
    with open(victim, "w") as f:
        f.write("precious\n")
    for name in (".tmp-reply.pdf", ".tmp-reply.pdf.part"):
        os.symlink(victim, os.path.join(spool, name))
    d.start()

    p1 = kit.Patient("Harold", "Brzezinski", "09/02/1946", "Male")
    drop(d.inbox, "r1.pdf", kit.referral_pdf(OFFICE, p1))
    wait_for(lambda: settled("r1.pdf"), 120, 0.3)
    ref1 = pg.scalar("SELECT reference FROM referral LIMIT 1")
    files = wait_for(lambda: [f for f in os.listdir(spool) if f.endswith(".pdf") and not f.startswith(".")], 60, 0.3)
    tap.ok(files and len(files) == 1 and files[0].startswith(REPLY_FAX + "-" + ref1),
           "one reply page in the fax spool, named for the partner's reply fax number", (files, ref1))
    tap.ok(not [f for f in os.listdir(spool) if f.startswith(".") and not os.path.islink(os.path.join(spool, f))],
           "no temporary file left in the spool", os.listdir(spool))
    with open(victim, "rb") as f:
        tap.ok(f.read() == b"precious\n", "a link planted in the spool is not followed: its target is untouched")
    if files:
        path = os.path.join(spool, files[0])
        text = pdftotext(path)
        pages = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
        tap.ok(re.search(r"^Pages:\s+1$", pages, re.M), "the reply is one page", pages)
        tap.ok("Reference: " + ref1 in text and "12-lead EKG" in text,
               "it shows the reference and the missing EKG in plain words", text)
        tap.ok(p1.family not in text and "H.B." in text, "the patient appears as initials only", text)
        # a fax machine prints it at 200 dpi and the office faxes it back
        png = work.sub("ocr")
        subprocess.run(["pdftoppm", "-r", "200", "-mono", "-png", path, os.path.join(png, "p")], check=True)
        drop(d.inbox, "back.png", open(os.path.join(png, sorted(os.listdir(png))[0]), "rb").read())
        wait_for(lambda: settled("back.png"), 120, 0.3)
        # the page alone, without a fax header: OCR reads the reference, but
        # a reference proves nothing by itself (neither a known sender nor
        # the patient confirms it), so staff decide
        role = pg.query("SELECT o.role, array_to_string(f.candidates, ','), f.reason FROM item_origin o"
                        " JOIN receipt c ON c.item_id = o.item_id LEFT JOIN followup_review f"
                        " ON f.item_id = o.item_id WHERE c.original_name = 'back.png'")
        rid = pg.scalar("SELECT id FROM referral WHERE reference = '%s'" % ref1)
        tap.ok(role and role[0][0] == "review" and role[0][1] == rid and "neither" in (role[0][2] or ""),
               "the reply page faxed back is read (OCR): its reference names the referral, which waits for staff"
               " to confirm", role)
    rows = kit.outbox(pg)
    tap.ok(len(rows) == 1 and rows[0]["channel"] == "fax-spool" and rows[0]["state"] == "sent",
           "the outbox row is fax-spool, sent", rows)
    tap.ok(sink.count() == 0, "no mail for a fax reply")
    tap.ok(d.stop() == 0, "clean stop")

    # the same partner through an email-to-fax gateway
    kit.replies_config(d, pg, sink, replies={"fax-reply": "gateway", "fax-gateway": "{number}@faxgw.example"})
    d.start()
    p2 = kit.Patient("Dolores", "Finnegan", "01/17/1958")
    drop(d.inbox, "r2.pdf", kit.referral_pdf(OFFICE, p2))
    got = wait_for(lambda: sink.count() == 1, 120, 0.3)
    tap.ok(got, "a fax reply through the gateway is one mail", kit.outbox(pg))
    if got:
        m = sink.messages()[0]
        tap.ok(m.rcpt_tos == [REPLY_FAX + "@faxgw.example"], "addressed to the gateway with the fax number",
               m.rcpt_tos)
        parts = [p for p in m.msg.walk() if p.get_content_type() == "application/pdf"]
        tap.ok(len(parts) == 1, "with the reply page attached as a PDF", [p.get_content_type() for p in m.msg.walk()])
        tap.ok(m.header("Auto-Submitted") == "auto-replied", "Auto-Submitted: auto-replied")
    tap.ok(d.stop() == 0, "clean stop")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, pg.stop)
