#!/usr/bin/env python3
"""IMAP intake, exactly once: 100 messages delivered while the daemon
watches the folder, with Dovecot restarted and the daemon killed (SIGKILL)
and restarted mid-run; then the folder deleted and re-created with the same
messages re-delivered (a new UIDVALIDITY).  Every message is one item, every
message ends in the processed folder, nothing is stored twice."""
import threading
import time

import dovecot
from harness import Daemon, Postgres, Tap, Workdir, wait_for

N = 100
FOLDER = "Referrals"
DONE = "Done"

tap = Tap()
why = dovecot.available()
if why:
    tap.skip_all(why)
work = Workdir("imap-intake")
pg = Postgres(work)
dv = dovecot.Dovecot(work)
d = Daemon(work, pg)
try:
    dv.start()
    dv.create_folder(FOLDER)
    d.write_config({
        "database": {"conninfo": pg.dsn},
        "dropdir": {"path": d.inbox, "processed": d.processed, "quarantine": d.quarantine},
        "workers": {"count": "1", "poll-interval": "1"},
        # prompt delivery has to come from IDLE; the poll interval is the
        # safety net for what IDLE does not report (a deleted folder)
        "mailbox.clinic": {"url": dv.url, "user": dovecot.USER, "password-file": dv.password_file,
                           "ca-file": dv.cert, "folder": FOLDER, "processed-folder": DONE,
                           "poll-interval": "15s", "timeout": "10s"},
    })
    messages = [dovecot.make_message(i, "intake") for i in range(N)]

    # IDLE: one message, no poll due for 10 minutes
    d.start()
    wait_for(lambda: "idling" in d.log_text(), 30)
    t0 = time.monotonic()
    dv.deliver(messages[0], FOLDER)
    got = wait_for(lambda: pg.scalar("SELECT count(*) FROM item") == "1", 20, 0.05)
    tap.ok(got and time.monotonic() - t0 < 10, "a message delivered while idling is stored in %.1f s (IDLE; poll interval 15 s)"
           % (time.monotonic() - t0), d.log_text())

    delivered = [1]

    def deliverer():
        for i in range(1, N):
            # the MTA paths: doveadm save, dovecot-lda, and (bulk) maildir
            if i % 10 == 0:
                dv.deliver(messages[i], FOLDER)
            else:
                dv.deliver_raw(messages[i], FOLDER)
            delivered[0] = i + 1
            time.sleep(0.03)

    t = threading.Thread(target=deliverer)
    t.start()
    wait_for(lambda: delivered[0] >= 30, 60, 0.05)
    dv.restart()
    tap.ok(True, "dovecot restarted after %d deliveries" % delivered[0])
    wait_for(lambda: delivered[0] >= 60, 60, 0.05)
    time.sleep(0.5)
    d.kill_group()
    tap.ok(True, "daemon killed with SIGKILL after %d deliveries" % delivered[0])
    time.sleep(1)
    d.start()
    t.join()

    done = wait_for(lambda: dv.count(DONE) == N and dv.count(FOLDER) == 0, 150, 0.5)
    tap.ok(done, "all %d messages moved to the processed folder" % N,
           "folder=%d done=%d\n%s" % (dv.count(FOLDER), dv.count(DONE), d.log_text()))
    tap.ok(pg.scalar("SELECT count(*) FROM item") == str(N), "exactly %d items"
           % N, pg.query("SELECT count(*) FROM item"))
    tap.ok(pg.scalar("SELECT count(*) FROM item WHERE source = 'imap:clinic'"
                     " AND media_type = 'message/rfc822'") == str(N), "each an imap:clinic message/rfc822 item")
    ids = {"<%s>" % r[0] for r in pg.query("SELECT message_id FROM item_message_id")}
    tap.ok(ids == set(dv.message_ids(DONE)) and len(ids) == N,
           "each delivered Message-ID is one item", "%d ids" % len(ids))
    tap.ok(pg.scalar("SELECT count(*) FROM receipt WHERE duplicate") == "0", "no receipt recorded as duplicate")
    keys = pg.scalar("SELECT count(DISTINCT source_key) FROM item WHERE source_key ~ '^clinic/[0-9]+/[0-9]+$'")
    tap.ok(keys == str(N), "source keys are NAME/UIDVALIDITY/UID, one per item")
    log = d.log_text()
    tap.ok("mailbox poller" not in log, "the poller rode out the Dovecot restart without dying",
           "%d poll errors retried" % log.count("retrying"))
    tap.ok(not any(w in log for w in ("Subject", "sender@example.net", "Synthetic test message")),
           "no subjects, addresses or message text in the log")
    uv_before = dv.status(FOLDER)["uidvalidity"]

    # UIDVALIDITY: folder deleted, re-created, the first 20 re-delivered, plus one new
    dv.delete_folder(FOLDER)
    dv.create_folder(FOLDER)
    for i in range(20):
        dv.deliver(messages[i], FOLDER)
    extra = dovecot.make_message(0, "after-uidvalidity")
    dv.deliver(extra, FOLDER)
    tap.ok(dv.status(FOLDER)["uidvalidity"] != uv_before, "the folder has a new UIDVALIDITY")
    done = wait_for(lambda: dv.count(FOLDER) == 0 and dv.count(DONE) == N + 21, 60, 0.5)
    tap.ok(done, "re-delivered messages are processed and moved too",
           "folder=%d done=%d" % (dv.count(FOLDER), dv.count(DONE)))
    tap.ok(pg.scalar("SELECT count(*) FROM item") == str(N + 1), "one new item for the one new message only",
           pg.query("SELECT count(*) FROM item"))
    tap.ok(pg.scalar("SELECT count(*) FROM receipt WHERE duplicate") == "20",
           "the 20 re-delivered messages are duplicate receipts")
    tap.ok(pg.scalar("SELECT count(*) FROM event WHERE kind = 'mailbox-uidvalidity'") == "1",
           "the UIDVALIDITY change is in the event log")
    tap.ok("UIDVALIDITY changed" in d.log_text(), "and in the log")

    finished = wait_for(lambda: pg.scalar("SELECT count(*) FROM item WHERE state IN ('queued', 'processing')") == "0",
                        120, 0.5)
    tap.ok(finished, "the workers processed every item",
           pg.query("SELECT state, count(*) FROM item GROUP BY state"))
    tap.ok(pg.scalar("SELECT count(*) FROM event WHERE kind = 'processed'") == str(N + 1),
           "each item processed once")
    tap.ok(d.stop() == 0, "clean stop")
finally:
    work.finish(tap, d.kill_group, dv.stop, pg.stop)
