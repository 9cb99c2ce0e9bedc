#!/usr/bin/env python3
"""Closing the loop by mail: an incomplete referral from a known partner
gets exactly one reply saying what is missing, and the partner's answer
completes the referral.  Replies survive the mail server being down (each
goes out once it is back) and the daemon being killed in mid-send (a reply
is at the server at most once; the row says 'sent' or 'uncertain').

(a) referral email over IMAP -> one reply at the SMTP sink -> the partner
    answers with the EKG -> referral complete, no second reply
(b) SMTP server down: three replies wait with the error, then go once each
(c) SIGKILL while the server holds the DATA reply: no reply twice"""
import json
import os
import re
import time

import dovecot
import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)


def referral_of_item(pg, name):
    return pg.scalar("SELECT r.id FROM referral r JOIN receipt c ON c.item_id = r.item_id"
                     " WHERE c.original_name = '%s'" % name)


def names_in_log(d, patients):
    log = d.log_text()
    return [p.family for p in patients if p.family in log] + [p.given for p in patients if p.given in log]


# ---- (a) end to end over IMAP and SMTP ---------------------------------------------

def part_a():
    why = dovecot.available()
    if why:
        print("# (a) skipped: " + why)
        return
    work = Workdir("replies-a")
    pg = Postgres(work)
    dv = dovecot.Dovecot(work)
    sink = smtpsink.Sink(work)
    d = Daemon(work, pg)
    failed_before = tap.failed
    office = kit.Office(11, "Lakeside Family Medicine", "Elena Marchetti", "lakeside-fm.example")
    patient = kit.Patient("Marguerite", "Ostrander", "03/14/1951")
    try:
        dv.start()
        sink.start()
        kit.replies_config(d, pg, sink, mailbox=dv)
        ok, detail = kit.migrate(d, pg)
        if not tap.ok(ok, "(a) referralctl migrate reads the configuration and creates the schema", detail):
            return
        pid, how = kit.add_partner(d, pg, office)
        print("# (a) partner %d added via %s" % (pid, how))
        d.start()

        original = kit.referral_email(office, patient)
        original_id = original["Message-ID"].strip("<>")
        dv.deliver(bytes(original))
        got = wait_for(lambda: sink.count() >= 1, 120, 0.5)
        time.sleep(3)  # room for a wrong second reply
        rid = pg.scalar("SELECT id FROM referral ORDER BY id LIMIT 1")
        tap.ok(got and sink.count() == 1, "(a) the incomplete referral gets exactly one reply at the SMTP server",
               "sink=%d outbox=%s\n%s" % (sink.count(), kit.outbox(pg), d.log_text()[-3000:]))
        if not got or rid is None:
            return
        rid = int(rid)
        ref = pg.scalar("SELECT reference FROM referral WHERE id = %d" % rid) or ""
        tap.ok(re.fullmatch(r"RD-[0-9A-Z]{5}-[0-9A-Z]{5}", ref) is not None, "(a) the referral has a reference like RD-XXXXX-XXXXC",
               ref)
        tap.ok(pg.scalar("SELECT status FROM referral WHERE id = %d" % rid) == "incomplete",
               "(a) the referral is stored incomplete (no EKG)")
        reply = sink.messages()[0]
        box = kit.outbox(pg, "referral_id = %d" % rid)
        tap.ok(len(box) == 1 and box[0]["kind"] == "missing" and box[0]["state"] == "sent" and box[0]["sent_at"],
               "(a) one outbox row, kind missing, state sent, with sent_at", box)
        tap.ok(reply.mail_from == kit.INTAKE and reply.rcpt_tos == [office.address],
               "(a) envelope: from the intake address to the partner's sender address",
               (reply.mail_from, reply.rcpt_tos))
        tap.ok(kit.INTAKE in (reply.header("From") or "") and office.address in (reply.header("To") or ""),
               "(a) From is the intake address, To the partner", (reply.header("From"), reply.header("To")))
        tap.ok(ref and ref in (reply.header("Subject") or ""), "(a) the subject carries the reference",
               reply.header("Subject"))
        tap.ok((reply.header("Auto-Submitted") or "").strip().lower() == "auto-replied",
               "(a) Auto-Submitted: auto-replied", reply.header("Auto-Submitted"))
        mid = (reply.header("Message-ID") or "").strip().strip("<>")
        tap.ok(mid and box and mid == box[0]["message_id"], "(a) the reply's Message-ID is the one in the outbox",
               (mid, box and box[0]["message_id"]))
        tap.ok((reply.header("In-Reply-To") or "").strip().strip("<>") == original_id
               and "<%s>" % original_id in (reply.header("References") or ""),
               "(a) In-Reply-To and References name the referral's Message-ID",
               (reply.header("In-Reply-To"), reply.header("References"), original_id))
        body = reply.body
        tap.ok(ref in body and "EKG" in body and "not_enclosed" not in body and "clinical_notes" not in body,
               "(a) the body names the reference and the missing EKG in plain words", body)
        tap.ok(patient.family not in body and patient.family not in (reply.header("Subject") or ""),
               "(a) the reply does not spell out the patient's name (patient-details=initials-dob)", body)

        # the partner answers our reply, with the EKG attached
        answer = kit.followup_email(office, patient, reply.msg)
        dv.deliver(bytes(answer))
        done = wait_for(lambda: pg.scalar("SELECT status FROM referral WHERE id = %d" % rid) == "complete", 120,
                        0.5)
        tap.ok(done, "(a) the partner's answer with the EKG completes the referral",
               "%s\n%s" % (pg.query("SELECT kind, detail FROM event ORDER BY id"), d.log_text()[-3000:]))
        tap.ok(pg.scalar("SELECT count(*) FROM referral") == "1", "(a) the answer did not become a referral of its own",
               pg.query("SELECT id, reference, status FROM referral"))
        tap.ok(pg.scalar("SELECT completed_at IS NOT NULL FROM referral WHERE id = %d" % rid) == "t",
               "(a) completed_at is set")
        origin = pg.query("SELECT role, coalesce(referral_id::text, '') FROM item_origin ORDER BY item_id")
        tap.ok(origin == [["referral", str(rid)], ["followup", str(rid)]],
               "(a) item_origin: the first item is the referral, the answer its follow-up", origin)
        # wait for what comes after completion (and the sender) to settle
        time.sleep(4)
        ev = kit.events(pg, rid)
        tap.ok(kit.in_order(ev, ["referral_stored", "reply_queued", "reply_sent", "followup_attached",
                                 "referral_complete"]),
               "(a) events in order: stored, reply queued, reply sent, follow-up attached, complete", ev)
        missing_rows = [b for b in kit.outbox(pg, "referral_id = %d AND kind = 'missing'" % rid)]
        tap.ok(sink.count() == 1 and len([b for b in missing_rows if b["state"] != "suppressed"]) == 1,
               "(a) no second 'missing' reply", (sink.messages(), missing_rows))

        # what staff see
        show, p = kit.ctl_json(d, "show", str(rid), "--json")
        text = p.stdout if p.returncode == 0 else ""
        tap.ok(show is not None and ref in text and box[0]["message_id"] in text,
               "(a) referralctl show --json has the reference and the outbox row", p.stdout[-1500:] + p.stderr)
        listed, p = kit.ctl_json(d, "outbox", "--json")
        tap.ok(isinstance(listed, list) and any(str(r.get("id")) == box[0]["id"] and r.get("state") == "sent"
                                                 and ref in json.dumps(r) for r in listed),
               "(a) referralctl outbox --json lists the sent reply with its reference", p.stdout[-1500:] + p.stderr)
        tap.ok(dv.count("INBOX") == 0, "(a) both messages were taken from the mailbox")
        leaked = names_in_log(d, [patient])
        tap.ok(not leaked, "(a) no patient name in the daemon's log", leaked)
        tap.ok(d.stop() == 0, "(a) clean stop")
    finally:
        work.close(tap, d.kill_group, sink.stop, dv.stop, pg.stop, failed_before=failed_before, label="(a) ")


# ---- dropped referrals from a partner known by fax number and NPI ------------------

def drop_referrals(d, office, patients, tag):
    names = []
    for i, p in enumerate(patients):
        name = "%s-%d.pdf" % (tag, i)
        drop(d.inbox, name, kit.referral_pdf(office, p))
        names.append(name)
    return names


def fax_partner(d, pg, office, reply_to):
    # the fax items carry the office's fax number and NPI; replies go by mail
    pid, how = kit.add_partner(d, pg, office, reply_email=reply_to, keys=("fax", "npi"))
    print("# partner %d added via %s" % (pid, how))


PATIENTS = [kit.Patient("Harold", "Brzezinski", "09/02/1946", "Male"),
            kit.Patient("Dolores", "Finnegan", "07/21/1958"),
            kit.Patient("Winston", "Achterberg", "12/05/1967", "Male")]


# ---- (b) the SMTP server down, then back ----------------------------------------------

def part_b():
    work = Workdir("replies-b")
    pg = Postgres(work)
    sink = smtpsink.Sink(work)
    d = Daemon(work, pg)
    failed_before = tap.failed
    office = kit.Office(12, "Cedar Hollow Internal Medicine", "Samuel Okafor", "cedarhollow.example")
    to = "frontdesk@cedarhollow.example"
    try:
        # the server is not running: its port refuses connections
        kit.replies_config(d, pg, sink)
        ok, detail = kit.migrate(d, pg)
        if not tap.ok(ok, "(b) schema created", detail):
            return
        fax_partner(d, pg, office, to)
        d.start()
        names = drop_referrals(d, office, PATIENTS, "down")
        rows = wait_for(lambda: len(kit.outbox(pg)) == 3 and all(
            int(b["attempts"]) >= 2 and b["last_error"] for b in kit.outbox(pg)), 90, 0.5)
        box = kit.outbox(pg)
        tap.ok(rows, "(b) three replies queued; each tried at least twice, with the error kept",
               "%s\n%s" % (box, d.log_text()[-3000:]))
        tap.ok(box and all(b["state"] == "queued" and not b["sent_at"] for b in box),
               "(b) while the server is down the replies stay queued, not sent, not failed", box)
        tap.ok(all(b["recipient"] == to for b in box), "(b) fax-origin replies go to the partner's reply address",
               [b["recipient"] for b in box])
        if box:
            print("# (b) last_error: %s" % box[0]["last_error"])
        refs = {}
        for n in names:
            rid = referral_of_item(pg, n)
            refs[n] = pg.scalar("SELECT reference FROM referral WHERE id = %s" % rid) if rid else None
        sink.start()
        t0 = time.monotonic()
        got = wait_for(lambda: sink.count() >= 3 and all(b["state"] == "sent" for b in kit.outbox(pg)), 120, 0.5)
        tap.ok(got, "(b) once the server is back all three replies go out (%.0f s)" % (time.monotonic() - t0),
               "%s\n%s" % (kit.outbox(pg), d.log_text()[-3000:]))
        time.sleep(5)  # room for a wrong second copy
        subjects = [m.header("Subject") or "" for m in sink.messages()]
        per_ref = {n: sum(1 for s in subjects if r and r in s) for n, r in refs.items()}
        tap.ok(sink.count() == 3 and all(v == 1 for v in per_ref.values()),
               "(b) each referral's reply arrived exactly once", (per_ref, subjects))
        tap.ok(all(m.rcpt_tos == [to] for m in sink.messages()), "(b) each to the partner's reply address",
               [m.rcpt_tos for m in sink.messages()])
        # nothing left to send: the sender waits for a NOTIFY or the next
        # retry, it does not poll the database (workers poll once a second)
        x0 = int(pg.scalar("SELECT sum(xact_commit) FROM pg_stat_database"))
        time.sleep(5)
        n = int(pg.scalar("SELECT sum(xact_commit) FROM pg_stat_database")) - x0
        tap.ok(n < 200, "(b) with nothing to send the daemon is quiet: %d database transactions in 5 s" % n)
        leaked = names_in_log(d, PATIENTS)
        tap.ok(not leaked, "(b) no patient name in the daemon's log", leaked)
        tap.ok(d.stop() == 0, "(b) clean stop")
    finally:
        work.close(tap, d.kill_group, sink.stop, pg.stop, failed_before=failed_before, label="(b) ")


# ---- (c) SIGKILL while a reply is being sent ---------------------------------------------

def part_c():
    work = Workdir("replies-c")
    pg = Postgres(work)
    sink = smtpsink.Sink(work)
    d = Daemon(work, pg)
    failed_before = tap.failed
    office = kit.Office(13, "Harbor View Primary Care", "Priya Raman", "harborview.example")
    to = "referrals@harborview.example"
    try:
        sink.start()
        # the server stores the message, then holds its reply to DATA for 6 s
        sink.set_delay(6)
        kit.replies_config(d, pg, sink, smtp={"timeout": "30s"})
        ok, detail = kit.migrate(d, pg)
        if not tap.ok(ok, "(c) schema created", detail):
            return
        fax_partner(d, pg, office, to)
        d.start()
        names = drop_referrals(d, office, PATIENTS, "kill")
        in_data = wait_for(lambda: any(e.startswith("delaying") for e in sink.events()), 120, 0.1)
        tap.ok(in_data, "(c) a reply reaches DATA", "%s\n%s" % (sink.events(), d.log_text()[-3000:]))
        time.sleep(1)
        sending = kit.outbox(pg, "state = 'sending'")
        group = kit.process_group(d)
        d.kill_group()
        # as systemd would, restart once every process of the unit is gone
        gone = wait_for(lambda: not [p for p in group if os.path.exists("/proc/%d" % p)], 20, 0.1)
        print("# (c) killed %d processes%s" % (len(group), "" if gone else "; some still exist (zombies?)"))
        tap.ok(len(sending) >= 1, "(c) SIGKILL with a reply in state 'sending'", kit.outbox(pg))
        sink.set_delay(0)
        d.start()
        settled = wait_for(lambda: len(kit.outbox(pg)) == 3 and all(
            b["state"] in ("sent", "uncertain", "failed") for b in kit.outbox(pg)), 120, 0.5)
        time.sleep(5)  # room for a wrong second copy
        box = kit.outbox(pg)
        tap.ok(settled, "(c) after the restart every reply is settled", "%s\n%s" % (box, d.log_text()[-3000:]))
        killed = {b["id"]: b for b in box if b["id"] in {s["id"] for s in sending}}
        tap.ok(killed and all(b["state"] in ("sent", "uncertain") for b in killed.values()),
               "(c) the reply in flight at the kill is 'sent' or 'uncertain'", killed)
        others = [b for b in box if b["id"] not in killed]
        tap.ok(all(b["state"] == "sent" for b in others), "(c) the other replies were sent after the restart",
               others)
        refs = {}
        for n in names:
            rid = referral_of_item(pg, n)
            refs[n] = pg.scalar("SELECT reference FROM referral WHERE id = %s" % rid) if rid else None
        subjects = [m.header("Subject") or "" for m in sink.messages()]
        per_ref = {n: sum(1 for s in subjects if r and r in s) for n, r in refs.items()}
        tap.ok(all(refs.values()) and all(v <= 1 for v in per_ref.values()),
               "(c) no referral's reply is at the server twice", (per_ref, subjects))
        tap.ok(all(per_ref[n] == 1 for n in per_ref
                   if [b for b in box if b["state"] == "sent" and refs[n] and refs[n] in b["subject"]]),
               "(c) every reply marked sent is at the server", (per_ref, box))
        uncertain = [b for b in box if b["state"] == "uncertain"]
        if uncertain:
            p = d.ctl("outbox")
            tap.ok(p.returncode == 0 and "uncertain" in p.stdout, "(c) referralctl outbox shows the uncertain reply",
                   p.stdout + p.stderr)
        tap.ok(pg.scalar("SELECT count(*) FROM referral") == "3", "(c) three referrals, none twice after the kill")
        tap.ok(d.stop() == 0, "(c) clean stop")
    finally:
        work.close(tap, d.kill_group, sink.stop, pg.stop, failed_before=failed_before, label="(c) ")


parts = os.environ.get("RD_REPLIES_PARTS", "abc")
if "a" in parts:
    part_a()
if "b" in parts:
    part_b()
if "c" in parts:
    part_c()
tap.done()
