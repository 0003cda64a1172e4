#!/usr/bin/env bash
# Runs the PostgreSQL history tests (tests/e2e_history.rs, ignored by default)
# against a real, throwaway PostgreSQL server:
#   1. installs Debian's `postgresql` package when initdb/pg_ctl are missing
#      (apt-get update first; needs root, as CI and the dev machines have);
#   2. starts a cluster in a temporary folder as an unprivileged user, on a
#      local port (default 55432, PGPORT overrides) and a socket in that folder;
#   3. runs `cargo test -p telaudit --test e2e_history -- --ignored postgres`
#      with TELAUDIT_TEST_POSTGRES=postgres://telaudit:telaudit@127.0.0.1:PORT/telaudit;
#   4. stops the cluster and removes the folder, also when a test fails.
# Usage: scripts/postgres-test.sh   (from anywhere; exit status = the tests')
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PGPORT:-55432}"

# Debian's versioned folder first (its /usr/bin wrappers need a configured cluster).
find_bin() {
  local name=$1 p
  p=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$p" ] || p=$(command -v "$name" 2>/dev/null || true)
  echo "$p"
}

INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
if [ -z "$INITDB" ] || [ -z "$PG_CTL" ]; then
  echo "postgres-test: installing postgresql (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  INITDB=$(find_bin initdb)
  PG_CTL=$(find_bin pg_ctl)
fi
[ -n "$INITDB" ] && [ -n "$PG_CTL" ] || { echo "postgres-test: no initdb/pg_ctl found" >&2; exit 2; }

# The server refuses to run as root: use an unprivileged user when we are root.
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  USER_NAME=telaudit-pg
  id "$USER_NAME" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
  RUNAS=(runuser -u "$USER_NAME" --)
fi

DATA=$(mktemp -d /tmp/telaudit-pg.XXXXXX)
chmod 755 "$DATA"
[ "${#RUNAS[@]}" -gt 0 ] && chown "$USER_NAME" "$DATA"
stop() {
  "${RUNAS[@]}" "$PG_CTL" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap stop EXIT

echo telaudit > "$DATA/pw"
[ "${#RUNAS[@]}" -gt 0 ] && chown "$USER_NAME" "$DATA/pw"
"${RUNAS[@]}" "$INITDB" -D "$DATA/db" -U telaudit --pwfile="$DATA/pw" -A scram-sha-256 >/dev/null
"${RUNAS[@]}" "$PG_CTL" -D "$DATA/db" -l "$DATA/log" -w \
  -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
PGPASSWORD=telaudit "$(find_bin createdb)" -h 127.0.0.1 -p "$PORT" -U telaudit telaudit

export TELAUDIT_TEST_POSTGRES="postgres://telaudit:telaudit@127.0.0.1:$PORT/telaudit"
cargo test -p telaudit --test e2e_history -- --ignored postgres
