#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the tests (the orchestrator's PostgreSQL store).
#
# Usage: scripts/postgres/temporary-postgres.sh [WATCH_PID]
#   Creates a cluster in a fresh temporary folder (trust authentication, loopback only, fsync off,
#   TLS on with a self-signed certificate when openssl is there),
#   starts it on a free port and prints ONE line on stdout once it accepts connections:
#       postgres://postgres@127.0.0.1:PORT/postgres
#   then stays in the foreground until WATCH_PID (default: the caller) exits, or until it gets
#   SIGTERM/SIGINT, and then stops the server and removes the folder. Diagnostics go to stderr.
#   A second call for the same WATCH_PID while that server runs prints the same URL and exits: the
#   test modules of one `swift test` process share one server.
#
# initdb and postgres refuse to run as root: as root (CI, this project's machines) they run as the
# `postgres` system user that Debian's postgresql package creates, with the folder chowned to it.
# The server binaries are Debian's (/usr/lib/postgresql/<version>/bin, newest version) or initdb on
# PATH; `scripts/ensure-deps.sh test` installs them (apt: postgresql).
set -euo pipefail
watch="${1:-$PPID}"

bindir=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$candidate/initdb" ]; then bindir="$candidate"; break; fi
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then bindir="$(dirname "$(command -v initdb)")"; fi
if [ -z "$bindir" ]; then
  echo "temporary-postgres: no PostgreSQL server binaries (initdb); install them with scripts/ensure-deps.sh test (apt: postgresql)" >&2
  exit 3
fi

# One server per watched process: the first call starts it, later ones reuse it.
state="${TMPDIR:-/tmp}/audiofleet-postgres-for-$watch"
exec 9>"$state.lock"
flock 9
if [ -s "$state.url" ] && kill -0 "$(cat "$state.pid" 2>/dev/null || echo 0)" 2>/dev/null; then
  cat "$state.url"
  exit 0
fi

as_owner=()
root="$(mktemp -d "${TMPDIR:-/tmp}/audiofleet-postgres.XXXXXX")"
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "temporary-postgres: running as root but there is no 'postgres' user to run the server as" >&2
    rm -rf "$root"; exit 3
  fi
  chown postgres: "$root"
  chmod 700 "$root"
  as_owner=(runuser -u postgres --)
fi
data="$root/data"
log="$root/server.log"

stop() {
  if [ -f "$data/postmaster.pid" ]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$root"
  rm -f "$state.url" "$state.pid" "$state.lock"
}
trap stop EXIT
trap 'exit 0' TERM INT HUP

"${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$root/initdb.log" 2>&1 \
  || { cat "$root/initdb.log" >&2; exit 1; }

# TLS with a throwaway self-signed certificate, so sslmode=require is tested too (the server still
# accepts plain connections; trust authentication either way).
ssl_options=""
if command -v openssl >/dev/null 2>&1 && openssl req -new -x509 -days 2 -nodes -subj "/CN=audiofleet-test" \
    -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout "$root/server.key" -out "$root/server.crt" >/dev/null 2>&1; then
  chmod 600 "$root/server.key"
  [ ${#as_owner[@]} -eq 0 ] || chown postgres: "$root/server.key" "$root/server.crt"
  ssl_options="-c ssl=on -c ssl_cert_file=$root/server.crt -c ssl_key_file=$root/server.key"
else
  echo "temporary-postgres: no openssl; the server runs without TLS" >&2
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# A free port may be taken between the probe and the bind: try a few.
started=""
for _ in 1 2 3 4 5; do
  port="$(free_port)"
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 -o \
      "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=32MB $ssl_options" \
      start >/dev/null 2>&1; then
    started=yes; break
  fi
done
if [ -z "$started" ]; then
  echo "temporary-postgres: the server did not start:" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
fi

url="postgres://postgres@127.0.0.1:$port/postgres"
echo "$url" >"$state.url"
echo $$ >"$state.pid"
flock -u 9
exec 9>&-
echo "$url"

# Until the caller is gone (checked twice a second); `sleep` in the background keeps the traps responsive.
while kill -0 "$watch" 2>/dev/null; do
  sleep 0.5 & wait $! || true
done
