#!/usr/bin/env python3
"""Staff identity: referralctl connects as the person who runs it (peer
authentication on PostgreSQL's unix socket, the Unix user mapped to a role
of the same name in referrald_staff) and never reads the daemon's
password.  Two staff members, two Unix users: each change they make is an
event that names them; one cannot pass as the other; a Unix user without a
staff role is refused with a message that says what to do."""
import json
import os
import pwd
import subprocess

import replykit as kit
from harness import REFERRALCTL, Daemon, Postgres, Tap, Workdir, drop

tap = Tap()
if os.geteuid() != 0:
    tap.skip_all("needs root to create two Unix users")

USERS = ("rdstaff-ines", "rdstaff-omar")
OFFICE = kit.Office(53, "Millbrook Internal Medicine", "Perpetua Osei", "millbrook-im.example")

work = Workdir("staff-identity")
pg = Postgres(work)
d = Daemon(work, pg)
created = []


def add_unix_user(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
        created.append(name)


def remove_unix_users():
    for name in created:
        subprocess.run(["userdel", name], check=False, capture_output=True)


def ctl_as(user, *args, env_extra=None):
    env = dict(os.environ)
    env.pop("PGUSER", None)
    env.update(env_extra or {})
    return subprocess.run(["runuser", "-u", user, "--", REFERRALCTL, args[0], "--config", staff_conf] + list(args[1:]),
                          capture_output=True, text=True, env=env)


def actors(rid):
    return pg.query("SELECT kind, actor FROM event WHERE referral_id = %d ORDER BY id" % rid)


try:
    for u in USERS:
        add_unix_user(u)
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit

    # one referral to work on
    drop(d.inbox, "r1.pdf", kit.referral_pdf(OFFICE, kit.Patient("Henrike", "Castellanos", "05/11/1951")))
    d.run_once(timeout=300)
    rid = pg.scalar("SELECT r.id FROM referral r JOIN receipt c ON c.item_id = r.item_id"
                    " WHERE c.original_name = 'r1.pdf'")
    if not tap.ok(rid is not None, "a referral to work on", d.log_text()[-2000:]):
        raise SystemExit
    rid = int(rid)

    # the clinic's setup: a role per person, peer authentication on the socket
    for u in USERS:
        pg.query('DROP ROLE IF EXISTS "%s"; CREATE ROLE "%s" LOGIN IN ROLE referrald_staff' % (u, u))
    hba = os.path.join(pg.dir, "data", "pg_hba.conf")
    with open(hba) as f:
        rules = f.read()
    with open(hba, "w") as f:
        f.write("local referrals +referrald_staff peer\n" + rules)
    pg.query("SELECT pg_reload_conf()")

    # the staff's configuration: the daemon's conninfo (its user is not
    # theirs) and a password file only root can read
    secret = os.path.join(work.path, "db-password")
    with open(secret, "w") as f:
        f.write("the daemon's password\n")
    os.chmod(secret, 0o600)
    staff_conf = os.path.join(work.path, "staff.conf")
    with open(staff_conf, "w") as f:
        f.write("[database]\nconninfo=%s\npassword-file=%s\n\n[dropdir]\npath=%s\n" % (pg.dsn, secret, d.inbox))
    os.chmod(staff_conf, 0o644)

    p = ctl_as("rdstaff-ines", "resolve", str(rid), "ekg", "--note", "EKG received through the hospital portal")
    tap.ok(p.returncode == 0, "ines resolves the missing EKG as herself (the daemon's password file is unreadable"
           " to her, and not needed)", p.stdout + p.stderr)
    p = ctl_as("rdstaff-omar", "status", str(rid), "seen")
    tap.ok(p.returncode == 0, "omar marks the referral seen as himself", p.stdout + p.stderr)
    rows = actors(rid)
    mine = {a for k, a in rows if a in USERS}
    tap.ok(mine == set(USERS), "the events name two different people", rows)
    tap.ok(any(k in ("resolved",) and a == "rdstaff-ines" for k, a in rows)
           and any(k.replace("-", "_") == "status_changed" and a == "rdstaff-omar" for k, a in rows),
           "each change names the person who made it", rows)
    tap.ok(not any(a in ("postgres", "root") for k, a in rows if k in ("resolved", "status-changed",
                                                                        "status_changed")),
           "never the daemon's login nor root", rows)

    p = ctl_as("rdstaff-ines", "show", str(rid), "--json")
    try:
        shown = json.loads(p.stdout)
    except ValueError:
        shown = None
    bys = [e.get("by") for e in (shown or {}).get("events", [])]
    tap.ok("rdstaff-ines" in bys and "rdstaff-omar" in bys, "referralctl show lists who did what", p.stdout[-1500:]
           + p.stderr)
    views = pg.query("SELECT user_name, action FROM audit_log WHERE referral_id = %d" % rid)
    tap.ok(views == [["rdstaff-ines", "view"]], "and her viewing it is in the audit log under her name", views)

    # nobody passes as someone else: omar asking to be ines is refused
    before = len(actors(rid))
    p = ctl_as("rdstaff-omar", "status", str(rid), "declined", "--note", "x", env_extra={"PGUSER": "rdstaff-ines"})
    tap.ok(p.returncode != 0 and "peer" in p.stderr.lower(), "omar cannot log in as ines (peer authentication)",
           p.stdout + p.stderr)
    tap.ok(len(actors(rid)) == before, "and nothing was recorded")

    # a Unix user without a staff role is told what to do
    p = ctl_as("nobody", "list")
    tap.ok(p.returncode != 0 and "person running it" in p.stderr, "a Unix user without a role is refused, clearly",
           p.stdout + p.stderr)

    # a person who is not staff cannot act as staff
    pg.query('REVOKE referrald_staff FROM "rdstaff-omar"')
    p = ctl_as("rdstaff-omar", "list")
    tap.ok(p.returncode != 0, "after leaving referrald_staff, omar is refused", p.stdout + p.stderr)
finally:
    work.finish(tap, d.stop, pg.stop, remove_unix_users)
