#!/usr/bin/env python3
"""Without the shared files (../shared, RD_SHARED_DIR) the tests that read
them skip, with a TAP skip, and never abort: each is run here with
RD_SHARED_DIR naming a folder that does not exist."""
import os
import subprocess
import sys

BUILD = os.environ.get("RD_BUILD_ROOT", "build")
# the unit tests that read ../shared (samples, corpora, the contract)
TESTS = ["test-mime", "test-corpus-mime", "test-corpus-pages", "test-picture", "test-policy"]

env = dict(os.environ)
env["RD_SHARED_DIR"] = "/nonexistent/shared"
n = failed = 0
for name in TESTS:
    path = os.path.join(BUILD, "tests", "unit", name)
    n += 1
    if not os.access(path, os.X_OK):
        print("ok %d - %s # SKIP not built" % (n, name))
        continue
    p = subprocess.run([path, "--tap"], capture_output=True, text=True, env=env, timeout=600)
    out = p.stdout + p.stderr
    good = p.returncode in (0, 77) and "Bail out" not in out and "not ok" not in p.stdout and "# SKIP" in out
    if not good:
        failed += 1
    print("%s %d - %s without ../shared: skips what needs it, exit %d" % ("ok" if good else "not ok", n, name,
                                                                        p.returncode))
    if not good:
        for line in out.splitlines()[-15:]:
            print("# " + line)
print("1..%d" % n)
sys.exit(1 if failed else 0)
