#!/bin/sh
# The daemon's main job on bundled samples: install what is missing, build,
# start a private PostgreSQL in .demo/ (stopped again at the end), generate
# synthetic referral faxes into a drop folder, run `referrald --once` over
# them, and print what it stored.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
tools/install-deps.sh
if [ ! -f build/build.ninja ]; then
        meson setup build >/dev/null
fi
ninja -C build >/dev/null

DEMO=$ROOT/.demo
PORT=${RD_DEMO_PORT:-54329}
rm -rf "$DEMO/inbox" "$DEMO/processed" "$DEMO/quarantine" "$DEMO/outfax"
mkdir -p "$DEMO/inbox" "$DEMO/outfax"
chmod 755 "$DEMO"
PGDIR=$DEMO/pg
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$DEMO" 2>/dev/null; then
        # a private home folder above the clone: keep the cluster where postgres can reach it
        PGDIR=/var/tmp/referrald-demo-pg
fi
CONNINFO=$(tools/pg.sh start "$PGDIR" "$PORT")
trap 'tools/pg.sh stop "$PGDIR"' EXIT
psql "$CONNINFO dbname=postgres" -AtqX -c "DROP DATABASE IF EXISTS referrals_demo" -c "CREATE DATABASE referrals_demo" >/dev/null

echo "== generating synthetic referral faxes"
build/tools/make-demo-faxes "$DEMO/inbox"

cat > "$DEMO/referrald.conf" <<CONF
[database]
conninfo=$CONNINFO dbname=referrals_demo
# referralctl connects as the person running it; in the demo that is
# the cluster's own superuser (README, "Staff accounts", for a clinic)
staff-conninfo=$CONNINFO dbname=referrals_demo

[dropdir]
path=$DEMO/inbox
processed=$DEMO/processed
quarantine=$DEMO/quarantine
settle-time=0

[workers]
count=2

# The demo's referring offices are not in a partner directory, so it
# answers unknown senders too; replies to faxes go to the fax spool.
[replies]
enabled=true
from=intake@cardiology.example
practice-name=Example Cardiology
fax-number=(555) 440-0100
reply-unknown=true
fax-reply=spool
fax-spool=$DEMO/outfax
CONF
cat systemd/referrald.conf.example | sed -n '/^\[policy\]/,$p' >> "$DEMO/referrald.conf"

echo "== referrald --once"
OMP_THREAD_LIMIT=1 build/daemon/referrald --once --config "$DEMO/referrald.conf"
echo
echo "== inbound items (referralctl items)"
build/daemon/referralctl items --config "$DEMO/referrald.conf"
if build/daemon/referralctl --help | grep -q "^  list"; then
        echo
        echo "== referrals (referralctl list)"
        build/daemon/referralctl list --config "$DEMO/referrald.conf"
        first=$(build/daemon/referralctl list --status incomplete --json --config "$DEMO/referrald.conf" |
                sed -n 's/^ *"id" : \([0-9]*\).*/\1/p' | head -n 1)
        if [ -n "$first" ]; then
                echo
                echo "== why referral $first is flagged (referralctl show $first)"
                build/daemon/referralctl show "$first" --config "$DEMO/referrald.conf"
        fi
fi
echo
echo "== replies (referralctl outbox)"
build/daemon/referralctl outbox --config "$DEMO/referrald.conf"
reply=$(ls "$DEMO/outfax"/*.pdf 2>/dev/null | head -n 1)
if [ -n "$reply" ]; then
        echo
        echo "== the first reply fax, as written to the fax spool ($reply)"
        pdftotext -layout "$reply" - | sed '/^[[:space:]]*$/d'
fi
echo
echo "== the referral funnel (referralctl report)"
build/daemon/referralctl report --config "$DEMO/referrald.conf"
echo
echo "The demo database is stopped again. To look around: tools/pg.sh start $PGDIR $PORT, then"
echo "build/daemon/referralctl list --config $DEMO/referrald.conf"
