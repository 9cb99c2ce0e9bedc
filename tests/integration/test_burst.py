#!/usr/bin/env python3
"""200 files dropped in a burst, some written slowly in pieces, while the
daemon runs: 200 items, each exactly once, every file in processed/."""
import hashlib
import os
import threading

from harness import Daemon, Postgres, Tap, Workdir, drop, listdir, make_pdf, make_png, wait_for

N = 200
SLOW = 20

tap = Tap()
work = Workdir("burst")
pg = Postgres(work)
d = Daemon(work, pg)
try:
    d.start()
    tap.ok(wait_for(lambda: "started with" in d.log_text(), 30), "daemon started")
    files = {}
    for i in range(N):
        data = make_pdf("Burst test document %d" % i) if i % 2 else make_png(16, 16, seed=i)
        name = "fax-%04d.%s" % (i, "pdf" if i % 2 else "png")
        files[name] = data

    names = sorted(files)
    slow = names[:SLOW]
    fast = names[SLOW:]
    threads = [threading.Thread(target=drop, args=(d.inbox, n, files[n], 4, 0.3)) for n in slow]
    for t in threads:
        t.start()
    for n in fast:
        drop(d.inbox, n, files[n])
    for t in threads:
        t.join()

    stored = wait_for(lambda: pg.scalar("SELECT count(*) FROM item") == str(N) and not listdir(d.inbox), 180)
    tap.ok(stored, "all %d files stored and the drop folder emptied" % N,
           "items=%s inbox=%s" % (pg.scalar("SELECT count(*) FROM item"), listdir(d.inbox)[:5]))
    done = wait_for(lambda: pg.scalar("SELECT count(*) FROM item WHERE state = 'done'") == str(N), 240)
    tap.ok(done, "every item processed (done)",
           pg.query("SELECT state, count(*) FROM item GROUP BY state"))

    shas = {hashlib.sha256(v).hexdigest() for v in files.values()}
    db_shas = {r[0] for r in pg.query("SELECT sha256 FROM item")}
    tap.ok(db_shas == shas, "the stored items are exactly the dropped files, each once")
    tap.ok(pg.scalar("SELECT count(*) FROM receipt") == str(N), "one receipt per file, no duplicate receipts")
    slow_ok = all(pg.scalar("SELECT size FROM item WHERE sha256 = '%s'" % hashlib.sha256(files[n]).hexdigest())
                  == str(len(files[n])) for n in slow)
    tap.ok(slow_ok, "files written slowly in pieces were stored whole, not cut short")

    processed = listdir(d.processed)
    tap.ok(len(processed) == N, "every file is in processed/ (%d)" % len(processed))
    moved = set()
    for p in processed:
        with open(os.path.join(d.processed, p), "rb") as f:
            moved.add(hashlib.sha256(f.read()).hexdigest())
    tap.ok(moved == shas, "processed/ holds exactly the dropped bytes")
    tap.ok(listdir(d.quarantine) == [], "nothing quarantined")
    tap.ok(d.alive(), "daemon still running")
    rc = d.stop()
    tap.ok(rc == 0, "SIGTERM: clean exit (%s)" % rc, d.log_text())
finally:
    work.finish(tap, d.kill_group, pg.stop)
