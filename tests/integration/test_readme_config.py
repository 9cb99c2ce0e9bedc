#!/usr/bin/env python3
"""Documentation that loads.  README.md is written for a clinic's IT
person, so every configuration example in it must work as written:

- every ```ini block passes `referrald --check-config`.  A block that shows
  only some groups is checked as included by a minimal base file (a
  [database] group with conninfo, the one key referrald cannot do
  without), as the README says.  A block whose first line is a comment
  naming a file ("# /etc/referrald/policy.conf") is written under that
  name, next to the others, so that an [include] between examples resolves;
- no line of a block has a comment after its value (key-file syntax has
  none: the '#' and what follows would be part of the value);
- a block that looks like configuration but is not marked ini fails, so
  that no example escapes the check;
- the README's key tables (| group | key | default | meaning |) list
  exactly the keys `referrald --dump-keys` knows, each once, with the same
  default where the code has a one-line default."""
import os
import re
import subprocess

from harness import REFERRALD, SRC, Tap, Workdir

tap = Tap()
work = Workdir("readme-config")
with open(os.path.join(SRC, "README.md")) as f:
    readme = f.read()

fences = re.findall(r"^```(\w*)\n(.*?)^```", readme, re.S | re.M)
blocks = [body for lang, body in fences if lang == "ini"]
tap.ok(len(blocks) >= 5, "README.md has its configuration examples as ini blocks (%d)" % len(blocks))
group_line = re.compile(r"^\[[A-Za-z0-9_.-]+\]\s*$", re.M)
for lang, body in fences:
    if lang != "ini" and group_line.search(body) and re.search(r"^[a-z][a-z0-9_-]*\s*=", body, re.M):
        tap.ok(False, "a configuration block is marked ```ini so that it is checked", body[:300])

# write every block first: one may include another
paths = []
for i, body in enumerate(blocks):
    first = body.splitlines()[0] if body.strip() else ""
    m = re.match(r"#\s*(/\S+\.conf)\s*$", first)
    name = os.path.basename(m.group(1)) if m else "example-%d.conf" % (i + 1)
    path = os.path.join(work.path, name)
    tap.ok(not os.path.exists(path), "example file name %s is used once" % name)
    with open(path, "w") as f:
        f.write(body)
    paths.append(path)

env = dict(os.environ)
env.pop("CREDENTIALS_DIRECTORY", None)
for i, (body, path) in enumerate(zip(blocks, paths)):
    title = "example %d (%s)" % (i + 1, body.strip().splitlines()[0][:50])
    for n, line in enumerate(body.splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#") or group_line.match(text) or "=" not in text:
            continue
        value = text.split("=", 1)[1]
        tap.ok(not re.search(r"\s#", value), "%s line %d has no comment after its value" % (title, n), line)
    base = os.path.join(work.path, "base-%d.conf" % (i + 1))
    with open(base, "w") as f:
        f.write("[database]\nconninfo=host=/nonexistent dbname=referrals\n[include]\nfiles=%s\n" % path)
    p = subprocess.run([REFERRALD, "--check-config", "--config", base], capture_output=True, text=True, env=env,
                       timeout=30)
    tap.ok(p.returncode == 0 and p.stdout.strip().endswith("%s: ok" % base),
           "%s passes referrald --check-config" % title, p.stderr + p.stdout)

# the key tables against the code
p = subprocess.run([REFERRALD, "--dump-keys"], capture_output=True, text=True, timeout=30)
tap.ok(p.returncode == 0 and p.stdout.count("\n") > 50, "referrald --dump-keys lists the keys", p.stderr)
known = {}
for line in p.stdout.splitlines():
    group, key, default = line.split("\t")
    known[(group, key)] = default
documented = {}
in_table = False
for line in readme.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
    if cells is None:
        in_table = False
    elif cells[:4] == ["group", "key", "default", "meaning"]:
        in_table = True
    elif in_table and not set(cells[0]) <= set("-: "):
        tap.ok((cells[0], cells[1]) not in documented, "[%s] %s is documented once" % (cells[0], cells[1]))
        documented[(cells[0], cells[1])] = cells[2].strip("`")
missing = sorted("[%s] %s" % k for k in known if k not in documented)
tap.ok(not missing, "every key the code knows is in a README table", ", ".join(missing))
unknown = sorted("[%s] %s" % k for k in documented if k not in known)
tap.ok(not unknown, "every key a README table lists is one the code knows", ", ".join(unknown))
for k, default in sorted(known.items()):
    if default and "\\n" not in default and k in documented:
        tap.ok(documented[k] == default, "[%s] %s: the README's default is the code's (%s)" % (k[0], k[1], default),
               "README says %r" % documented[k])

work.cleanup()
tap.done()
