#!/usr/bin/env python3
"""Each child holds only its own secret.  The supervisor starts workers,
mailbox pollers and the sender with exec, from a clean environment, and
hands each only its own password (daemon/run/spawn.c).  With a database,
an IMAP and an SMTP password configured, each distinctive: a worker's
environment and memory hold the database password (the scan works) but
neither the IMAP nor the SMTP password; the poller holds the IMAP one but
not the SMTP one; the sender the SMTP one but not the IMAP one.  The
children are the referrald binary itself, not copies of the supervisor,
and a worker killed with SIGKILL is replaced and the work gets done."""
import os
import secrets
import signal

import dovecot
import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

tap = Tap()
for why in (smtpsink.available(), dovecot.available()):
    if why:
        tap.skip_all(why)

OFFICE = kit.Office(61, "Westerly Road Medical Group", "Isolde Marchetti", "westerly-mg.example")
DB_PW = "dbpw-" + secrets.token_hex(12)
IMAP_PW = "imappw-" + secrets.token_hex(12)
SMTP_PW = "smtppw-" + secrets.token_hex(12)
WORKER_PW = "workerpw-" + secrets.token_hex(12)
SENDER_PW = "senderpw-" + secrets.token_hex(12)
# what a child keeps of the environment (daemon/run/spawn.c)
ENV_KEEP = {"PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "JOURNAL_STREAM",
            "OMP_THREAD_LIMIT", "TESSDATA_PREFIX", "G_DEBUG", "G_MESSAGES_DEBUG", "RD_TEST_FAULTS",
            "ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS", "MALLOC_PERTURB_"}

work = Workdir("child-secrets")
pg = Postgres(work)
sink = smtpsink.Sink(work)
dv = dovecot.Dovecot(work)
d = Daemon(work, pg)


def write_secret(name, value):
    path = os.path.join(work.path, name)
    with open(path, "w") as f:
        f.write(value + "\n")
    os.chmod(path, 0o600)
    return path


def environ(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        return dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)


def memory_holds(pid, needles):
    """Which of @needles (bytes) appear in the process's readable memory."""
    found = set()
    with open("/proc/%d/maps" % pid) as f:
        maps = f.read().splitlines()
    fd = os.open("/proc/%d/mem" % pid, os.O_RDONLY)
    try:
        for line in maps:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5] if len(parts) > 5 else ""
            # sanitizer shadow memory is terabytes of reserved zeroes
            if "r" not in parts[1] or hi - lo > (1 << 30) or name in ("[vvar]", "[vsyscall]"):
                continue
            pos = lo
            tail = b""
            while pos < hi:
                n = min(hi - pos, 1 << 22)
                try:
                    chunk = os.pread(fd, n, pos)
                except OSError:
                    break
                data = tail + chunk
                for needle in needles:
                    if needle in data:
                        found.add(needle)
                tail = data[-64:]
                pos += n
    finally:
        os.close(fd)
    return found


def cmdline(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return f.read().split(b"\0")


def children():
    """{kind: [pid]} of the supervisor's children."""
    out = {}
    for pid in d.worker_pids():
        try:
            args = cmdline(pid)
        except OSError:
            continue
        if len(args) > 2 and args[1] == b"--child":
            out.setdefault(args[2].decode(), []).append(pid)
    return out


def settled(name):
    return pg.scalar("SELECT i.state FROM item i JOIN receipt c ON c.item_id = i.id WHERE c.original_name = '%s'"
                     % name) in ("done", "failed", "quarantined")


try:
    with open(os.path.join(sink.dir, "auth"), "w") as f:
        f.write("mailer:%s\n" % SMTP_PW)
    sink.start()
    with open(dv.users, "w") as f:
        f.write("%s:{PLAIN}%s\n" % (dovecot.USER, IMAP_PW))
    dv.start()
    kit.replies_config(d, pg, sink, mailbox=dv,
                       smtp={"user": "mailer", "password-file": write_secret("smtp.pw", SMTP_PW)})
    text = open(d.config).read()
    text = text.replace("password-file=%s" % dv.password_file, "password-file=%s" % write_secret("imap.pw", IMAP_PW))
    # the workers log in as themselves ([database] worker-user)
    text = text.replace("[database]\n", "[database]\npassword-file=%s\nworker-user=rd_worker_login\n"
                        "worker-password-file=%s\nsender-user=rd_sender_login\nsender-password-file=%s\n"
                        % (write_secret("db.pw", DB_PW), write_secret("worker.pw", WORKER_PW),
                           write_secret("sender.pw", SENDER_PW)), 1)
    with open(d.config, "w") as f:
        f.write(text)
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    kit.add_partner(d, pg, OFFICE, keys=("fax", "npi"), reply_email="front@westerly-mg.example")
    pg.query("CREATE ROLE rd_worker_login LOGIN IN ROLE referrald_worker;"
             " CREATE ROLE rd_sender_login LOGIN IN ROLE referrald_sender")

    d.env_extra = {"CREDENTIALS_DIRECTORY": work.path, "RD_SECRET_PROBE": IMAP_PW}
    d.start()
    kids = wait_for(lambda: (lambda c: c if len(c.get("worker", [])) == 2 and c.get("poller") and c.get("sender")
                             else None)(children()), 60, 0.5)
    if not tap.ok(kids, "the supervisor started two workers, a poller and a sender",
                  (children(), d.log_text()[-2000:])):
        raise SystemExit
    worker, poller, sender = kids["worker"][0], kids["poller"][0], kids["sender"][0]
    exe = os.path.realpath("/proc/%d/exe" % d.proc.pid)
    tap.ok(all(os.path.realpath("/proc/%d/exe" % p) == exe for p in (worker, poller, sender)),
           "each child is the referrald binary, exec'd")
    with open("/proc/%d/comm" % worker) as f:
        comm = f.read().strip()
    tap.ok(comm == "referrald", "and is named referrald (stale leases are told by that name)", comm)

    def oom_adj(pid):
        with open("/proc/%d/oom_score_adj" % pid) as f:
            return int(f.read())

    # a worker raises its own score once it has started: on a loaded
    # machine that comes a moment after the supervisor lists it
    worker_oom = wait_for(lambda: (lambda v: v if v == 500 else None)(oom_adj(worker)), 30, 0.2) or oom_adj(worker)
    manager_oom = oom_adj(d.proc.pid)
    tap.ok(worker_oom == 500 and manager_oom < worker_oom,
           "a worker is the first the kernel kills when memory runs out (oom_score_adj 500)",
           (worker_oom, manager_oom))

    env = environ(worker)
    extra = sorted(k.decode() for k in env if k.decode() not in ENV_KEEP)
    tap.ok(extra == [], "a worker's environment is the clean one", extra)
    tap.ok(b"CREDENTIALS_DIRECTORY" not in env and not any(IMAP_PW.encode() in v for v in env.values()),
           "with no credentials directory and no password in it")

    # the supervisor holds them all; each child only its own
    want = [DB_PW.encode(), IMAP_PW.encode(), SMTP_PW.encode(), WORKER_PW.encode(), SENDER_PW.encode()]
    # the worker reads its secret as it connects to the database
    held = wait_for(lambda: (lambda h: h if WORKER_PW.encode() in h else None)(memory_holds(worker, want)), 30, 0.5) \
        or memory_holds(worker, want)
    tap.ok(WORKER_PW.encode() in held, "the memory scan finds the worker's own secret, its database password")
    tap.ok(IMAP_PW.encode() not in held and SMTP_PW.encode() not in held,
           "a worker's memory holds neither the IMAP nor the SMTP password", held)
    tap.ok(DB_PW.encode() not in held, "nor the daemon's database password (it has a login of its own)", held)
    held = memory_holds(poller, want)
    tap.ok(IMAP_PW.encode() in held and DB_PW.encode() in held and SMTP_PW.encode() not in held
           and WORKER_PW.encode() not in held and SENDER_PW.encode() not in held,
           "the mailbox poller holds its IMAP password and the daemon's database one, no other", held)
    held = memory_holds(sender, want)
    tap.ok(SMTP_PW.encode() in held and SENDER_PW.encode() in held and DB_PW.encode() not in held
           and IMAP_PW.encode() not in held,
           "the sender holds the SMTP password and its own database login's, not the daemon's or the IMAP one",
           held)
    logins = dict(pg.query("SELECT usename, count(*) FROM pg_stat_activity WHERE datname = 'referrals'"
                           " AND usename IN ('rd_worker_login', 'rd_sender_login') GROUP BY 1"))
    tap.ok(int(logins.get("rd_worker_login", 0)) >= 2 and int(logins.get("rd_sender_login", 0)) >= 1,
           "the workers and the sender are logged in as their own logins", logins)
    res = pg.query("SET SESSION AUTHORIZATION rd_worker_login; RESET ROLE;"
                   " SELECT has_table_privilege('partner', 'SELECT')")
    tap.ok(res == [["f"]], "which, even after RESET ROLE, cannot read the partner directory", res)

    # the work gets done, by exec'd children, through a worker's SIGKILL
    os.kill(worker, signal.SIGKILL)
    drop(d.inbox, "r1.pdf", kit.referral_pdf(OFFICE, kit.Patient("Ottilie", "Brannigan", "12/04/1955")))
    tap.ok(wait_for(lambda: settled("r1.pdf"), 180, 0.3), "a referral dropped after a worker's SIGKILL is processed",
           d.log_text()[-3000:])
    tap.ok(wait_for(lambda: len(children().get("worker", [])) == 2 and worker not in children()["worker"], 60, 0.5),
           "the killed worker was replaced", children())
    tap.ok(wait_for(lambda: kit.outbox(pg, "state = 'sent'"), 60, 0.5),
           "its reply went out through the sender's own SMTP login", kit.outbox(pg))
    tap.ok(d.alive(), "the daemon runs on")
finally:
    work.finish(tap, d.stop, dv.stop, sink.stop, pg.stop)
