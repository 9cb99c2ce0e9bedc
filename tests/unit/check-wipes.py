#!/usr/bin/env python3
"""Secrets are wiped with a call the compiler keeps: memset() just before
free() is a dead store that an optimising compiler may drop, so a password
or a password hash would stay in freed memory.  Every wipe of a secret in
the sources uses explicit_bzero() or sodium_memzero()."""
import os
import re
import sys

SRC = os.environ.get("RD_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
SECRET = re.compile(r"\bmemset\s*\(\s*([^,]*(password|passwd|secret|token|hash|key)[^,]*),", re.I)

bad = []
files = 0
for top in ("daemon", "parsers", "ocr"):
    for root, _, names in os.walk(os.path.join(SRC, top)):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            files += 1
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    if SECRET.search(line):
                        bad.append("%s:%d: %s" % (os.path.relpath(path, SRC), n, line.strip()))
print("ok 1 - %d source files read" % files if files else "not ok 1 - no source files found under %s" % SRC)
if bad:
    print("not ok 2 - secrets wiped with memset(), which the compiler may drop before free()")
    for b in bad:
        print("# " + b)
else:
    print("ok 2 - every secret is wiped with explicit_bzero() or sodium_memzero()")
print("1..2")
sys.exit(1 if bad or not files else 0)
