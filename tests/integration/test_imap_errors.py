#!/usr/bin/env python3
"""IMAP failures: a wrong password, a certificate nobody trusts, a port
where no server listens.  Each gives a clear error in the log and in the
mailbox table, nothing is moved, the daemon stays up and retries, and a
good mailbox next to them carries on.  A message above max-file-size is
quarantined without being fetched.  Fixing the password (reload) lets the
waiting mail in.  Bad [mailbox.*] keys are refused naming file, group, key."""
import os
import signal
import subprocess
import time

import dovecot
from harness import REFERRALD, Daemon, Postgres, Tap, Workdir, free_port, wait_for

tap = Tap()
why = dovecot.available()
if why:
    tap.skip_all(why)
work = Workdir("imap-errors")
pg = Postgres(work)
dv = dovecot.Dovecot(work)
d = Daemon(work, pg)
try:
    dv.start()
    for f in ("Good", "Bad"):
        dv.create_folder(f)
    wrong = os.path.join(work.path, "wrong-password")
    with open(wrong, "w") as f:
        f.write("not-the-password\n")
    common = {"url": dv.url, "user": dovecot.USER, "ca-file": dv.cert, "poll-interval": "2s", "timeout": "5s",
              "folder": "Bad", "processed-folder": "BadDone"}

    def config(badpass_file):
        return {
            "database": {"conninfo": pg.dsn},
            "dropdir": {"path": d.inbox, "processed": d.processed, "quarantine": d.quarantine},
            "workers": {"count": "1", "poll-interval": "1"},
            "limits": {"max-file-size": "64K"},
            "mailbox.good": dict(common, **{"password-file": dv.password_file, "folder": "Good",
                                            "processed-folder": "GoodDone"}),
            "mailbox.badpass": dict(common, **{"password-file": badpass_file}),
            # no ca-file: the self-signed certificate is not trusted
            "mailbox.badca": dict(common, **{"password-file": dv.password_file, "ca-file": None}),
            "mailbox.down": dict(common, **{"password-file": dv.password_file,
                                            "url": "imaps://127.0.0.1:%d" % free_port()}),
        }

    d.write_config(config(wrong))
    for i in range(3):
        dv.deliver(dovecot.make_message(i, "bad"), "Bad")
    dv.deliver(dovecot.make_message(0, "good"), "Good")
    dv.deliver(dovecot.make_message(1, "big", size_pad=100 * 1024), "Good")
    d.start()

    def retried(name):
        return d.log_text().count("mailbox %s: " % name) >= 3 and \
            d.log_text().count("retrying in") >= 6
    wait_for(lambda: all(retried(n) for n in ("badpass", "badca", "down")), 40, 0.5)
    log = d.log_text()
    lines = [l for l in log.splitlines() if "retrying in" in l]
    for name, what in (("badpass", "login refused"), ("badca", "TLS failure"), ("down", "server unreachable")):
        mine = [l for l in lines if "mailbox %s:" % name in l]
        tap.ok(len(mine) >= 2 and what in mine[0], "mailbox %s: '%s' in the log, retried %d times"
               % (name, what, len(mine)), "\n".join(mine[:3]) or log[-3000:])
    errors = dict(pg.query("SELECT name, coalesce(last_error, '') FROM mailbox"))
    tap.ok(all(errors.get(n) for n in ("badpass", "badca", "down")) and not errors.get("good"),
           "the mailbox table shows the failing mailboxes' last error", errors)
    tap.ok(d.alive(), "the daemon stays up")
    tap.ok(dv.count("Bad") == 3 and dv.status("BadDone") is None, "nothing moved out of the failing folder")
    tap.ok(wait_for(lambda: dv.count("Good") == 0 and dv.count("GoodDone") == 2, 30),
           "the good mailbox carried on: both its messages moved")
    rows = pg.query("SELECT state, size, raw IS NULL, coalesce(last_error, '') FROM item ORDER BY id")
    tap.ok(len(rows) == 2 and sum(1 for r in rows if r[0] == "quarantined" and r[2] == "t") == 1,
           "the message above max-file-size is a quarantined item without bytes", rows)
    tap.ok(any("quarantined: message larger than [limits] max-file-size" in l for l in d.log_text().splitlines()),
           "the quarantine reason is logged")
    tap.ok("s3cret-imap" not in d.log_text() and "not-the-password" not in d.log_text(),
           "no password in the log")

    # the fix: the right password and a reload
    d.write_config(config(dv.password_file))
    os.kill(d.proc.pid, signal.SIGHUP)
    tap.ok(wait_for(lambda: dv.count("Bad") == 0 and dv.count("BadDone") == 3, 40, 0.5),
           "after fixing the password and reloading, the waiting mail is stored and moved",
           "Bad=%d BadDone=%d" % (dv.count("Bad"), dv.count("BadDone")))
    tap.ok(pg.scalar("SELECT count(*) FROM item") == "5", "5 items in all")
    tap.ok(wait_for(lambda: pg.scalar("SELECT last_error IS NULL FROM mailbox WHERE name = 'badpass'") == "t",
                    10),
           "the mailbox error is cleared once polling works")
    tap.ok(d.stop() == 0, "clean stop")

    # tls-verify=false: a loud warning at every start
    cfg = config(dv.password_file)
    for n in ("badpass", "badca", "down"):
        del cfg["mailbox." + n]
    cfg["mailbox.good"]["tls-verify"] = "false"
    cfg["mailbox.good"]["ca-file"] = None
    d.write_config(cfg)
    d.run_once(timeout=120)
    tap.ok("warning: rd-imap: mailbox good: TLS CERTIFICATE VERIFICATION IS OFF" in d.log_text(),
           "tls-verify=false is logged loudly at warning level")

    # configuration errors name file, group and key
    def check(extra):
        cfg = config(dv.password_file)
        cfg["mailbox.good"].update(extra)
        d.write_config(cfg)
        return subprocess.run([REFERRALD, "--config", d.config, "--check-config"], capture_output=True, text=True)
    r = check({"polling": "5s"})
    tap.ok(r.returncode != 0 and "[mailbox.good] unknown key polling" in r.stderr and d.config in r.stderr,
           "an unknown key is refused naming file, group and key", r.stderr)
    r = check({"action": "delete"})
    tap.ok(r.returncode != 0 and "[mailbox.good] action: bad value" in r.stderr, "a bad action is refused", r.stderr)
    r = check({"url": "http://example.org"})
    tap.ok(r.returncode != 0 and "[mailbox.good] url: bad value" in r.stderr, "a non-IMAP url is refused", r.stderr)
    r = check({"password-file": None})
    tap.ok(r.returncode != 0 and "[mailbox.good] needs exactly one of" in r.stderr, "a missing secret is refused",
           r.stderr)
finally:
    work.finish(tap, d.kill_group, dv.stop, pg.stop)
