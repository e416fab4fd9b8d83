#!/usr/bin/env bash
# Backup memory benchmark: the embedded default runs with a 256 MB heap (-Xmx256m; its object
# store, S3Proxy, runs in the same JVM and so shares that heap), a Postgres data service is filled
# to ~200 MB, then an on-demand backup (pg_dump -Fc streamed to the platform bucket) and a
# restore of it into staging run through the HTTP API. The heap is sampled with jstat every
# 200 ms throughout; the figures printed are the database size, the archive size, the durations
# and the peak heap used.
# Usage: bench/backup-heap.sh [target-MB=200] [heap=256m]
# Needs: a built jar (mvn -q -DskipTests package), psql, curl, python3, a JDK (jstat).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_MB=${1:-200}; HEAP=${2:-256m}
JAR=api/target/miosa-data.jar
[ -f "$JAR" ] || { echo "build first: mvn -q -DskipTests package"; exit 1; }
JDK=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$JDK/bin/jstat" ] || { echo "need a JDK with jstat: set JAVA_HOME"; exit 1; }
for b in psql curl python3; do command -v $b >/dev/null || { echo "missing $b (Debian: apt-get install postgresql-client curl python3)"; exit 1; }; done

DIR=$(mktemp -d /tmp/miosa-bench-backup.XXXXXX); chmod 755 "$DIR"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
TOKEN=bench-admin-token-$(date +%s)
cleanup() {
  [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null || true
  [ -n "${APP:-}" ] && kill "$APP" 2>/dev/null && wait "$APP" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
MIOSA_DATA_DIR=$DIR/data PORT=$PORT MIOSA_ADMIN_TOKEN=$TOKEN MIOSA_WORKER_POLL_INTERVAL=50ms \
  "$JDK/bin/java" -Xmx"$HEAP" -XX:+ExitOnOutOfMemoryError -jar "$JAR" >"$DIR/app.log" 2>&1 &
APP=$!
for i in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null || { echo "service did not start"; tail -30 "$DIR/app.log"; exit 1; }
API="http://127.0.0.1:$PORT"; H="Authorization: Bearer $TOKEN"; J='Content-Type: application/json'
echo "machine: $(nproc) cores; JDK: $("$JDK/bin/java" -version 2>&1 | head -1); service heap: -Xmx$HEAP"

# Heap used (survivors + eden + old, KB) every 200 ms, for the whole run.
"$JDK/bin/jstat" -gc "$APP" 200 > "$DIR/jstat.txt" 2>/dev/null &
SAMPLER=$!

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
await_op() {
  local op=$1 state
  for i in $(seq 1 6000); do
    state=$(curl -sf "$API/v1/operations/$op" -H "$H" | json 'd["state"]')
    [ "$state" = succeeded ] && return 0
    [ "$state" = failed ] && { curl -sf "$API/v1/operations/$op" -H "$H"; echo; return 1; }
    sleep 0.2
  done
  return 1
}

curl -sf -X POST "$API/v1/projects" -H "$H" -H "$J" -d '{"slug":"bench-backup"}' >/dev/null
OP=$(curl -sf -X POST "$API/v1/projects/bench-backup/services" -H "$H" -H "$J" -d '{"type":"postgres"}' | json 'd["operationId"]')
await_op "$OP"
VARS=$(curl -sf "$API/v1/projects/bench-backup/environments/production/variables" -H "$H")
URL=$(echo "$VARS" | json 'd["DATABASE_URL_UNPOOLED"]')
STAGING_URL=$(curl -sf "$API/v1/projects/bench-backup/environments/staging/variables" -H "$H" | json 'd["DATABASE_URL_UNPOOLED"]')

# ~200 bytes a row of hex text (compresses about 2:1), batches of 250k rows until the target size.
psql -X -q "$URL" -c "CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload text, at timestamptz)"
N=0
while :; do
  SIZE=$(psql -X -tA "$URL" -c "SELECT pg_database_size(current_database())")
  [ "$SIZE" -ge $((TARGET_MB * 1024 * 1024)) ] && break
  psql -X -q "$URL" -c "INSERT INTO events SELECT g, 'kind-' || (g % 17), md5(g::text) || md5((g * 31)::text) || md5(random()::text) || md5(random()::text), now() - g * interval '1 second' FROM generate_series($N + 1, $N + 250000) g"
  N=$((N + 250000))
done
ROWS=$(psql -X -tA "$URL" -c "SELECT count(*) FROM events")
echo "database: $((SIZE / 1024 / 1024)) MB, $ROWS rows"

L0=$(wc -l < "$DIR/jstat.txt")
T0=$(date +%s.%N)
B=$(curl -sf -X POST "$API/v1/projects/bench-backup/services/postgres:main/backups" -H "$H" -H "$J" -d '{"environment":"production"}')
BID=$(echo "$B" | json 'd["id"]')
await_op "$(echo "$B" | json 'd["operationId"]')"
T1=$(date +%s.%N)
L1=$(wc -l < "$DIR/jstat.txt")
INFO=$(curl -sf "$API/v1/projects/bench-backup/services/postgres:main/backups/$BID" -H "$H")
echo "backup:   $(echo "$INFO" | json '"%.1f MB archive, sha256 %s" % (d["sizeBytes"] / 1048576, d["sha256"][:16] + "...")') in $(python3 -c "print(round($T1 - $T0, 1))") s"

R=$(curl -sf -X POST "$API/v1/projects/bench-backup/services/postgres:main/backups/$BID/restore" -H "$H" -H "$J" -d '{"environment":"staging","confirm":"staging"}')
await_op "$(echo "$R" | json 'd["operationId"]')"
T2=$(date +%s.%N)
L2=$(wc -l < "$DIR/jstat.txt")
echo "restore into staging: $(psql -X -tA "$STAGING_URL" -c "SELECT count(*) FROM events") rows in $(python3 -c "print(round($T2 - $T1, 1))") s"

sleep 0.5
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=
python3 - "$DIR/jstat.txt" "$HEAP" "$L0" "$L1" "$L2" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
head = lines[0].split()
col = {name: i for i, name in enumerate(head)}
l0, l1, l2 = (int(x) for x in sys.argv[3:6])
def rows(a, b):
    return [l.split() for l in lines[a:b] if l.strip() and not l.split()[0] == head[0]]
def used(r):
    return sum(float(r[col[c]]) for c in ("S0U", "S1U", "EU", "OU")) / 1024
def committed(r):
    return sum(float(r[col[c]]) for c in ("S0C", "S1C", "EC", "OC")) / 1024
def report(name, rs):
    print("heap %-22s peak used %4.0f MB, peak committed %4.0f MB (%d samples)" % (name, max(map(used, rs)), max(map(committed, rs)), len(rs)))
report("before the backup:", rows(1, l0))
report("during the backup:", rows(l0, l1))
report("during the restore:", rows(l1, l2))
last = rows(1, len(lines))[-1]
print("limit -Xmx%s; %s young / %s full GCs in the whole run" % (sys.argv[2], last[col["YGC"]], last[col["FGC"]]))
PY
grep -q OutOfMemoryError "$DIR/app.log" && { echo "OutOfMemoryError in the service log"; exit 1; }
echo "no OutOfMemoryError; the service ran the whole time with -Xmx$HEAP"
