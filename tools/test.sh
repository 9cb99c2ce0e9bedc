#!/bin/sh
# Run the whole test suite the way CI does: install what is missing, build
# with AddressSanitizer and UndefinedBehaviorSanitizer, run every test
# (each starts its own PostgreSQL, Dovecot and SMTP server as needed), and
# end with "N passed, N failed".
#   tools/test.sh [meson test arguments, e.g. --suite unit]
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
BUILD=${RD_TEST_BUILD:-build-test}
if [ ! -f "$BUILD/build.ninja" ]; then
        # clang: the same sanitizer build also gets the libFuzzer targets,
        # each run for a fixed time as a test (suite fuzz); a clang warning
        # fails the build, as a gcc one does below
        CC=${CC:-clang} meson setup "$BUILD" -Db_sanitize=address,undefined -Db_lundef=false \
                -Dbuildtype=debugoptimized -Dfuzzing=true -Dtest-faults=true -Dwerror=true >/dev/null
fi
ninja -C "$BUILD"
# the README's plain `meson setup` uses gcc: its optimised build must be
# warning-free too (-O2 finds what -O0 cannot, e.g. a read before a write)
GCC_BUILD=${RD_TEST_GCC_BUILD:-build-gcc}
if [ ! -f "$GCC_BUILD/build.ninja" ]; then
        CC=gcc meson setup "$GCC_BUILD" -Dbuildtype=release -Dwerror=true >/dev/null
fi
ninja -C "$GCC_BUILD"
export OMP_THREAD_LIMIT=1
status=0
meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@" || status=$?
python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    res = r.get("result")
    if res in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif res == "SKIP":
        skipped += 1
    else:
        failed += 1
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
PY
exit $status
