#!/usr/bin/env python3
"""sd_notify protocol, checked on a NOTIFY_SOCKET of our own: READY=1 after
the database answered, STATUS= with the queue, WATCHDOG=1 when asked for,
RELOADING=1/READY=1 on SIGHUP, STOPPING=1 and a prompt exit on SIGTERM."""
import os
import signal
import socket
import threading
import time

from harness import Daemon, Postgres, Tap, Workdir, drop, make_pdf, wait_for

tap = Tap()
work = Workdir("notify")
pg = Postgres(work)
d = Daemon(work, pg, dropdir__settle_time="0")
path = os.path.join(work.path, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.settimeout(0.2)
messages = []
stop = threading.Event()


def listen():
    while not stop.is_set():
        try:
            messages.append((time.monotonic(), sock.recv(4096).decode(errors="replace")))
        except socket.timeout:
            pass


def seen(text):
    return any(text in m for _, m in messages)


t = threading.Thread(target=listen)
t.start()
d.env_extra.update({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"})
try:
    proc = d.start()
    tap.ok(wait_for(lambda: seen("READY=1"), 30), "READY=1 sent")
    drop(d.inbox, "a.pdf", make_pdf("notify test"))
    tap.ok(wait_for(lambda: seen("STATUS=") and any("1 done" in m for _, m in messages), 30),
           "STATUS= reports the queue", [m for _, m in messages][-5:])
    tap.ok(wait_for(lambda: seen("WATCHDOG=1"), 10), "WATCHDOG=1 sent while WATCHDOG_USEC is set")
    n_ready = sum("READY=1" in m for _, m in messages)
    os.kill(proc.pid, signal.SIGHUP)
    tap.ok(wait_for(lambda: seen("RELOADING=1") and sum("READY=1" in m for _, m in messages) > n_ready, 15),
           "SIGHUP: RELOADING=1 then READY=1")
    tap.ok(d.alive(), "still running after reload")
    t0 = time.monotonic()
    os.kill(proc.pid, signal.SIGTERM)
    rc = proc.wait(timeout=60)
    tap.ok(rc == 0 and seen("STOPPING=1"), "SIGTERM: STOPPING=1 and exit status 0 (%s)" % rc)
    tap.ok(time.monotonic() - t0 < 20, "stopped within the stop timeout (%.1f s)" % (time.monotonic() - t0))
    tap.ok("Alvarez" not in d.log_text(), "no patient data in the log")
finally:
    stop.set()
    t.join()
    work.finish(tap, d.kill_group, pg.stop)
