#!/usr/bin/env python3
"""PostgreSQL stopped in the middle of a burst and started again: nothing
lost, nothing duplicated, the daemon never exited and said so in STATUS=."""
import os
import socket
import threading
import time

from harness import Daemon, Postgres, Tap, Workdir, drop, listdir, make_pdf, wait_for

N = 80

tap = Tap()
work = Workdir("pgrestart")
pg = Postgres(work)
d = Daemon(work, pg, dropdir__settle_time="0", dropdir__rescan_interval="1")
notify_path = os.path.join(work.path, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(notify_path)
os.chmod(notify_path, 0o777)
sock.settimeout(0.2)
messages = []
stop = threading.Event()


def listen():
    while not stop.is_set():
        try:
            messages.append(sock.recv(4096).decode(errors="replace"))
        except socket.timeout:
            pass


listener = threading.Thread(target=listen)
listener.start()
d.env_extra["NOTIFY_SOCKET"] = notify_path
try:
    files = {"fax-%03d.pdf" % i: make_pdf("Database outage test %d" % i) for i in range(N)}
    names = sorted(files)
    d.start()
    wait_for(lambda: any("READY=1" in m for m in messages), 30)
    for n in names[:N // 2]:
        drop(d.inbox, n, files[n])
    time.sleep(1.0)
    pg.stop()
    for n in names[N // 2:]:
        drop(d.inbox, n, files[n])
    down = wait_for(lambda: any("database unavailable" in m for m in messages), 30)
    tap.ok(down, "STATUS= says the database is unavailable")
    time.sleep(3)
    tap.ok(d.alive(), "daemon still running while PostgreSQL is down")
    tap.ok(len(listdir(d.inbox)) > 0, "files wait in the drop folder while the database is down")
    pg.start()
    done = wait_for(lambda: not listdir(d.inbox) and
                    pg.scalar("SELECT count(*) FROM item WHERE state = 'done'") == str(N), 180)
    tap.ok(done, "after the restart every file is stored and processed",
           "inbox=%d states=%s" % (len(listdir(d.inbox)), pg.query("SELECT state, count(*) FROM item GROUP BY state")))
    tap.ok(pg.scalar("SELECT count(*) FROM item") == str(N), "exactly %d items, none duplicated" % N)
    tap.ok(len(listdir(d.processed)) == N, "processed/ holds every file")
    tap.ok(wait_for(lambda: any(" done," in m and "database unavailable" not in m for m in messages[-5:]), 15),
           "STATUS= recovers once the database is back")
    tap.ok(d.alive(), "daemon never exited")
    tap.ok(d.stop() == 0, "clean stop")
finally:
    stop.set()
    listener.join()
    work.finish(tap, d.kill_group, pg.stop)
