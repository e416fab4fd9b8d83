#!/usr/bin/env bash
# Attach-to-ready against the database's own cost, in one run on one tenant server:
#  1. N Postgres attaches one after another through the API (each provisions 2 environments:
#     2 roles, 2 databases, PgBouncer registration and a login through it): p50/p95;
#  2. the raw CREATE ROLE + CREATE DATABASE of the same 2*N databases in one psql session on the
#     same tenant server: per 2 (one attach's worth); the ratio of both;
#  3. all five types (postgres, storage, redis, auth, volume) attached to one project at once,
#     time until all are ready, over P projects: p50.
# Usage: bench/attach-vs-raw.sh [attaches=30] [projects=10]
# Environment: BENCH_JVM_OPTS (JVM options of the app), BENCH_KEEP=1 keeps the temp dir.
# Needs: a built jar (mvn -q -DskipTests package), psql, curl, python3, mkfs.ext4 (volumes).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${1:-30}; P=${2:-10}
bench_init psql mkfs.ext4
start_app
machine_line "attaches=$N projects=$P"

bench_py attach bench postgres "$N" >"$DIR/attach.txt"
head -1 "$DIR/attach.txt"
APP_P50=$(awk '/^attach_p50_ms/{print $2}' "$DIR/attach.txt")

M=$((N * 2))
for i in $(seq 1 $M); do
  echo "CREATE ROLE raw_$i LOGIN PASSWORD 'x';"
  echo "CREATE DATABASE raw_$i OWNER raw_$i;"
done >"$DIR/raw.sql"
START=$(date +%s%N)
PGPASSWORD=$(tenant_pg_password) psql -q -h 127.0.0.1 -p "$(tenant_pg_port)" -U postgres -d postgres \
  -v ON_ERROR_STOP=1 -f "$DIR/raw.sql"
END=$(date +%s%N)
python3 - "$START" "$END" "$M" "$APP_P50" <<'PY'
import sys
start, end, m, app = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
per2 = (end - start) / 1e6 / m * 2
print("raw CREATE ROLE + CREATE DATABASE, %d pairs in one psql session: %.0f ms per 2 (one attach's worth)"
      % (m, per2))
print("ratio attach p50 / raw: %.2f (goal <= 1.5)" % (app / per2))
PY

bench_py five "$P" >"$DIR/five.txt"
head -1 "$DIR/five.txt"
