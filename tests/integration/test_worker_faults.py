#!/usr/bin/env python3
"""Workers are processes: one killed with SIGKILL mid-item, one that blows
its memory limit, one that crashes on every try, one that hangs.  The
supervisor restarts them, the item is retried, an item that kills its
worker every time ends failed after max-attempts, every other item is done,
and the daemon keeps serving."""
import time

from harness import Daemon, Postgres, Tap, Workdir, drop, make_pdf, wait_for

tap = Tap()
work = Workdir("faults")
pg = Postgres(work)
d = Daemon(work, pg, dropdir__settle_time="0", workers__max_attempts="2", workers__memory_limit="512M",
           workers__item_timeout="4s")
d.env_extra["RD_TEST_FAULTS"] = "1"


def state(name):
    rows = pg.query("SELECT i.state, i.attempts, coalesce(i.last_error, '') FROM item i JOIN receipt r"
                    " ON r.item_id = i.id WHERE r.original_name = '%s'" % name)
    return tuple(rows[0]) if rows else (None, None, None)


try:
    d.start()
    wait_for(lambda: len(d.worker_pids()) == 2, 20)
    first_workers = set(d.worker_pids())
    drop(d.inbox, "slow.pdf", make_pdf("slow one", extra_comment="RD-TEST-FAULT:slow"))
    # kill whichever worker took it, mid-item
    leased = wait_for(lambda: pg.scalar("SELECT leased_by FROM item WHERE state = 'processing'"), 20)
    pid = int(leased.rsplit("/", 1)[1]) if leased else None
    if pid:
        import os
        import signal
        os.kill(pid, signal.SIGKILL)
    tap.ok(pid is not None, "a worker leased the slow item")
    done = wait_for(lambda: state("slow.pdf")[0] == "done", 60)
    tap.ok(done and state("slow.pdf")[1] == "2", "the item of a SIGKILLed worker is retried and done",
           state("slow.pdf"))

    drop(d.inbox, "segv.pdf", make_pdf("crasher", extra_comment="RD-TEST-FAULT:segv"))
    drop(d.inbox, "oom.pdf", make_pdf("memory hog", extra_comment="RD-TEST-FAULT:oom"))
    drop(d.inbox, "hang.pdf", make_pdf("hangs", extra_comment="RD-TEST-FAULT:hang"))
    for i in range(6):
        drop(d.inbox, "ok-%d.pdf" % i, make_pdf("fine %d" % i))

    settled = wait_for(lambda: all(state(n)[0] == "failed" for n in ("segv.pdf", "oom.pdf", "hang.pdf")) and
                       all(state("ok-%d.pdf" % i)[0] == "done" for i in range(6)), 120)
    tap.ok(settled, "poison items fail, every other item is done",
           pg.query("SELECT i.id, r.original_name, i.state, i.attempts, i.last_error FROM item i"
                    " JOIN receipt r ON r.item_id = i.id ORDER BY 1"))
    s = state("segv.pdf")
    # a plain build reports SIGSEGV; under AddressSanitizer its handler exits 1 instead
    tap.ok(s[0] == "failed" and s[1] == "2" and ("signal 11" in s[2] or "exited with status 1" in s[2]),
           "a crashing item fails after max-attempts=2, with how its worker died", s)
    s = state("oom.pdf")
    tap.ok(s[0] == "failed" and "signal" in s[2], "an item that blows the memory limit fails", s)
    s = state("hang.pdf")
    tap.ok(s[0] == "failed" and ("time limit" in s[2] or "signal 14" in s[2]),
           "a hanging item is stopped by the time limit", s)
    tap.ok(d.alive(), "the daemon kept serving")
    tap.ok(wait_for(lambda: len(d.worker_pids()) == 2, 20), "two workers running again")
    tap.ok(set(d.worker_pids()) != first_workers, "dead workers were replaced")
    tap.ok(pg.scalar("SELECT count(*) FROM event WHERE kind = 'attempt-failed'") >= "3",
           "failed attempts are in the event log")

    # an exploited parser reaching for the network or a shell: the seccomp
    # filter kills the worker (SIGSYS), one attempt per kill, then failed
    drop(d.inbox, "socket.pdf", make_pdf("dials out", extra_comment="RD-TEST-FAULT:socket"))
    drop(d.inbox, "exec.pdf", make_pdf("runs a program", extra_comment="RD-TEST-FAULT:exec"))
    drop(d.inbox, "ok-after.pdf", make_pdf("fine after"))
    wait_for(lambda: state("socket.pdf")[0] == "failed" and state("exec.pdf")[0] == "failed" and
             state("ok-after.pdf")[0] == "done", 240)
    for name, what in (("socket.pdf", "opens a network socket"), ("exec.pdf", "runs a program")):
        s = state(name)
        tap.ok(s[0] == "failed" and s[1] == "2" and ("signal 31" in s[2] or "forbidden system call" in s[2]),
               "a worker that %s is killed by its filter; the item fails after max-attempts=2" % what, s)
    tap.ok(state("ok-after.pdf")[0] == "done" and d.alive(), "and the daemon runs on")
    tap.ok(d.stop() == 0, "clean stop")
finally:
    work.finish(tap, d.kill_group, pg.stop)
