#!/usr/bin/env bash
# Attach-to-ready against the database's own cost, in one run on one tenant server, twice: first
# with the spare databases the control plane keeps by default (an attach renames one; each round
# starts once the background refill after the last attach has ended, so neither figure shares the
# disk with it), then with MIOSA_POSTGRES_SPARE_DATABASES=0 (every attach runs CREATE DATABASE:
# what an attach costs when a burst has used up the spares):
#  1. N alternating rounds: a Postgres attach through the API (it provisions 2 environments:
#     per environment an owner role and a login role, a database, the CONNECT isolation,
#     PgBouncer registration and a login through it), then the raw DDL of the same layout for
#     2 databases in one psql session on the same tenant server: per database the owner role, the
#     login role IN ROLE it and its SET role in one transaction, then CREATE DATABASE ... OWNER
#     (psql's own statement timings); p50/p95 of both and their ratio;
#  2. all five types (postgres, storage, redis, auth, volume) attached to one project at once,
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

SPARES=${MIOSA_POSTGRES_SPARE_DATABASES:-4}
# Alternating rounds (one attach, then the raw DDL of its two databases), so both figures see the
# same moments of a machine whose disk and cores are shared; warm-up rounds first (JIT).
echo "with $SPARES spare databases per server (the default):"
export PGPASSWORD; PGPASSWORD=$(tenant_pg_password)
bench_py attach-vs-raw bench postgres "$N" "$(tenant_pg_port)" "$SPARES"
bench_py five "$P" "$(tenant_pg_port)" "$SPARES" >"$DIR/five.txt"
head -2 "$DIR/five.txt"

stop_app
echo "without spare databases (MIOSA_POSTGRES_SPARE_DATABASES=0: every attach runs CREATE DATABASE):"
APP_DATA=$DIR/app-nospares
MIOSA_POSTGRES_SPARE_DATABASES=0 start_app
PGPASSWORD=$(tenant_pg_password)
bench_py attach-vs-raw bench postgres "$N" "$(tenant_pg_port)" 0
bench_py five "$P" >"$DIR/five.txt"
head -2 "$DIR/five.txt"
