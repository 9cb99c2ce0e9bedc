#!/usr/bin/env python3
"""The email samples delivered over IMAP become referrals: `referrald
--once` polls each mailbox once, then the workers drain the queue, so when
it exits every message is an item in state done with its referral."""
import glob
import os

import dovecot
from harness import Daemon, Postgres, Tap, Workdir

tap = Tap()
why = dovecot.available()
if why:
    tap.skip_all(why)
shared = os.environ.get("RD_SHARED_DIR")
samples = sorted(glob.glob(os.path.join(shared, "samples", "email*.eml"))) if shared else []
if not samples:
    tap.skip_all("RD_SHARED_DIR has no samples/email*.eml")
work = Workdir("imap-samples")
pg = Postgres(work)
dv = dovecot.Dovecot(work)
d = Daemon(work, pg)
try:
    dv.start()
    for path in samples:
        with open(path, "rb") as f:
            dv.deliver(f.read())
    d.write_config({
        "database": {"conninfo": pg.dsn},
        "dropdir": {"path": d.inbox, "processed": d.processed, "quarantine": d.quarantine},
        "workers": {"count": "2", "poll-interval": "1"},
        "mailbox.referrals": {"url": dv.url, "user": dovecot.USER, "password-file": dv.password_file,
                              "ca-file": dv.cert, "processed-folder": "Referrals/Processed"},
    })
    rc = d.run_once(timeout=240)
    tap.ok(rc == 0, "referrald --once exits 0", d.log_text()[-3000:])
    n = len(samples)
    tap.ok(dv.count("INBOX") == 0 and dv.count("Referrals/Processed") == n,
           "all %d sample messages moved to the processed folder" % n)
    states = pg.query("SELECT state, count(*) FROM item GROUP BY state")
    tap.ok(states == [["done", str(n)]], "%d items, all done when --once returns" % n, states)
    tap.ok(pg.scalar("SELECT count(DISTINCT item_id) FROM referral") == str(n), "each message is one referral",
           pg.query("SELECT count(*) FROM referral"))
    tap.ok(pg.scalar("SELECT count(*) FROM page WHERE number = 0 AND method = 'body'") == str(n),
           "each referral was read from the message body (page 0)")
finally:
    work.finish(tap, d.kill_group, dv.stop, pg.stop)
