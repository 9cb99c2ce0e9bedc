#!/usr/bin/env python3
"""Replies never make mail loops, floods or forged headers (RFC 3834):
an auto-reply, a bounce, a list message and a message from our own address
get no reply; a storm of 50 referrals from one address gets at most
max-per-recipient replies, the rest recorded as suppressed with the reason;
a referral whose From display name and subject carry CR/LF sequences (and
a 5,000-character subject) gets a reply with exactly one From, To and
Subject, no injected header or recipient, and a short subject."""
import email.utils
import time
from email.message import EmailMessage

import dovecot
import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, wait_for

STORM = 50
MAX = 10

tap = Tap()
why = smtpsink.available() or dovecot.available()
if why:
    tap.skip_all(why)

GIVEN = ["Ada", "Bruno", "Cora", "Dmitri", "Elsa", "Felix", "Greta", "Hugo", "Ines", "Jonas"]
FAMILY = ["Abernethy", "Blackwood", "Castellan", "Dunmore", "Everhart"]

work = Workdir("reply-safety")
pg = Postgres(work)
dv = dovecot.Dovecot(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)
OFFICE = kit.Office(31, "Brookside Medical Associates", "Laura Chen", "brooksidema.example")
STORMY = kit.Office(32, "Millbrook Family Practice", "Owen Pryce", "millbrook-fp.example")
EVIL = kit.Office(33, "Quarry Road Clinic", "Ivo Marsh", "quarryroad.example")


def items_done(n):
    return pg.scalar("SELECT count(*) FROM item WHERE state IN ('done', 'failed')") == str(n)


def outbox_for_from(addr):
    return kit.outbox(pg, "item_id IN (SELECT item_id FROM item_origin WHERE lower(from_addr) = lower('%s'))" % addr)


try:
    dv.start()
    sink.start()
    kit.replies_config(d, pg, sink, mailbox=dv,
                       replies={"max-per-recipient": str(MAX), "recipient-window": "1h"})
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "referralctl migrate reads the configuration and creates the schema", detail):
        raise SystemExit
    for office in (OFFICE, STORMY):
        pid, how = kit.add_partner(d, pg, office)
        print("# partner %d added via %s" % (pid, how))
    # any address at the domain is the partner's
    pid, how = kit.add_partner(d, pg, EVIL, keys=("domain",))
    print("# partner %d added via %s" % (pid, how))
    d.start()

    # 1. automatic mail: each would be an incomplete referral from a partner
    patient = kit.Patient("Ottilie", "Verhoeven", "04/04/1949")
    auto = kit.referral_email(OFFICE, patient, subject="Automatic reply: Referral: cardiology consultation",
                              extra_headers=[("Auto-Submitted", "auto-replied")])
    listmsg = kit.referral_email(OFFICE, kit.Patient("Pavel", "Novotny", "06/06/1950", "Male"),
                                 subject="[cardio-list] Referral",
                                 extra_headers=[("Precedence", "list"),
                                                ("List-Id", "Cardiology referrals <cardio.lists.example>")])
    # a bounce: the report, and the original referral returned in it
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.brooksidema.example>"
    bounce["To"] = "referrals@clinic.example"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Date"] = email.utils.format_datetime(email.utils.localtime())
    bounce["Message-ID"] = email.utils.make_msgid(domain="mx.brooksidema.example")
    bounce.set_content("This is the mail system at host mx.brooksidema.example.\n\n"
                       "I'm sorry to have to inform you that your message could not be delivered.\n")
    bounce.add_attachment("Reporting-MTA: dns; mx.brooksidema.example\n\nFinal-Recipient: rfc822; "
                          "gone@brooksidema.example\nAction: failed\nStatus: 5.1.1\n",
                          subtype="delivery-status")
    bounce.add_attachment(kit.referral_email(OFFICE, kit.Patient("Quentin", "Oyelaran", "08/08/1952", "Male")))
    bounce.set_type("multipart/report")
    bounce.set_param("report-type", "delivery-status")
    own = kit.referral_email(OFFICE, kit.Patient("Rosalind", "Pemberton", "09/09/1953"),
                             from_header="Intake <%s>" % kit.INTAKE)
    automatic = [("auto-reply", auto), ("list message", listmsg), ("bounce", bounce), ("own address", own)]
    for _, m in automatic:
        dv.deliver(bytes(m))
    processed = wait_for(lambda: items_done(len(automatic)), 120, 0.5)
    tap.ok(processed, "the four automatic messages are processed",
           "%s\n%s" % (pg.query("SELECT id, state, last_error FROM item"), d.log_text()[-3000:]))
    time.sleep(4)  # room for the sender
    tap.ok(sink.count() == 0, "none of them gets a reply", sink.messages())
    box = kit.outbox(pg)
    tap.ok(all(b["state"] == "suppressed" and b["reason"] for b in box),
           "their outbox rows, if any, are suppressed with a reason", box)
    for b in box:
        print("# suppressed: %s" % b["reason"])
    for label, m in automatic:
        mid = m["Message-ID"].strip("<>")
        rows = kit.outbox(pg, "item_id IN (SELECT item_id FROM item_message_id WHERE message_id = '%s')" % mid)
        tap.ok(all(r["state"] == "suppressed" for r in rows), "%s: no reply queued" % label, rows)

    # 2. a storm from one partner address: 50 referrals, different patients
    before = len(kit.outbox(pg))
    n_items = len(automatic)
    for i in range(STORM):
        p = kit.Patient(GIVEN[i % len(GIVEN)], FAMILY[i // len(GIVEN)], "01/%02d/19%02d" % (1 + i % 28, 40 + i))
        dv.deliver_raw(bytes(kit.referral_email(STORMY, p)))
    t0 = time.monotonic()
    processed = wait_for(lambda: items_done(n_items + STORM), 280, 1)
    tap.ok(processed, "the storm of %d referrals is processed (%.0f s)" % (STORM, time.monotonic() - t0),
           "%s\n%s" % (pg.query("SELECT state, count(*) FROM item GROUP BY state"), d.log_text()[-2000:]))
    n_items += STORM
    wait_for(lambda: not kit.outbox(pg, "state IN ('queued', 'sending')"), 60, 0.5)
    time.sleep(3)
    storm = kit.outbox(pg, "lower(recipient) = lower('%s')" % STORMY.address)
    live = [b for b in storm if b["state"] != "suppressed"]
    held = [b for b in storm if b["state"] == "suppressed"]
    at_sink = [m for m in sink.messages() if STORMY.address in m.rcpt_tos]
    tap.ok(1 <= len(at_sink) <= MAX, "at most max-per-recipient (%d) replies reach the partner: %d"
           % (MAX, len(at_sink)), [b["state"] for b in storm])
    tap.ok(len(live) <= MAX and len(live) + len(held) == STORM,
           "one outbox row per referral; the ones over the limit suppressed (%d sent, %d suppressed)"
           % (len(live), len(held)), storm[:3])
    tap.ok(held and all(b["reason"] and ("recipient" in b["reason"] or "limit" in b["reason"]
                                         or "more than" in b["reason"]) for b in held),
           "each suppressed row says it was the per-recipient limit", held[:2])
    if held:
        print("# storm reason: %s" % held[0]["reason"])
    ev = pg.scalar("SELECT count(*) FROM event WHERE kind IN ('reply-suppressed', 'reply_suppressed')"
                   " AND referral_id IN (SELECT referral_id FROM outbox WHERE lower(recipient) = lower('%s'))"
                   % STORMY.address)
    tap.ok(ev == str(len(held)), "each suppression is in the event log", ev)

    # 3. header injection through the display name and the subject
    n_sink = sink.count()
    evil = kit.referral_email(EVIL, kit.Patient("Sybil", "Thornquist", "10/10/1954"))
    evil_head, evil_body = evil.as_bytes(policy=evil.policy.clone(linesep="\r\n")).split(b"\r\n\r\n", 1)
    mime = b"".join(h + b"\r\n" for h in evil_head.split(b"\r\n")
                    if h.lower().startswith((b"mime-version:", b"content-type:")))
    words = [b"padding%03d" % i for i in range(500)]
    folded = b"\r\n ".join(b" ".join(words[i:i + 10]) for i in range(0, len(words), 10))
    msg = (b"From: =?utf-8?q?Ivo_Marsh=0D=0ABcc=3A_victim=40evil.example=0D=0ASubject=3A_forged?=\r\n"
           b" <ivo@quarryroad.example>\r\n"
           b"To: referrals@clinic.example\r\n"
           b"Subject: =?utf-8?q?Referral=0D=0ABcc=3A_victim2=40evil.example=0A=0AX-Injected=3A_yes?=\r\n " + folded +
           b"\r\nDate: " + email.utils.format_datetime(email.utils.localtime()).encode() + b"\r\n"
           b"Message-ID: <inject-1@quarryroad.example>\r\n"
           # a long thread: the reply's References must stay within line limits
           b"References:" + b"".join(b"\r\n <thread-%03d.%s@quarryroad.example>" % (i, b"x" * 30) for i in range(80)) +
           b"\r\n" + mime + b"\r\n" + evil_body)
    assert len(msg.split(b"\r\nDate:")[0]) > 5000
    dv.deliver(msg)
    got = wait_for(lambda: sink.count() > n_sink, 90, 0.5)
    tap.ok(got, "the referral with CR/LF in its From name and subject is answered",
           "%s\n%s\n%s" % (pg.query("SELECT i.id, i.state, coalesce(i.last_error, ''), o.from_addr, o.partner_id,"
                                    " o.role, coalesce(o.referral_id::text, '') FROM item i JOIN item_message_id m"
                                    " ON m.item_id = i.id LEFT JOIN item_origin o ON o.item_id = i.id"
                                    " WHERE m.message_id = 'inject-1@quarryroad.example'"),
                           kit.outbox(pg, "item_id IN (SELECT item_id FROM item_message_id"
                                          " WHERE message_id = 'inject-1@quarryroad.example')"),
                           d.log_text()[-1000:]))
    if got:
        m = [x for x in sink.messages() if "ivo@quarryroad.example" in x.rcpt_tos]
        tap.ok(len(m) == 1 and m[0].rcpt_tos == ["ivo@quarryroad.example"],
               "one reply, to the sender's address only (no injected recipient)", [x.rcpt_tos for x in m])
        if m:
            r = m[0]
            counts = {h: len(r.headers(h)) for h in ("From", "To", "Subject", "Message-ID", "Date", "In-Reply-To",
                                                      "Auto-Submitted")}
            tap.ok(all(v == 1 for v in counts.values()),
                   "exactly one From, To, Subject, Message-ID, Date, In-Reply-To and Auto-Submitted", counts)
            tap.ok("inject-1@quarryroad.example" in (r.header("In-Reply-To") or ""),
                   "In-Reply-To names the referral despite its long References", r.header("In-Reply-To"))
            tap.ok(not r.headers("Bcc") and not r.headers("Cc") and not r.headers("X-Injected"),
                   "no Bcc, Cc or other injected header", r.data[:1500])
            head = r.data.split(b"\r\n\r\n", 1)[0]
            tap.ok(b"evil.example" not in head and b"victim" not in head,
                   "the attacker's addresses appear nowhere in the header", head)
            subj = r.header("Subject") or ""
            tap.ok(len(subj) <= 200 and "\r" not in subj and "\n" not in subj,
                   "the subject is one line of at most 200 characters (%d)" % len(subj), subj)
            tap.ok(all(len(line) <= 998 for line in r.data.split(b"\r\n")), "no line longer than RFC 5322 allows")
            tap.ok(b"\n" not in r.data.replace(b"\r\n", b"") and b"\r" not in r.data.replace(b"\r\n", b""),
                   "only CRLF line ends (no bare CR or LF)")
    leaked = [f for f in FAMILY + ["Verhoeven", "Thornquist"] if f in d.log_text()]
    tap.ok(not leaked, "no patient name in the daemon's log", leaked)
    tap.ok(d.stop() == 0, "clean stop")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, dv.stop, pg.stop)
