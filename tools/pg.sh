#!/bin/sh
# A private PostgreSQL 15 cluster in a directory of our own, for the demo
# and the tests: no system service, no settings outside that directory.
#   tools/pg.sh start DIR [PORT]   initdb (first time) and start; prints the conninfo
#   tools/pg.sh stop DIR
# PostgreSQL refuses to run as root, so as root the server runs as the
# unprivileged "postgres" user created by the Debian package.
set -eu

cmd=${1:?usage: pg.sh start|stop DIR [PORT]}
dir=${2:?usage: pg.sh start|stop DIR [PORT]}
port=${3:-54329}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2; exit 1; }

as_pg() {
        if [ "$(id -u)" -eq 0 ]; then
                runuser -u postgres -- "$@"
        else
                "$@"
        fi
}

case "$cmd" in
start)
        mkdir -p "$dir"
        dir=$(cd "$dir" && pwd)
        if [ "$(id -u)" -eq 0 ]; then
                chown postgres:postgres "$dir"
                if ! runuser -u postgres -- test -w "$dir"; then
                        echo "pg.sh: $dir is not reachable by the postgres user (a parent folder is private)" >&2
                        exit 1
                fi
        fi
        chmod 700 "$dir"
        if [ ! -f "$dir/data/PG_VERSION" ]; then
                as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
                        --no-sync >"$dir/initdb.log" 2>&1 ||
                        { cat "$dir/initdb.log" >&2; exit 1; }
        fi
        as_pg mkdir -p "$dir/sock"
        chmod 755 "$dir" "$dir/sock"
        if ! as_pg "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
                as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
                        "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
                        start >/dev/null || { tail -n 20 "$dir/server.log" >&2; exit 1; }
        fi
        echo "host=$dir/sock port=$port user=postgres"
        ;;
stop)
        if [ -f "$dir/data/postmaster.pid" ]; then
                as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
        fi
        ;;
*)
        echo "usage: pg.sh start|stop DIR [PORT]" >&2
        exit 2
        ;;
esac
