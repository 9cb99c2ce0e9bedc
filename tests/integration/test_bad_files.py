#!/usr/bin/env python3
"""Bad files in the drop folder are quarantined with a recorded reason, and
the daemon keeps running: empty, truncated PDF, random bytes, a hostile
file name, a file over the size limit, a symlink.  Temporary and hidden
files are left alone."""
import os
import random

from harness import Daemon, Postgres, Tap, Workdir, drop, listdir, make_pdf, wait_for

tap = Tap()
work = Workdir("badfiles")
pg = Postgres(work)
d = Daemon(work, pg, limits__max_file_size="64K", dropdir__settle_time="0")
rng = random.Random(7)
try:
    good = make_pdf("A good referral")
    cases = {
        "empty.pdf": (b"", "empty file"),
        "truncated.pdf": (make_pdf("cut short")[:300], "truncated PDF"),
        "random.pdf": (bytes(rng.getrandbits(8) for _ in range(5000)), "not a PDF, TIFF, PNG or JPEG"),
        "line\nbreak ..\\..\\etc passwd\r.pdf": (b"just some text, not a fax\n" * 10, "not a PDF, TIFF, PNG or JPEG"),
        "huge.pdf": (b"%PDF-1.4\n" + b"0" * (100 * 1024) + b"\n%%EOF\n", "larger than"),
        "mail.eml": (b"From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nhello\r\n", "not a PDF"),
    }
    for name, (data, _) in cases.items():
        drop(d.inbox, name, data)
    drop(d.inbox, "good.pdf", good)
    # left alone: still being transferred, hidden, editor backup, a symlink
    for name in ("upload.pdf.part", ".hidden.pdf", "x.pdf~"):
        with open(os.path.join(d.inbox, name), "wb") as f:
            f.write(good + name.encode())
    os.symlink("/etc/passwd", os.path.join(d.inbox, "link.pdf"))

    d.start()
    settled = wait_for(lambda: len(listdir(d.quarantine)) == len(cases)
                       and pg.scalar("SELECT count(*) FROM item WHERE state = 'done'") == "1", 60)
    tap.ok(settled, "every bad file quarantined, the good one processed",
           "quarantine=%s items=%s" % (listdir(d.quarantine), pg.query("SELECT id, state, last_error FROM item")))
    rows = pg.query("SELECT encode(convert_to(r.original_name, 'UTF8'), 'hex'), i.state, i.last_error"
                    " FROM item i JOIN receipt r ON r.item_id = i.id")
    by_name = {bytes.fromhex(r[0]).decode(): (r[1], r[2]) for r in rows}
    for name, (_, reason) in cases.items():
        state, error = by_name.get(name, (None, None))
        tap.ok(state == "quarantined" and error and reason in error,
               "%r quarantined with the reason '%s'" % (name[:20], reason), "got %s %s" % (state, error))
    tap.ok(sorted(listdir(d.inbox)) == sorted([".hidden.pdf", "link.pdf", "upload.pdf.part", "x.pdf~"]),
           "temporary, hidden and symlinked files left alone", listdir(d.inbox))
    names_ok = all("\n" not in n and "/" not in n and "\\" not in n for n in listdir(d.quarantine))
    tap.ok(names_ok, "quarantined file names are made safe", listdir(d.quarantine))
    tap.ok(pg.scalar("SELECT count(*) FROM event WHERE kind = 'quarantined'") == str(len(cases)),
           "each quarantine is in the event log")
    log = d.log_text()
    tap.ok("line" not in log and "break" not in log and "passwd" not in log,
           "file names are not logged", log[-2000:])
    # the same bad bytes again: recognised, quarantined again, not a new item
    drop(d.inbox, "empty-again.pdf", b"")
    tap.ok(wait_for(lambda: not listdir(d.inbox) or listdir(d.inbox) == sorted(
        [".hidden.pdf", "link.pdf", "upload.pdf.part", "x.pdf~"]), 20)
           and pg.scalar("SELECT count(*) FROM item WHERE state = 'quarantined'") == str(len(cases)),
           "a second copy of a quarantined file is not a new item")
    tap.ok(d.alive(), "daemon still running")
    tap.ok(d.stop() == 0, "clean stop")
finally:
    work.finish(tap, d.kill_group, pg.stop)
