#!/usr/bin/env python3
"""IMAP servers that are not Dovecot with every extension: the ways of
acknowledging a stored message that the main intake test does not reach.

(a) no MOVE (RFC 6851), UIDPLUS present: COPY, \\Deleted, UID EXPUNGE of
    just those messages; every message in the processed folder once.
(b) neither MOVE nor UIDPLUS: no EXPUNGE at all (a plain one would remove
    what others marked deleted); the copies are in the processed folder,
    the originals stay marked \\Deleted, a warning says so once, and a
    second run neither stores nor copies them again.
(c) action=flag with a keyword: messages stay in the inbox with the
    keyword; a restart stores nothing twice, a new message is stored.

Dovecot plays the older servers through imap_capability, which replaces
the capability list it announces after login."""
import time

import dovecot
from harness import Daemon, Postgres, Tap, Workdir, wait_for

N = 6
DONE = "Processed"
BASE_CAPS = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE"

tap = Tap()
why = dovecot.available()
if why:
    tap.skip_all(why)


def search(dv, query, folder="INBOX"):
    out = dv.doveadm("search", "-u", dovecot.USER, "mailbox", folder, *query.split()).stdout.decode()
    return len(out.split("\n")) - 1 if out.strip() else 0


def mailbox(dv, **extra):
    group = {"url": dv.url, "user": dovecot.USER, "password-file": dv.password_file, "ca-file": dv.cert,
             "processed-folder": DONE, "poll-interval": "2s", "timeout": "10s"}
    group.update(extra)
    return group


def configure(d, pg, dv, **extra):
    d.write_config({
        "database": {"conninfo": pg.dsn},
        "dropdir": {"path": d.inbox, "processed": d.processed, "quarantine": d.quarantine},
        "workers": {"count": "1", "poll-interval": "1"},
        "mailbox.clinic": mailbox(dv, **extra),
    })


def items(pg):
    try:
        return int(pg.scalar("SELECT count(*) FROM item WHERE source = 'imap:clinic'"))
    except RuntimeError:  # the daemon has not created the schema yet
        return -1


def part(label, caps, check, **mailbox_extra):
    work = Workdir("imap-fallback-" + label)
    pg = Postgres(work)
    dv = dovecot.Dovecot(work)
    d = Daemon(work, pg)
    failed_before = tap.failed
    try:
        dv.write_conf("imap_capability = %s\n" % caps)
        dv.start()
        configure(d, pg, dv, **mailbox_extra)
        check(label, d, pg, dv)
    finally:
        work.close(tap, d.kill_group, dv.stop, pg.stop, failed_before=failed_before, label="(%s) " % label)


def no_move(label, d, pg, dv):
    for i in range(N):
        dv.deliver(dovecot.make_message(i, label))
    rc = d.run_once(timeout=300)
    tap.ok(rc == 0 and items(pg) == N, "(a) no MOVE: each of %d messages stored once (%s items)" % (N, items(pg)),
           d.log_text()[-3000:])
    ids = dv.message_ids(DONE)
    tap.ok(len(ids) == N and len(set(ids)) == N, "(a) each one copied to %s once" % DONE, ids)
    tap.ok(dv.count("INBOX") == 0, "(a) and expunged from the inbox", dv.message_ids("INBOX"))
    rc = d.run_once(timeout=300)
    tap.ok(rc == 0 and items(pg) == N and len(dv.message_ids(DONE)) == N,
           "(a) a second run stores and copies nothing again", (items(pg), len(dv.message_ids(DONE))))


def no_move_no_uidplus(label, d, pg, dv):
    for i in range(N):
        dv.deliver(dovecot.make_message(i, label))
    rc = d.run_once(timeout=300)
    tap.ok(rc == 0 and items(pg) == N, "(b) no MOVE, no UIDPLUS: each of %d messages stored once" % N,
           d.log_text()[-3000:])
    tap.ok(len(dv.message_ids(DONE)) == N, "(b) each one copied to %s" % DONE, dv.message_ids(DONE))
    tap.ok(dv.count("INBOX") == N and search(dv, "DELETED") == N,
           "(b) the originals stay in the inbox marked \\Deleted, not expunged", (dv.count("INBOX"),
                                                                                 search(dv, "DELETED")))
    log = d.log_text()
    tap.ok(log.count("neither MOVE nor UIDPLUS") == 1, "(b) a warning says so, once", log[-3000:])
    rc = d.run_once(timeout=300)
    tap.ok(rc == 0 and items(pg) == N and len(dv.message_ids(DONE)) == N,
           "(b) a second run stores and copies nothing again", (items(pg), len(dv.message_ids(DONE))))


def flag(label, d, pg, dv):
    for i in range(N):
        dv.deliver(dovecot.make_message(i, label))
    d.start()
    stored = wait_for(lambda: items(pg) == N and search(dv, "KEYWORD $Referrald") == N, 120, 0.3)
    tap.ok(stored, "(c) action=flag: each message stored and marked with the keyword",
           (items(pg), search(dv, "KEYWORD $Referrald"), d.log_text()[-3000:]))
    tap.ok(dv.count("INBOX") == N and dv.count(DONE) == 0, "(c) the messages stay in the inbox, nothing moved",
           (dv.count("INBOX"), dv.count(DONE)))
    tap.ok(d.stop() == 0, "(c) clean stop")
    d.start()
    time.sleep(6)  # three poll intervals
    tap.ok(items(pg) == N, "(c) after a restart the flagged messages are not stored again", items(pg))
    dv.deliver(dovecot.make_message(N, label))
    stored = wait_for(lambda: items(pg) == N + 1 and search(dv, "KEYWORD $Referrald") == N + 1, 60, 0.3)
    tap.ok(stored, "(c) a new message is stored and flagged", (items(pg), d.log_text()[-3000:]))
    tap.ok(int(pg.scalar("SELECT count(DISTINCT sha256) FROM item")) == N + 1, "(c) no message stored twice")
    tap.ok(d.stop() == 0, "(c) clean stop after the restart")


part("a", BASE_CAPS + " UIDPLUS", no_move)
part("b", BASE_CAPS, no_move_no_uidplus)
part("c", BASE_CAPS + " UIDPLUS", flag, action="flag", flag="$Referrald")
tap.done()
