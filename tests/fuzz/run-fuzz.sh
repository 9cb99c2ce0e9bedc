#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the libFuzzer MIME target with clang + ASan/UBSan and runs it for
# a fixed time.  Usage: tests/fuzz/run-fuzz.sh BUILD_DIR SECONDS
# The seed corpus is copied, never written to: new inputs go to
# BUILD_DIR/fuzz-mime-corpus, crashes to BUILD_DIR/fuzz-mime-artifacts/.
set -eu

if [ $# -ne 2 ]; then
        echo "usage: $0 BUILD_DIR SECONDS" >&2
        exit 2
fi
build=$1
seconds=$2
src=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" "$src" -Dfuzzing=true \
                -Db_sanitize=address,undefined -Db_lundef=false
fi
ninja -C "$build" tests/fuzz/fuzz-mime

work="$build/fuzz-mime-corpus"
artifacts="$build/fuzz-mime-artifacts/"
mkdir -p "$work" "$artifacts"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp}"
exec "$build/tests/fuzz/fuzz-mime" -max_total_time="$seconds" -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts" "$work" "$src/tests/fuzz/corpus"
