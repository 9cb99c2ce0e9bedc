#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Scores `referralctl extract` on the shared sample corpus against its truth.
# usage: eval-samples.sh BUILD_DIR   (RD_SHARED_DIR must name the shared folder)
set -eu

build=${1:?usage: eval-samples.sh BUILD_DIR}
if [ -z "${RD_SHARED_DIR:-}" ] || [ ! -d "$RD_SHARED_DIR/samples" ]; then
        echo "skip: RD_SHARED_DIR not set or has no samples/"
        exit 77
fi
ctl="$build/daemon/referralctl"
if [ ! -x "$ctl" ]; then
        echo "skip: $ctl not built"
        exit 77
fi
tool="$RD_SHARED_DIR/tools/eval-extract"
samples="$RD_SHARED_DIR/samples"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# fax and born-digital items; email once the MIME reader is built in
for f in "$samples"/fax* "$samples"/digital* "$samples"/email*; do
        [ -f "$f" ] || continue
        ln -s "$f" "$work/$(basename "$f")"
done

exec "$tool" --jobs 2 \
        --cmd "$ctl extract --config $RD_SHARED_DIR/contract/checklists.conf" \
        --min-checklist 0.90 --max-false-complete 0 --min-fields 0.90 \
        "$work"
