#!/usr/bin/env bash
# Runs the whole test suite with the real services it needs, installing or starting
# them when they are missing: PostgreSQL, an SMTP server (Python aiosmtpd), libpq.
#
#   scripts/test.sh [extra cargo test arguments]
#
# Uses TEST_DATABASE_URL when set (an admin URL: tests create and drop a database per
# test). Otherwise uses a PostgreSQL on 127.0.0.1:5432 if one accepts user postgres,
# else starts a throw-away cluster from the system's PostgreSQL binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_updated=
apt_install() {
  command -v apt-get >/dev/null || { log "cannot install $*: no apt-get"; return 1; }
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq >&2; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# --- Rust toolchain -------------------------------------------------------------
command -v cargo >/dev/null || { log "cargo is required (https://rustup.rs)"; exit 1; }

# --- libpq for the PostgreSQL client (diesel's postgres feature links it) ---------
if ! ldconfig -p 2>/dev/null | grep -q 'libpq\.so ' && ! ls /usr/lib/*/libpq.so >/dev/null 2>&1; then
  log "installing libpq-dev"
  apt_install libpq-dev
fi

# --- SMTP server for the tests ---------------------------------------------------
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
  log "installing aiosmtpd (the tests' SMTP server)"
  "$PYTHON" -m pip install --quiet aiosmtpd 2>/dev/null \
    || "$PYTHON" -m pip install --quiet --break-system-packages aiosmtpd 2>/dev/null \
    || apt_install python3-aiosmtpd
  "$PYTHON" -c 'import aiosmtpd' || { log "aiosmtpd could not be installed"; exit 1; }
fi
export PYTHON

# --- Nu Html Checker (vnu) for the HTML validity test --------------------------------
tools="${FORUMREG_TOOLS_DIR:-$HOME/.cache/forumreg-tools}"
if [ -z "${VNU_JAR:-}" ]; then
  command -v java >/dev/null || { log "installing a Java runtime for vnu"; apt_install default-jre-headless; }
  if [ ! -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
    command -v npm >/dev/null || { log "installing npm"; apt_install npm; }
    log "installing vnu-jar into $tools"
    mkdir -p "$tools"
    npm install --prefix "$tools" --silent --no-audit --no-fund vnu-jar@26 >&2
  fi
  export VNU_JAR="$tools/node_modules/vnu-jar/build/dist/vnu.jar"
fi

# --- Chromium, chromedriver and axe-core for the browser tests -------------------------
if [ -z "${CHROMEDRIVER:-}" ]; then
  if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
    log "installing chromium and chromium-driver (takes a few minutes)"
    apt_install chromium chromium-driver
  fi
  export CHROMEDRIVER="$(command -v chromedriver)"
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
if [ -z "${AXE_JS:-}" ]; then
  if [ ! -f "$tools/node_modules/axe-core/axe.min.js" ]; then
    command -v npm >/dev/null || { log "installing npm"; apt_install npm; }
    log "installing axe-core into $tools"
    npm install --prefix "$tools" --silent --no-audit --no-fund axe-core@4 >&2
  fi
  export AXE_JS="$tools/node_modules/axe-core/axe.min.js"
fi

# --- PostgreSQL ------------------------------------------------------------------
pg_works() { psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1; }
pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if ! command -v psql >/dev/null || [ -z "$(pg_bin_dir)" ]; then
    log "installing PostgreSQL"
    apt_install postgresql postgresql-client
  fi
  default_url="postgres://postgres@127.0.0.1:5432/postgres"
  if [ -z "${FORUMREG_PRIVATE_PG:-}" ] && pg_works "$default_url"; then
    export TEST_DATABASE_URL="$default_url"
  else
    bin=$(pg_bin_dir)
    [ -n "$bin" ] || { log "no PostgreSQL binaries found"; exit 1; }
    pgdir=$(mktemp -d /tmp/forumreg-pg.XXXXXX)
    port=$(( 20000 + RANDOM % 20000 ))
    run_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres: "$pgdir"; su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
    log "starting a throw-away PostgreSQL cluster in $pgdir on port $port"
    run_pg "'$bin/initdb' -D '$pgdir/data' -U postgres -A trust --no-sync >/dev/null"
    run_pg "'$bin/pg_ctl' -D '$pgdir/data' -l '$pgdir/log' -w -o \"-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start >/dev/null"
    trap 'run_pg "\"$bin/pg_ctl\" -D \"$pgdir/data\" -m immediate stop" >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    for _ in $(seq 1 50); do pg_works "$TEST_DATABASE_URL" && break; sleep 0.2; done
    pg_works "$TEST_DATABASE_URL" || { log "PostgreSQL did not start"; cat "$pgdir/log" >&2; exit 1; }
  fi
fi
log "PostgreSQL for tests: $TEST_DATABASE_URL"

# --- the suite ---------------------------------------------------------------------
cargo test --locked --all-targets "$@"
