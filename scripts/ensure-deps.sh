#!/usr/bin/env bash
# Installs the system packages AudioFleet needs, or stops with the exact command to run.
# Usage: scripts/ensure-deps.sh build|test|run
#   build: C libraries the Swift build links (libopus, libogg, libsqlite3, flite, pocketsphinx with
#          its US English model) and pkg-config.
#   test:  build + the checkers the tests call (opusinfo, ffprobe, promtool/prometheus, docker-compose,
#          valgrind for the callgrind benchmark) and the PostgreSQL server binaries the orchestrator's
#          PostgreSQL store is tested against (scripts/postgres/temporary-postgres.sh runs one).
#   run:   build + prometheus, so the native fleet comes with dashboards' data source.
set -euo pipefail
purpose="${1:-build}"

need=()
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null || need+=(pkg-config)
have_pc opus || need+=(libopus-dev)
have_pc ogg || need+=(libogg-dev)
have_pc sqlite3 || need+=(libsqlite3-dev)
[ -f /usr/include/flite/flite.h ] || need+=(flite1-dev)
have_pc pocketsphinx || need+=(libpocketsphinx-dev libsphinxbase-dev)
[ -f /usr/share/pocketsphinx/model/en-us/en-us/mdef ] || need+=(pocketsphinx-en-us)
if [ "$purpose" = test ]; then
  command -v opusinfo >/dev/null && command -v opusdec >/dev/null || need+=(opus-tools)
  command -v ffprobe >/dev/null || need+=(ffmpeg)
  command -v promtool >/dev/null || need+=(prometheus)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  command -v python3 >/dev/null || need+=(python3)
  python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)
  # make bench-short's instruction count of one voice turn (scripts/bench/callgrind.py).
  command -v valgrind >/dev/null || need+=(valgrind)
  command -v objcopy >/dev/null || need+=(binutils)
  # initdb/pg_ctl/postgres for the PostgreSQL store's tests (Debian keeps them off PATH), and the
  # `postgres` user they run as when the tests run as root. The package's own cluster is not used.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)
  # The test server's self-signed certificate, for the sslmode=require test.
  command -v openssl >/dev/null || need+=(openssl)
fi
if [ "$purpose" = run ]; then
  command -v prometheus >/dev/null || need+=(prometheus)
fi
[ ${#need[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing missing packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages: ${need[*]}" >&2
echo "Install them with:  sudo sh -c '$cmd'" >&2
exit 1
