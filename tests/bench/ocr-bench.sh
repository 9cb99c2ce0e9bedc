#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# OCR / page-reading benchmark. Usage: tests/bench/ocr-bench.sh BUILD_DIR [N_PAGES]
# Renders fax page images from the shared samples (gs, G4 at 204x196 dpi, as
# a fax gateway stores them), then on the same images, one thread each:
#   ours: per-page OCR time in-process (engine initialised once)
#   the tesseract command (one process per page, as a shell pipeline would)
# then 2 workers vs 1 on the same pages, text-layer pages/s, peak RSS.
# First, CPU seconds (user + sys, one thread) of `referralctl pages` (the
# stand-alone rd-pages) on the sample fax TIFFs against `tesseract FILE -`
# on the same files: the cost figure (BENCH_CPU_ONLY=1 stops there).
# Targets: CPU ours <= 1.0x the command; ours <= 1.0x the command per page;
# 2 workers >= 1.8x one; text >= 100 pages/s; peak RSS <= 300 MB per worker.
set -eu
BUILD=${1:?usage: ocr-bench.sh BUILD_DIR [N_PAGES]}
N=${2:-12}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${RD_SHARED_DIR:-$SRC/../shared}
BENCH=$BUILD/tests/bench/bench-pages
export OMP_THREAD_LIMIT=1 LC_ALL=C.UTF-8
for tool in tesseract; do
        command -v $tool >/dev/null || { echo "ocr-bench: $tool not installed" >&2; exit 77; }
done
[ -x "$BENCH" ] || { echo "ocr-bench: build $BENCH first (ninja -C $BUILD)" >&2; exit 1; }
[ -d "$SHARED/samples" ] || { echo "ocr-bench: no samples at $SHARED (set RD_SHARED_DIR)" >&2; exit 77; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# CPU seconds of a command (its children included), output discarded
cpu() {
        /usr/bin/time -f '%U %S' -o "$T/time" "$@" >/dev/null 2>&1 || true
        awk '{ print $1 + $2 }' "$T/time"
}
TIFS=$(ls "$SHARED"/samples/fax*.tif)
ours_cpu=$(cpu "$BUILD/tests/bench/rd-pages" $TIFS)
cli_cpu=0
for f in $TIFS; do
        c=$(cpu tesseract "$f" -)
        cli_cpu=$(awk -v a="$cli_cpu" -v b="$c" 'BEGIN { print a + b }')
done
awk -v o="$ours_cpu" -v c="$cli_cpu" -v n="$(echo "$TIFS" | wc -l)" 'BEGIN {
        printf "cpu: %d fax TIFFs, referralctl pages %.2f s, tesseract %.2f s, ratio %.2f (target <= 1.0)\n",
               n, o, c, o / c;
}'
[ "${BENCH_CPU_ONLY:-0}" = 1 ] && exit 0
command -v gs >/dev/null || { echo "ocr-bench: gs not installed" >&2; exit 77; }
for f in "$SHARED"/samples/fax0*.pdf; do
        gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r204x196 \
                -o "$T/$(basename "$f" .pdf)-%02d.tif" "$f"
done
PAGES=$(ls "$T"/*.tif | head -n "$N")
echo "pages: $(echo "$PAGES" | wc -l) fax page images (G4, 204x196)"

# ours, one engine, one thread
OURS=$("$BENCH" ocr $PAGES)
echo "ours:      $OURS"
ours_ms=$(echo "$OURS" | sed 's/.*ocr_ms_per_page=\([0-9.]*\).*/\1/')

# the command, one process per page
start=$(date +%s%N)
for p in $PAGES; do tesseract "$p" - >/dev/null 2>&1; done
end=$(date +%s%N)
n=$(echo "$PAGES" | wc -l)
cli_ms=$(( (end - start) / 1000000 / n ))
echo "tesseract: cli_ms_per_page=$cli_ms"

W1=$("$BENCH" workers 1 $PAGES)
W2=$("$BENCH" workers 2 $PAGES)
echo "1 worker:  $W1"
echo "2 workers: $W2"
TXT=$("$BENCH" text 3 "$SHARED"/samples/digital*.pdf)
echo "text:      $TXT"

w1=$(echo "$W1" | sed 's/.*pages_per_s=\([0-9.]*\).*/\1/')
w2=$(echo "$W2" | sed 's/.*pages_per_s=\([0-9.]*\).*/\1/')
awk -v o="$ours_ms" -v c="$cli_ms" -v a="$w1" -v b="$w2" 'BEGIN {
        printf "ratio ours/command per page: %.2f (target <= 1.0)\n", o / c;
        printf "ratio 2 workers/1 worker throughput: %.2f (target >= 1.8)\n", b / a;
}'
