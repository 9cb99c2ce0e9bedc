#!/bin/sh
# The daemon's main job on bundled samples: install what is missing, build,
# start a private PostgreSQL in .demo/, generate synthetic referral faxes
# into a drop folder, run `referrald --once` over them, and print what it
# stored.  Then it leaves referrald running with its web interface and
# prints the address and a demo login; `tools/demo.sh stop` stops the
# daemon and the database.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DEMO=$ROOT/.demo
if [ "${1:-}" = stop ]; then
        if [ -f "$DEMO/referrald.pid" ]; then
                kill "$(cat "$DEMO/referrald.pid")" 2>/dev/null || true
                rm -f "$DEMO/referrald.pid"
        fi
        [ -f "$DEMO/pgdir" ] && tools/pg.sh stop "$(cat "$DEMO/pgdir")"
        echo "demo stopped"
        exit 0
fi
tools/install-deps.sh
if [ ! -f build/build.ninja ]; then
        meson setup build >/dev/null
fi
ninja -C build >/dev/null

PORT=${RD_DEMO_PORT:-54329}
WEB_PORT=${RD_DEMO_WEB_PORT:-8470}
WEB_USER=demo
WEB_PASSWORD=demo-referrals-2026
if [ -f "$DEMO/referrald.pid" ]; then
        # a daemon left running by the last demo
        kill "$(cat "$DEMO/referrald.pid")" 2>/dev/null || true
        rm -f "$DEMO/referrald.pid"
        sleep 1
fi
rm -rf "$DEMO/inbox" "$DEMO/processed" "$DEMO/quarantine" "$DEMO/outfax"
mkdir -p "$DEMO/inbox" "$DEMO/outfax"
chmod 755 "$DEMO"
PGDIR=$DEMO/pg
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$DEMO" 2>/dev/null; then
        # a private home folder above the clone: keep the cluster where postgres can reach it
        PGDIR=/var/tmp/referrald-demo-pg
fi
echo "$PGDIR" > "$DEMO/pgdir"
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

# The staff web interface (started by the daemon, not by --once).
[web]
listen=127.0.0.1:$WEB_PORT
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

# the web interface: a demo account, and the daemon left running for it
printf '%s\n' "$WEB_PASSWORD" | build/daemon/referralctl user --config "$DEMO/referrald.conf" \
        add "$WEB_USER" --role admin >/dev/null
: >"$DEMO/referrald.log"
OMP_THREAD_LIMIT=1 build/daemon/referrald --config "$DEMO/referrald.conf" >>"$DEMO/referrald.log" 2>&1 &
echo $! > "$DEMO/referrald.pid"
i=0
until grep -q "web interface listening" "$DEMO/referrald.log"; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$(cat "$DEMO/referrald.pid")" 2>/dev/null; then
                echo "the web interface did not start:" >&2
                tail -n 20 "$DEMO/referrald.log" >&2
                exit 1
        fi
        sleep 0.2
done
trap - EXIT
echo
echo "== the web interface"
echo "referrald and its database keep running for it. Open"
echo
echo "    http://127.0.0.1:$WEB_PORT/"
echo
echo "and log in as $WEB_USER with the password $WEB_PASSWORD"
echo "(the queue, each referral with its page pictures, partners, the report)."
echo "Stop both with: tools/demo.sh stop"
