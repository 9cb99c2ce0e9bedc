#!/usr/bin/env python3
"""The daemon (supervisor and workers) killed with SIGKILL at random moments
during a burst, and restarted, several times: every file exactly once, none
left behind, none duplicated."""
import hashlib
import os
import random
import subprocess
import threading
import time

from harness import Daemon, Postgres, Tap, Workdir, drop, listdir, make_pdf, wait_for

N = 120
KILLS = 5

tap = Tap()
work = Workdir("sigkill")
pg = Postgres(work)
d = Daemon(work, pg, dropdir__settle_time="0", dropdir__rescan_interval="1")
rng = random.Random(20261128)
try:
    files = {"fax-%03d.pdf" % i: make_pdf("Kill test %d" % i) for i in range(N)}

    def dropper():
        for n in sorted(files):
            drop(d.inbox, n, files[n])
            time.sleep(rng.uniform(0, 0.02))

    t = threading.Thread(target=dropper)
    t.start()
    for k in range(KILLS):
        d.start()
        time.sleep(rng.uniform(0.2, 1.2))
        d.kill_group()
    t.join()
    d.start()
    finished = wait_for(lambda: not listdir(d.inbox) and
                        pg.scalar("SELECT count(*) FROM item WHERE state = 'done'") == str(N), 240)
    tap.ok(finished, "after %d SIGKILLs and restarts every file is stored and done" % KILLS,
           "inbox=%d states=%s" % (len(listdir(d.inbox)), pg.query("SELECT state, count(*) FROM item GROUP BY state")))
    tap.ok(pg.scalar("SELECT count(*) FROM item") == str(N), "exactly %d items" % N)
    shas = {hashlib.sha256(v).hexdigest() for v in files.values()}
    tap.ok({r[0] for r in pg.query("SELECT sha256 FROM item")} == shas, "each dropped file is one item")
    tap.ok(pg.scalar("SELECT count(*) FROM receipt WHERE duplicate") == "0", "no file recorded as a duplicate")
    tap.ok(len(listdir(d.processed)) == N, "processed/ holds %d files" % len(listdir(d.processed)))
    tap.ok(pg.scalar("SELECT count(*) FROM event WHERE kind = 'processed'") == str(N),
           "each item processed once (one 'processed' event each)")
    tap.ok(d.stop() == 0, "clean stop")

    # The supervisor alone killed: its children must not go on by
    # themselves (a worker holding a lease, a sender sending).  As root
    # the workers run as another user, which clears the parent-death
    # signal unless it is set again after the change of user.
    if os.geteuid() == 0:
        d.write_config({**d.groups, "workers": {**d.groups["workers"], "user": "nobody"}})
    d.start()
    children = wait_for(lambda: len(d.worker_pids()) >= 2 and d.worker_pids(), 30)
    d.kill()
    d.proc.wait()

    def live(pids):
        out = subprocess.run(["ps", "-o", "pid=,stat=", "-p", ",".join(map(str, pids))],
                             capture_output=True, text=True).stdout.split("\n")
        return [line.split()[0] for line in out if line.split() and not line.split()[1].startswith("Z")]

    gone = children and wait_for(lambda: not live(children), 15)
    tap.ok(gone, "the supervisor SIGKILLed: its workers leave within 15 s",
           "children %s, still running %s" % (children, children and live(children)))
finally:
    work.finish(tap, d.kill_group, pg.stop)
