#!/usr/bin/env python3
"""Configuration errors stop the daemon with a message naming the file,
group and key, and a non-zero exit; a good file passes --check-config;
secrets come from a file or $CREDENTIALS_DIRECTORY."""
import os
import subprocess

from harness import REFERRALD, Tap, Workdir

tap = Tap()
work = Workdir("config")
base = """[database]
conninfo=host=/nonexistent dbname=referrals
[dropdir]
path=/var/spool/referrald/inbox
"""


def check(text, env=None):
    path = os.path.join(work.path, "test.conf")
    with open(path, "w") as f:
        f.write(text)
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([REFERRALD, "--config", path, "--check-config"], capture_output=True, text=True, env=e,
                       timeout=30)
    return p.returncode, p.stderr.strip(), path


rc, err, path = check(base + "[workers]\ncount=4\nitem-timeout=10min\n[limits]\nmax-file-size=32M\n"
                      "[policy]\nlabs_max_age_days=90\n[checklist.general]\nrequires=ekg;labs\n")
tap.ok(rc == 0, "a good configuration passes --check-config", err)

bad = [
    ("[bogus]\nx=1\n", "unknown group [bogus]"),
    ("[workers]\ncolour=blue\n", "[workers] unknown key colour"),
    ("[workers]\ncount=zero\n", "[workers] count: bad value"),
    ("[workers]\ncount=1000\n", "[workers] count: bad value"),
    ("[workers]\nitem-timeout=soon\n", "[workers] item-timeout: bad value"),
    ("[limits]\nmax-file-size=lots\n", "[limits] max-file-size: bad value"),
    ("[dropdir]\nprocessed=relative/path\n", "[dropdir] processed: bad value"),
    ("this is not a key file\n", "test.conf"),
]
for extra, want in bad:
    text = base + extra if not extra.startswith("this") else extra
    if extra.startswith("[dropdir]"):
        text = base.replace("[dropdir]\n", extra)
    rc, err, path = check(text)
    tap.ok(rc != 0 and want in err and path in err, "rejected with '%s'" % want, "rc=%d stderr=%s" % (rc, err))

rc, err, path = check("[dropdir]\npath=/tmp\n")
tap.ok(rc != 0 and "[database] conninfo is required" in err, "missing conninfo is an error", err)

p = subprocess.run([REFERRALD, "--config", os.path.join(work.path, "absent.conf")], capture_output=True, text=True)
tap.ok(p.returncode != 0 and "absent.conf" in p.stderr, "a missing file is an error naming it", p.stderr)

secret = os.path.join(work.path, "pw")
with open(secret, "w") as f:
    f.write("s3cret\n")
rc, err, _ = check(base.replace("[dropdir]", "password-file=%s\n[dropdir]" % secret))
tap.ok(rc == 0, "password-file is read", err)
rc, err, _ = check(base.replace("[dropdir]", "password-file=%s/none\n[dropdir]" % work.path))
tap.ok(rc != 0 and "password" in err, "an unreadable password file is an error", err)
os.makedirs(os.path.join(work.path, "creds"), exist_ok=True)
with open(os.path.join(work.path, "creds", "db-password"), "w") as f:
    f.write("s3cret")
rc, err, _ = check(base.replace("[dropdir]", "password-credential=db-password\n[dropdir]"),
                   {"CREDENTIALS_DIRECTORY": os.path.join(work.path, "creds")})
tap.ok(rc == 0, "password-credential is read from $CREDENTIALS_DIRECTORY", err)
env = dict(os.environ)
env.pop("CREDENTIALS_DIRECTORY", None)
rc, err, _ = check(base.replace("[dropdir]", "password-credential=db-password\n[dropdir]"), env)
tap.ok(rc != 0 and "CREDENTIALS_DIRECTORY" in err, "a credential without $CREDENTIALS_DIRECTORY is an error", err)
tap.ok("s3cret" not in err, "the password never appears in messages")

# the daemon refuses to start (not only --check-config)
path = os.path.join(work.path, "run.conf")
with open(path, "w") as f:
    f.write(base + "[workers]\ncount=-1\n")
p = subprocess.run([REFERRALD, "--config", path, "--once"], capture_output=True, text=True, timeout=30)
tap.ok(p.returncode != 0 and "[workers] count" in p.stderr, "the daemon refuses to start on a bad value", p.stderr)

work.cleanup()
tap.done()
