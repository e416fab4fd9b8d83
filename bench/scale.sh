#!/usr/bin/env bash
# Flat with size: the same measurements with 10 and with 1,000 resources of each kind on the one
# embedded tenant server (PostgreSQL databases + PgBouncer entries, Redis ACL users):
#  - env fetch latency (sequential, one keep-alive connection) of an environment with one
#    Postgres and one Redis data service; and wrk throughput (5 s, 64 connections) when wrk exists;
#  - attach-to-ready p50 of Postgres and of Redis attaches (each provisions 2 environments);
#  - one PgBouncer RELOAD on its admin console (psql), to see what PgBouncer itself costs;
#  - a Redis server restart: time from the restarted server answering until the control plane
#    re-applied every tenant user (ACL USERS counted with redis-cli every 10 ms; includes noticing
#    the restart, MIOSA_REDIS_RECONCILE_INTERVAL = 1 s), and the re-apply pass itself as logged.
# Measurements start after a 3 s wrk warm-up of the app (JIT).
# Filling from 10 to 1,000 goes through the API (CONC attaches at a time) and is timed too.
# Usage: bench/scale.sh [size=1000] [conc=4] [measured-attaches=3]
# Environment: BENCH_JVM_OPTS, BENCH_KEEP=1.
# Needs: a built jar (mvn -q -DskipTests package), psql, redis-cli, redis-server, curl, python3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SIZE=${1:-1000}; CONC=${2:-4}; K=${3:-3}
bench_init psql redis-cli redis-server
start_app
machine_line "size=$SIZE conc=$CONC measured-attaches=$K"
R=$DIR/app/redis
RCLI=(redis-cli -h 127.0.0.1 -p "$(cat "$R/port")" --user miosa-admin --pass "$(cat "$R/admin-password")" --no-auth-warning)
PGB=(psql -h 127.0.0.1 -p "$(cat "$DIR/app/pgbouncer/port")" -U miosa_admin -d pgbouncer -qAt)
export PGPASSWORD_PGB
PGPASSWORD_PGB=$(cat "$DIR/app/pgbouncer/admin-password")

# The probe environment: one Postgres, one Redis (2 databases, 2 users counted below).
bench_py project probe
bench_py fill probe postgres 1 1 main >/dev/null
bench_py fill probe redis 1 1 main >/dev/null
RT=$(bench_py token probe production)

databases() { PGPASSWORD=$(tenant_pg_password) psql -h 127.0.0.1 -p "$(tenant_pg_port)" -U postgres -qAt \
  -c "SELECT count(*) FROM pg_database WHERE datname LIKE 't\\_%'"; }
users() { "${RCLI[@]}" ACL USERS | grep -c '^t-' || true; }

fill_to() { # target: attaches of 2 environments each until both counts reach target
  local need_pg need_r
  need_pg=$(( ($1 - $(databases) + 1) / 2 )); need_r=$(( ($1 - $(users) + 1) / 2 ))
  [ $need_pg -gt 0 ] && bench_py fill fill postgres $need_pg "$CONC" "p$1-" | sed -n 1p
  [ $need_r -gt 0 ] && bench_py fill fill redis $need_r "$CONC" "r$1-" | sed -n 1p
  true
}

redis_restart() { # sets RU (tenant users) and RS (ms from the restarted server answering to all re-applied)
  local pid t0 t1
  RU=$(users)
  pid=$(cat "$R/redis.pid")
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  redis-server "$R/redis.conf" >/dev/null 2>&1 &
  CLEANUP_PIDS+=($!)
  until "${RCLI[@]}" PING 2>/dev/null | grep -q PONG; do sleep 0.005; done
  t0=$(date +%s%N)
  while [ "$(users)" -lt "$RU" ]; do sleep 0.01; done
  t1=$(date +%s%N)
  RS=$(( (t1 - t0) / 1000000 ))
  # The pass itself, as the app logs it (absent from builds that do not log it: nan).
  sleep 0.2
  RP=$(grep -o 'restarted: [0-9]* tenant user(s) applied in [0-9]* ms' "$DIR/app.log" | tail -1 | awk '{print $(NF-1)}')
  RP=${RP:-nan}
}

measure() { # label
  local f a1 a2 rl wk=""
  if command -v wrk >/dev/null; then # warm-up (JIT), not counted
    wrk -t2 -c64 -d3s -H "Authorization: Bearer $RT" "$API/v1/runtime/env" >/dev/null
  fi
  f=$(bench_py fetch "$RT" 2000 | awk '/^fetch_p50/{p50=$2}/^fetch_p99/{p99=$2}END{print p50, p99}')
  if command -v wrk >/dev/null; then
    wk=$(wrk -t2 -c64 -d5s -H "Authorization: Bearer $RT" "$API/v1/runtime/env" | awk '/Requests\/sec/{print $2}')
  fi
  a1=$(bench_py attach "m$1" postgres "$K" "pg" | awk '/^attach_p50/{print $2}')
  a2=$(bench_py attach "m$1" redis "$K" "rd" | awk '/^attach_p50/{print $2}')
  rl=$( { TIMEFORMAT=%R; time PGPASSWORD=$PGPASSWORD_PGB "${PGB[@]}" -c RELOAD >/dev/null; } 2>&1 )
  redis_restart
  echo "$1 $(databases) $(users) $f ${wk:-nan} $a1 $a2 $rl $RU $RS $RP" | tee -a "$DIR/scale.txt"
}

echo "label databases redis_users fetch_p50_ms fetch_p99_ms wrk_req_s pg_attach_p50_ms redis_attach_p50_ms pgbouncer_reload_s users_reapplied reapply_ms reapply_pass_ms"
fill_to 10
measure small
START=$(date +%s)
fill_to "$SIZE"
echo "filled to $SIZE in $(( $(date +%s) - START )) s"
measure large
python3 - "$DIR/scale.txt" <<'PY'
import sys
s, l = [r.split() for r in open(sys.argv[1])]
names = ["env fetch p50 ms", "env fetch p99 ms", "env fetch wrk req/s", "postgres attach p50 ms",
         "redis attach p50 ms", "PgBouncer RELOAD (psql) s", None,
         "Redis restart: answering -> all users ms", "Redis restart: re-apply pass ms"]
print("%-40s %10s %10s %6s" % ("at databases/users", "%s/%s" % (s[1], s[2]), "%s/%s" % (l[1], l[2]), "ratio"))
for i, n in enumerate(names):
    if n is None:
        continue
    a, b = float(s[3 + i]), float(l[3 + i])
    print("%-40s %10.2f %10.2f %6.2f" % (n, a, b, b / a if a else float("nan")))
print("goals: large/small <= 1.5 for fetch and attach; Redis re-apply of %s users < 2000 ms" % l[9])
PY
