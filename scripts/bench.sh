#!/usr/bin/env bash
# Load benchmark: release build, one server per backend on a fresh database, a site
# with room for everyone, mail written to files; then examples/load.rs against it.
#
#   scripts/bench.sh [requests] [concurrency]      (defaults: 20000 64)
#
# PostgreSQL is measured when BENCH_DATABASE_URL (an admin URL) is set or a server on
# 127.0.0.1:5432 accepts user postgres.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-20000}
concurrency=${2:-64}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forumreg-target}"
cargo build --release --bin forumreg --example load >&2
bin="$CARGO_TARGET_DIR/release/forumreg"
load="$CARGO_TARGET_DIR/release/examples/load"
work=$(mktemp -d /tmp/forumreg-bench.XXXXXX)
trap 'jobs -p | xargs -r kill 2>/dev/null; rm -rf "$work"' EXIT

cat > "$work/forum.toml" <<TOML
slug = "bench"
title = "Benchmark forum"
date = "2099-01-01"
description = "Load test"
organiser = "Bench"
contact_email = "bench@example.org"
privacy_notice = "Bench."
privacy_version = "1"
[[sites]]
slug = "bench"
kind = "venue"
name = "Bench"
city = "Bench"
venue = "Hall"
address = "Street 1"
starts = "09:00"
ends = "17:00"
capacity = 100000
TOML

run() { # name database_url
  local name=$1 url=$2
  DATABASE_URL="$url" FORUM_FILE="$work/forum.toml" MAIL_DIR="$work/mail-$name" RATE_LIMIT_PER_MINUTE=0 \
    LISTEN_ADDR=127.0.0.1:0 RUST_LOG=warn "$bin" > "$work/$name.out" 2> "$work/$name.log" &
  local pid=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  local address
  address=$(sed -n 's/^forumreg listening on //p' "$work/$name.out")
  echo "### $name ($(nproc) cores, $requests requests, concurrency $concurrency)"
  "$load" --url "$address" --site bench --concurrency "$concurrency" --requests "$requests"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run sqlite "sqlite://$work/bench.sqlite3"

pg_admin=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if psql "$pg_admin" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  db="forumreg_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $db"
  run postgres "${pg_admin%/*}/$db"
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
else
  echo "### postgres: skipped (no server at $pg_admin)"
fi
