#!/usr/bin/env python3
"""Where a missing-document request goes, against hostile and unusual
packets (real PostgreSQL, Dovecot and SMTP sink; fax replies to the spool):

- a form that names an attacker's fax number and email address, from a
  partner matched by its NPI: the request goes to the partner's registered
  fax, never to the attacker;
- an image-only fax whose header and form print the partner's number one
  digit off (as OCR misreads it): the partner's registered number;
- a cover sheet whose only fax number is the practice's own ("To" block):
  no request to ourselves;
- an unknown office's fax (header number only): the request is held for a
  person (unknown-senders=review), names the reference and the missing
  items but not the patient, and goes out once after `referralctl outbox
  approve` (and `hold`, then `approve` again), which records the Unix user;
- an email from an unknown office with a Reply-To at another domain and
  an attacker's fax on its form: held for the sender's own address only;
- a fax relayed by eFax from a no-reply address: recognised as a relay,
  answered by fax to the number the relay names, never suppressed as an
  automatic sender, and no mail to the relay."""
import email.utils
import os
import subprocess
from email.message import EmailMessage

import dovecot
import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop

tap = Tap()
why = smtpsink.available() or dovecot.available()
if why:
    tap.skip_all(why)
if not kit.raster_available():
    tap.skip_all("pdftoppm (poppler-utils) is needed to draw fax pages")

ATTACKER_FAX = "5556667777"
ATTACKER_MAIL = "fax-desk@attacker.example"
NPI_ONLY = kit.Office(72, "Willow Creek Cardiology Group", "Ruth Abernathy", "willowcreek.example")
NEAR = kit.Office(73, "Stonebridge Primary Care", "Elias Varga", "stonebridge-pc.example")
STRANGER = kit.Office(74, "Pinecrest Walk-in Clinic", "Tomas Reyes", "pinecrest.example")
UNKNOWN = kit.Office(75, "Lakeview Medical", "Irene Holt", "lakeview-med.example")
RELAYED = kit.Office(76, "Maple Ridge Internal Medicine", "Colm Doyle", "mapleridge-im.example")

work = Workdir("reply-routing")
pg = Postgres(work)
dv = dovecot.Dovecot(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)
spool = work.sub("outfax")


def origin_row(name):
    return pg.query("SELECT o.role, o.partner_match, coalesce(o.relay, ''), coalesce(o.relay_fax, ''),"
                    " o.referral_id FROM item_origin o JOIN receipt c ON c.item_id = o.item_id"
                    " WHERE c.original_name = '%s'" % name)


def requests_for(name):
    return kit.outbox(pg, "kind = 'missing' AND referral_id IN (SELECT r.id FROM referral r JOIN receipt c"
                          " ON c.item_id = r.item_id WHERE c.original_name = '%s')" % name)


def requests_by_subject(subject):
    return kit.outbox(pg, "kind = 'missing' AND referral_id IN (SELECT r.id FROM referral r JOIN item_origin o"
                          " ON o.item_id = r.item_id WHERE o.subject = '%s')" % subject)


def hostile_form(office, patient):
    """The partner's form, but its fax line and an email line name the attacker."""
    lines = []
    for line in kit.referral_form_lines(office, patient):
        if line.startswith("Phone:"):
            line = "Phone: %s   Fax: %s" % (kit.dashed(office.phone), kit.dashed(ATTACKER_FAX))
        lines.append(line)
    return lines + ["Send all correspondence to: %s, fax %s" % (ATTACKER_MAIL, kit.dashed(ATTACKER_FAX))]


def off_by_one(number):
    """One digit misread in the middle (the other test partners differ in
    the last digit, so this is nearer to one partner than to any other)."""
    return number[:4] + str((int(number[4]) + 8) % 10) + number[5:]


try:
    dv.start()
    sink.start()
    kit.replies_config(d, pg, sink, mailbox=dv,
                       replies={"reply-unknown": None, "unknown-senders": "review", "fax-reply": "spool",
                                "fax-spool": spool, "own-numbers": "555-201-0199"})
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    kit.add_partner(d, pg, NPI_ONLY, keys=("npi", "fax"))
    kit.add_partner(d, pg, NEAR, keys=("fax",))
    kit.add_partner(d, pg, RELAYED, keys=("fax",))

    # a partner matched by NPI whose form names the attacker
    p1 = kit.Patient("Agnes", "Whitlock", "02/11/1944")
    drop(d.inbox, "hostile.pdf", kit.text_pdf([hostile_form(NPI_ONLY, p1), kit.office_note_lines(p1)]))
    # the partner's number misread by one digit on the header and the form
    p2 = kit.Patient("Bernard", "Osei", "07/19/1950", "Male")
    form = [line.replace(kit.dashed(NEAR.fax), kit.dashed(off_by_one(NEAR.fax)))
            for line in kit.referral_form_lines(NEAR, p2) if not line.startswith("NPI:")]
    header = "NOV-21-2026 10:42 FROM: %s %s  TO: %s  P.1/2" % (kit.dashed(off_by_one(NEAR.fax)),
                                                               NEAR.practice.upper(), kit.OUR_FAX)
    # an image-only fax: only OCR may misread digits, a text layer is exact
    drop(d.inbox, "near.pdf", kit.fax_pdf([[header, ""] + form]))
    # a cover sheet whose only number is ours
    p3 = kit.Patient("Celia", "Marchetti", "12/01/1961")
    cover = ["FAX COVER SHEET", "", "To: %s" % kit.PRACTICE, "Fax: %s" % kit.OUR_FAX, "",
             "From: %s" % STRANGER.practice, "Pages: 3", "Message: new referral attached."]
    form = [line for line in kit.referral_form_lines(STRANGER, p3) if not line.startswith(("Phone:", "NPI:"))]
    drop(d.inbox, "cover.pdf", kit.text_pdf([cover, form, kit.office_note_lines(p3)]))
    # an unknown office, its number on the fax header only
    p4 = kit.Patient("Dorothea", "Quill", "08/08/1948")
    form = [line for line in kit.referral_form_lines(UNKNOWN, p4) if not line.startswith(("Phone:", "NPI:"))]
    drop(d.inbox, "unknown.pdf", kit.text_pdf([[kit.fax_header(UNKNOWN, 1, 2)] + form,
                                               [kit.fax_header(UNKNOWN, 2, 2)] + kit.office_note_lines(p4)]))
    # an unknown office by email, Reply-To elsewhere, the attacker's fax on the form
    p5 = kit.Patient("Edwin", "Farrow", "04/22/1955", "Male")
    m = kit.referral_email(STRANGER, p5, subject="Referral: Farrow", extra_headers=[("Reply-To", ATTACKER_MAIL)])
    dv.deliver(bytes(m))
    # a fax relayed by eFax
    p6 = kit.Patient("Fiona", "Galloway", "10/30/1947")
    relay = EmailMessage()
    relay["From"] = "eFax <message@inbound.efax.com>"
    relay["To"] = "referrals@clinic.example"
    relay["Subject"] = 'eFax message from "%s" - 2 page(s)' % kit.dashed(RELAYED.fax)
    relay["Date"] = email.utils.format_datetime(email.utils.localtime())
    relay["Message-ID"] = email.utils.make_msgid(domain="inbound.efax.com")
    relay.set_content("You have received a 2 page fax at %s.\n\nPlease do not reply to this message.\n"
                      % kit.OUR_FAX)
    relay.add_attachment(kit.text_pdf([kit.referral_form_lines(RELAYED, p6), kit.office_note_lines(p6)]),
                         maintype="application", subtype="pdf", filename="fax_%s_20261121.pdf" % RELAYED.fax)
    dv.deliver(bytes(relay))

    rc = d.run_once(timeout=600)
    tap.ok(rc == 0, "one pass over the drop folder and the mailbox", d.log_text()[-2000:])
    tap.ok(pg.scalar("SELECT count(*) FROM item WHERE state = 'done'") == "6", "all six items done",
           pg.query("SELECT id, state, last_error FROM item"))
    every = kit.outbox(pg)
    tap.ok(not [r for r in every if ATTACKER_FAX in r["recipient"] or "attacker" in r["recipient"]],
           "no reply is addressed to the attacker's fax or mail", every)
    tap.ok(not [r for r in every if r["recipient"] in ("5552010100", "5552010199")],
           "no reply is addressed to the practice's own numbers", every)
    tap.ok(not [f for f in os.listdir(spool) if f.startswith((ATTACKER_FAX, "5552010100", "5552010199"))],
           "nothing in the fax spool for the attacker or ourselves", os.listdir(spool))

    r = requests_for("hostile.pdf")
    tap.ok(len(r) == 1 and r[0]["recipient"] == NPI_ONLY.fax and r[0]["state"] == "sent"
           and r[0]["channel"] == "fax-spool",
           "a partner matched by NPI gets the request at its registered fax, not the form's", r)
    r = requests_for("near.pdf")
    tap.ok(origin_row("near.pdf")[:1] and origin_row("near.pdf")[0][1] == "fax-near",
           "a fax number one digit off a registered one matches that partner", origin_row("near.pdf"))
    tap.ok(len(r) == 1 and r[0]["recipient"] == NEAR.fax and r[0]["state"] == "sent",
           "and the request goes to the partner's registered number", r)
    r = requests_for("cover.pdf")
    tap.ok(len(r) == 1 and r[0]["state"] == "suppressed" and r[0]["recipient"] == "",
           "a cover sheet's To block (our number) is never a recipient", r)

    r = requests_for("unknown.pdf")
    held = len(r) == 1 and r[0]["state"] == "held" and r[0]["recipient"] == UNKNOWN.fax
    tap.ok(held, "an unknown office's request is held, addressed to its header's number", r)
    r5 = requests_by_subject("Referral: Farrow")
    tap.ok(len(r5) == 1 and r5[0]["state"] == "held" and r5[0]["recipient"] == STRANGER.address,
           "an unknown email sender's request is held for its own address, not its foreign Reply-To", r5)

    relayed = origin_row("fax_%s_20261121.pdf" % RELAYED.fax) or pg.query(
        "SELECT o.role, o.partner_match, o.relay, o.relay_fax, o.referral_id FROM item_origin o"
        " WHERE o.relay IS NOT NULL")
    tap.ok(relayed and relayed[0][2] == "efax" and relayed[0][3] == RELAYED.fax and relayed[0][1] == "fax",
           "the eFax relay is recognised, its fax number read and matched to the partner", relayed)
    rr = kit.outbox(pg, "kind = 'missing' AND referral_id IN (SELECT referral_id FROM item_origin"
                        " WHERE relay IS NOT NULL)")
    tap.ok(len(rr) == 1 and rr[0]["channel"] == "fax-spool" and rr[0]["recipient"] == RELAYED.fax
           and rr[0]["state"] == "sent",
           "the relayed referral is answered by fax to that number, not suppressed as automatic", rr)
    tap.ok(not [m for m in sink.messages() if any("efax" in t for t in m.rcpt_tos)], "no mail to the relay",
           [m.rcpt_tos for m in sink.messages()])

    if held:
        p = d.ctl("outbox", "approve", r[0]["id"])
        tap.ok(p.returncode == 0, "referralctl outbox approve releases the held request", p.stdout + p.stderr)
        # the test's referralctl logs in as postgres (harness: staff-conninfo)
        tap.ok(pg.scalar("SELECT decided_by FROM outbox WHERE id = %s" % r[0]["id"]) == "postgres",
               "and records who approved it (the person's database login)",
               pg.query("SELECT decided_by, state FROM outbox WHERE id = %s" % r[0]["id"]))
        again = d.ctl("outbox", "approve", r[0]["id"])
        tap.ok(again.returncode != 0 and "held" in again.stderr, "approving twice is refused, clearly",
               again.stderr)
        # changed minds before the sender ran: hold it, then approve it again
        h = d.ctl("outbox", "hold", r[0]["id"])
        tap.ok(h.returncode == 0 and pg.scalar("SELECT state FROM outbox WHERE id = %s" % r[0]["id"]) == "held",
               "referralctl outbox hold stops a queued reply", h.stdout + h.stderr)
        d.ctl("outbox", "approve", r[0]["id"])
        tap.ok([e[0] for e in pg.query("SELECT kind FROM event WHERE detail->>'outbox' = '%s' AND detail ? 'by'"
                                      " ORDER BY id" % r[0]["id"])] == ["reply-approved", "reply-held",
                                                                       "reply-approved"],
               "each decision is an event naming who took it",
               pg.query("SELECT kind, detail FROM event WHERE detail->>'outbox' = '%s'" % r[0]["id"]))
        rc = d.run_once(timeout=300)
        files = [f for f in os.listdir(spool) if f.startswith(UNKNOWN.fax)]
        tap.ok(rc == 0 and len(files) == 1, "after approval the request is faxed (spool) once", os.listdir(spool))
        if files:
            text = subprocess.run(["pdftotext", "-layout", os.path.join(spool, files[0]), "-"],
                                  capture_output=True, text=True).stdout
            tap.ok("D.Q." not in text and "1948" not in text and p4.family not in text and "12-lead EKG" in text,
                   "to an office not in the directory: the reference and missing items, no initials or birth date",
                   text)
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, dv.stop, pg.stop)
