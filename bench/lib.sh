# Shared pieces of the benchmark scripts; sourced, not run.
#   bench_init TOOL...      checks the jar and the tools, makes $DIR, sets $JAVA, installs cleanup
#   start_app [JVM_OPT...]  starts the embedded default from the jar on a free 127.0.0.1 port
#                           (data under $DIR/app), waits for health; sets $API, $TOKEN, $H, $APP
#   api METHOD PATH [JSON]  one admin call, prints the body
#   bench_py ARGS...        runs bench/bench.py against the app (timing loops in Python)
#   free_port               prints a free TCP port on 127.0.0.1
# Everything binds to 127.0.0.1 only. Extra JVM options: $BENCH_JVM_OPTS (space separated).

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=$BENCH_ROOT/api/target/miosa-data.jar

bench_init() {
  cd "$BENCH_ROOT"
  [ -f "$JAR" ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 1; }
  local missing=() pkgs=() b
  for b in curl python3 "$@"; do
    command -v "$b" >/dev/null && continue
    missing+=("$b")
    case $b in
      psql) pkgs+=(postgresql-client-15) ;;
      nginx) pkgs+=(nginx-light) ;;
      redis-cli) pkgs+=(redis-tools) ;;
      redis-server) pkgs+=(redis-server) ;;
      mkfs.ext4) pkgs+=(e2fsprogs) ;;
      *) pkgs+=("$b") ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing: ${missing[*]}; install with: apt-get update && apt-get install -y ${pkgs[*]}" >&2
    exit 1
  fi
  JAVA=java
  [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  DIR=$(mktemp -d /tmp/miosa-bench.XXXXXX)
  chmod 755 "$DIR"
  CLEANUP_PIDS=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  set +e # a failing kill or wait must not cut the cleanup short
  local p
  for p in "${CLEANUP_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [ -n "${APP:-}" ]; then
    kill "$APP" 2>/dev/null
    wait "$APP" 2>/dev/null
  fi
  for p in "${CLEANUP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  # Servers the app started and did not stop (it was killed, or its shutdown timed out).
  local f pid
  for f in "$DIR"/app*/*-postgres/data/postmaster.pid "$DIR"/app*/pgbouncer/pgbouncer.pid "$DIR"/app*/redis/redis.pid; do
    [ -f "$f" ] || continue
    pid=$(head -1 "$f")
    case $f in *postmaster.pid) kill -INT "$pid" 2>/dev/null ;; *) kill -TERM "$pid" 2>/dev/null ;; esac
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $DIR" >&2; else rm -rf "$DIR"; fi
}

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

start_app() {
  APP_DATA=${APP_DATA:-$DIR/app}
  mkdir -p "$APP_DATA"
  chmod 755 "$APP_DATA"
  PORT=$(free_port)
  TOKEN=bench-admin-token-$(date +%s)-$RANDOM$RANDOM
  # shellcheck disable=SC2086
  MIOSA_DATA_DIR=$APP_DATA PORT=$PORT SERVER_ADDRESS=127.0.0.1 MIOSA_ADMIN_TOKEN=$TOKEN \
    "$JAVA" ${BENCH_JVM_OPTS:-} "$@" -jar "$JAR" >"$DIR/app.log" 2>&1 &
  APP=$!
  local i
  for i in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null && break
    kill -0 "$APP" 2>/dev/null || { echo "the app died; log:" >&2; tail -30 "$DIR/app.log" >&2; exit 1; }
    sleep 0.2
  done
  API="http://127.0.0.1:$PORT"
  H="Authorization: Bearer $TOKEN"
  export API TOKEN
}

# Stops the app (and the servers it started) and waits for it; start_app may run again after.
stop_app() {
  kill "$APP" 2>/dev/null
  wait "$APP" 2>/dev/null || true
  APP=
}

machine_line() {
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; $("$JAVA" -version 2>&1 | head -1); JVM options: ${BENCH_JVM_OPTS:-(none)} $*"
  echo "commit: $(git -C "$BENCH_ROOT" log -1 --format='%h %s' 2>/dev/null | cut -c1-80)"
}

api() {
  curl -sf -X "$1" "$API$2" -H "$H" -H 'Content-Type: application/json' ${3:+-d "$3"}
}

bench_py() {
  python3 "$BENCH_ROOT/bench/bench.py" "$@"
}

# The embedded tenant PostgreSQL (superuser password, port) and Redis (admin password, port).
tenant_pg_port() { cat "$APP_DATA/tenant-postgres/port"; }
tenant_pg_password() { cat "$APP_DATA/tenant-postgres/superuser-password"; }
