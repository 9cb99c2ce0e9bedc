#!/usr/bin/env python3
"""Configuration errors stop the daemon with a message naming the file,
line, group and key, and a non-zero exit; a good file passes
--check-config; [include] files= and FILE.d/ add files, later ones
overriding earlier keys; secrets come from a file or
$CREDENTIALS_DIRECTORY and --check-config names them without reading them
unless --read-secrets is given."""
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


def write(name, text):
    path = os.path.join(work.path, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def run(path, *args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([REFERRALD, "--config", path, "--check-config", *args], capture_output=True, text=True,
                          env=e, timeout=30)


def check(text, *args, env=None):
    path = write("test.conf", text)
    p = run(path, *args, env=env)
    return p.returncode, p.stderr.strip(), path


rc, err, path = check(base + "[workers]\ncount=4\nitem-timeout=10min\n[limits]\nmax-file-size=32M\n"
                      "[policy]\nlabs_max_age_days=90\n[checklist.general]\nrequires=ekg;labs\n")
tap.ok(rc == 0, "a good configuration passes --check-config", err)

# (text appended to base, what the message must say, the line it must name)
bad = [
    ("[bogus]\nx=1\n", "unknown group [bogus]", 5),
    ("[workers]\ncolour=blue\n", "[workers] unknown key colour", 6),
    ("[workers]\ncount=zero\n", "[workers] count: bad value, expected a number from 1 to 64", 6),
    ("[workers]\ncount=1000\n", "[workers] count: bad value", 6),
    ("[workers]\n# the timeout\n\nitem-timeout=soon\n", "[workers] item-timeout: bad value", 8),
    ("[limits]\nmax-file-size=lots\n", "[limits] max-file-size: bad value", 6),
    ("[workers]\nretry-backoff=30s # comment\n", "[workers] retry-backoff: bad value", 6),
    ("[smtp]\nurl=smtp://mail.example:587   # STARTTLS\n", "[smtp] url: bad value", 6),
    ("[smtp]\nhelo=mail.example\n", "[smtp] url is required", 5),
    ("[replies]\nenabled=true\n", "[replies] from is required when enabled=true", 6),
    ("[replies]\nfax-reply=spool\n", "[replies] fax-reply=spool needs fax-spool", 6),
    ("[replies]\nsubject-missing=Dear {name}\n", "[replies] subject-missing: bad value", 6),
    ("[mailbox.a]\nurl=imaps://imap.example\nuser=u\naction=keep\npassword-file=/x\n",
     "[mailbox.a] action: bad value, expected move or flag", 8),
    ("[mailbox.a]\nurl=imaps://imap.example\nuser=u\n", "[mailbox.a] needs exactly one of", 5),
    ("[checklist.general]\nrequires=ekg;tarot\n", "[checklist.general] requires: unknown item type", 6),
]
for extra, want, line in bad:
    rc, err, path = check(base + extra)
    where = "%s:%d: " % (path, line)
    tap.ok(rc != 0 and want in err and where in err, "rejected with '%s' at line %d" % (want, line),
           "rc=%d stderr=%s" % (rc, err))

rc, err, path = check(base.replace("[dropdir]\n", "[dropdir]\nprocessed=relative/path\n"))
tap.ok(rc != 0 and "%s:4: [dropdir] processed: bad value" % path in err, "a relative path is refused", err)
rc, err, path = check("this is not a key file\n")
tap.ok(rc != 0 and path in err, "a file that is not a key-file is refused, naming it", err)
rc, err, path = check("[dropdir]\npath=/tmp\n")
tap.ok(rc != 0 and "[database] conninfo is required" in err, "missing conninfo is an error", err)

p = subprocess.run([REFERRALD, "--config", os.path.join(work.path, "absent.conf")], capture_output=True, text=True)
tap.ok(p.returncode != 0 and "absent.conf" in p.stderr, "a missing file is an error naming it", p.stderr)

# --- secrets: named by --check-config, read by --read-secrets and by the daemon
secret = write("pw", "s3cret\n")
db_file = base.replace("[dropdir]", "password-file=%s\n[dropdir]" % secret)
rc, err, _ = check(db_file, "--read-secrets")
tap.ok(rc == 0, "password-file is read", err)
missing = base.replace("[dropdir]", "password-file=%s/none\n[dropdir]" % work.path)
rc, err, path = check(missing, "--read-secrets")
tap.ok(rc != 0 and "%s:3: [database] password-file: cannot read" % path in err,
       "an unreadable password file is an error naming file, line, group and key", err)
p = run(path)
tap.ok(p.returncode == 0 and "[database] password-file=%s/none: not read" % work.path in p.stdout,
       "--check-config without --read-secrets names the secret and says it was not read", p.stdout + p.stderr)
p = subprocess.run([REFERRALD, "--config", path, "--once"], capture_output=True, text=True, timeout=30)
tap.ok(p.returncode != 0 and "password-file: cannot read" in p.stderr, "the daemon itself reads the secret",
       p.stderr)
two_lines = write("pw2", "s3cret\nmore\n")
rc, err, _ = check(base.replace("[dropdir]", "password-file=%s\n[dropdir]" % two_lines), "--read-secrets")
tap.ok(rc != 0 and "one non-empty line" in err and "s3cret" not in err, "a secret file of two lines is refused",
       err)
write("creds/db-password", "s3cret")
cred = base.replace("[dropdir]", "password-credential=db-password\n[dropdir]")
rc, err, _ = check(cred, "--read-secrets", env={"CREDENTIALS_DIRECTORY": os.path.join(work.path, "creds")})
tap.ok(rc == 0, "password-credential is read from $CREDENTIALS_DIRECTORY", err)
rc, err, path = check(cred, "--read-secrets", env={"CREDENTIALS_DIRECTORY": ""})
tap.ok(rc != 0 and "CREDENTIALS_DIRECTORY" in err and "LoadCredential=db-password" in err,
       "a credential without $CREDENTIALS_DIRECTORY is an error saying what to add to the unit", err)
rc, err, _ = check(base.replace("[dropdir]", "password-file=%s\npassword-credential=x\n[dropdir]" % secret))
tap.ok(rc != 0 and "exclude each other" in err, "password-file and password-credential exclude each other", err)
tap.ok("s3cret" not in err, "the password never appears in messages")

# the daemon refuses to start (not only --check-config)
path = write("run.conf", base + "[workers]\ncount=-1\n")
p = subprocess.run([REFERRALD, "--config", path, "--once"], capture_output=True, text=True, timeout=30)
tap.ok(p.returncode != 0 and "[workers] count" in p.stderr, "the daemon refuses to start on a bad value", p.stderr)

# --- [include] and FILE.d/
inc = os.path.join(work.path, "inc")
policy = write("inc/policy.conf", "[policy]\nlabs_max_age_days=30\n[checklist.general]\nrequires=ekg\n"
               "[workers]\ncount=3\n")
main = write("inc/main.conf", base + "[include]\nfiles=%s\n[workers]\ncount=2\nmax-attempts=5\n" % policy)
p = run(main)
tap.ok(p.returncode == 0 and ("%s: included" % policy) in p.stdout, "[include] files= adds a file",
       p.stdout + p.stderr)
write("inc/main.conf.d/20-late.conf", "[workers]\ncount=zero\n")
write("inc/main.conf.d/10-early.conf", "[workers]\ncount=7\n")
write("inc/main.conf.d/README", "not a conf file, not read\n")
p = run(main)
late = os.path.join(inc, "main.conf.d", "20-late.conf")
tap.ok(p.returncode != 0 and ("%s:2: [workers] count: bad value" % late) in p.stderr,
       "FILE.d/*.conf are read in name order, the last one overriding, and errors name the included file",
       p.stderr)
os.unlink(late)
p = run(main)
tap.ok(p.returncode == 0 and p.stdout.index("10-early.conf") > p.stdout.index("policy.conf"),
       "FILE.d/ comes after the [include] files", p.stdout + p.stderr)
# which value won: the key-file is checked through an error on a key only the winner makes bad
write("inc/main.conf.d/10-early.conf", "[workers]\ncount=7\n[checklist.general]\nrequires=ekg;astrology\n")
p = run(main)
tap.ok(p.returncode != 0 and "10-early.conf:4: [checklist.general] requires: unknown item type" in p.stderr,
       "a later file overrides an earlier key (policy errors name the file and line too)", p.stderr)
os.unlink(os.path.join(inc, "main.conf.d", "10-early.conf"))

absent = os.path.join(inc, "absent.conf")
write("inc/main.conf", base + "[include]\nfiles=%s\n" % absent)
p = run(main)
tap.ok(p.returncode != 0 and "main.conf:6: [include] files: %s" % absent in p.stderr,
       "an unreadable include is an error naming the including line and the file", p.stderr)
write("inc/a.conf", "[include]\nfiles=b.conf\n")
write("inc/b.conf", "[include]\nfiles=a.conf\n")
write("inc/main.conf", base + "[include]\nfiles=a.conf\n")
p = run(main)
tap.ok(p.returncode != 0 and "include loop" in p.stderr and "a.conf -> " in p.stderr,
       "an include loop is refused", p.stderr)
write("inc/main.conf", base + "[include]\nfiles=main.conf\n")
p = run(main)
tap.ok(p.returncode != 0 and "include loop" in p.stderr, "a file including itself is refused", p.stderr)
write("inc/main.conf", base + "[include]\nfiles=policy.conf;policy.conf\n")
p = run(main)
tap.ok(p.returncode != 0 and "included twice" in p.stderr, "a file included twice is refused", p.stderr)
write("inc/main.conf", base + "[include]\nfile=policy.conf\n")
p = run(main)
tap.ok(p.returncode != 0 and "main.conf:6: [include] unknown key file" in p.stderr,
       "an unknown key of [include] is refused", p.stderr)

# --- --dump-keys: what the README's tables are checked against
p = subprocess.run([REFERRALD, "--dump-keys"], capture_output=True, text=True, timeout=30)
rows = [line.split("\t") for line in p.stdout.splitlines()]
keys = {(r[0], r[1]): r[2] for r in rows if len(r) == 3}
tap.ok(p.returncode == 0 and len(keys) == len(rows) and keys.get(("workers", "count")) == "2"
       and keys.get(("smtp", "helo")) == "" and ("mailbox.NAME", "tls-verify") in keys,
       "--dump-keys lists every key as group, key, default", p.stdout[:2000])

work.cleanup()
tap.done()
