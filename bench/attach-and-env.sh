#!/usr/bin/env bash
# Benchmark of the foundation, on one machine, in one run:
#  1. attach-to-ready latency of N Postgres attaches (each provisions 2 environments), p50/p95,
#     client-observed and server-side (operation createdAt -> finishedAt);
#  2. the raw time of CREATE ROLE + CREATE DATABASE for the same number of databases, with psql
#     against the same tenant server;
#  3. GET /v1/runtime/env throughput and latency (p50/p99) under concurrent load with wrk.
# Usage: bench/attach-and-env.sh [attaches=50] [wrk-seconds=20] [connections=256]
# Needs: a built jar (mvn -q -DskipTests package), psql, wrk, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}; SECS=${2:-20}; CONNS=${3:-256}
JAR=api/target/miosa-data.jar
[ -f "$JAR" ] || { echo "build first: mvn -q -DskipTests package"; exit 1; }
for b in psql wrk curl python3; do command -v $b >/dev/null || { echo "missing $b (Debian: apt-get install postgresql-client wrk curl)"; exit 1; }; done
JAVA=java; [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java

DIR=$(mktemp -d /tmp/miosa-bench.XXXXXX); chmod 755 "$DIR"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
TOKEN=bench-admin-token-$(date +%s)
cleanup() { [ -n "${APP:-}" ] && kill "$APP" 2>/dev/null && wait "$APP" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
MIOSA_DATA_DIR=$DIR PORT=$PORT MIOSA_ADMIN_TOKEN=$TOKEN MIOSA_WORKER_POLL_INTERVAL=20ms \
  "$JAVA" -Xmx1g -jar "$JAR" >"$DIR/app.log" 2>&1 &
APP=$!
for i in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null && break; sleep 0.2; done
API="http://127.0.0.1:$PORT"; H="Authorization: Bearer $TOKEN"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; JDK: $("$JAVA" -version 2>&1 | head -1)"

curl -sf -X POST "$API/v1/projects" -H "$H" -H 'Content-Type: application/json' -d '{"slug":"bench"}' >/dev/null
# One warm-up attach (JIT, connection setup), not counted.
python3 - "$API" "$TOKEN" "$N" > "$DIR/attach.txt" <<'PY'
import json, sys, time, urllib.request
api, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def call(method, path, body=None):
    req = urllib.request.Request(api + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
from datetime import datetime
def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
client, server = [], []
for i in range(n + 1):
    t0 = time.perf_counter()
    op = call("POST", "/v1/projects/bench/services", {"type": "postgres", "name": "b%d" % i})["operationId"]
    while True:
        o = call("GET", "/v1/operations/" + op)
        if o["state"] in ("succeeded", "failed"): break
        time.sleep(0.005)
    t1 = time.perf_counter()
    assert o["state"] == "succeeded", o
    if i == 0: continue
    client.append((t1 - t0) * 1000); server.append((ts(o["finishedAt"]) - ts(o["createdAt"])) * 1000)
def pct(xs, p):
    xs = sorted(xs); k = (len(xs) - 1) * p; f = int(k); c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)
print("attach-to-ready over %d attaches (2 environments = 2 databases each):" % n)
print("  client-observed  p50 %.1f ms  p95 %.1f ms" % (pct(client, .5), pct(client, .95)))
print("  server-side      p50 %.1f ms  p95 %.1f ms" % (pct(server, .5), pct(server, .95)))
PY
cat "$DIR/attach.txt"

# Raw CREATE ROLE + CREATE DATABASE on the same tenant server, same count of databases (2 per attach).
TPW=$(cat "$DIR/tenant-postgres/superuser-password"); TPORT=$(sed -n 4p "$DIR/tenant-postgres/data/postmaster.pid")
M=$((N * 2))
python3 - "$TPORT" "$M" <<'PY' > "$DIR/raw.sql"
import sys
port, m = sys.argv[1], int(sys.argv[2])
for i in range(m):
    print("CREATE ROLE raw_%d LOGIN PASSWORD 'x';" % i)
    print("CREATE DATABASE raw_%d OWNER raw_%d;" % (i, i))
PY
START=$(date +%s%N)
PGPASSWORD=$TPW psql -q -h 127.0.0.1 -p "$TPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -f "$DIR/raw.sql"
END=$(date +%s%N)
python3 -c "import sys; t=($END-$START)/1e6; m=$M; print('raw CREATE ROLE + CREATE DATABASE: %d pairs in %.0f ms = %.1f ms per pair, %.1f ms per 2 (one attach)' % (m, t, t/m, 2*t/m))"

# The env fetch under load.
RT=$(curl -sf -X POST "$API/v1/projects/bench/environments/production/runtime-tokens" -H "$H" \
     -H 'Content-Type: application/json' -d '{"ttlSeconds":3600}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
BYTES=$(curl -sf "$API/v1/runtime/env" -H "Authorization: Bearer $RT" | wc -c)
# The bench project has N data services; fetch an environment with one (a typical app) too.
curl -sf -X POST "$API/v1/projects" -H "$H" -H 'Content-Type: application/json' -d '{"slug":"bench-one"}' >/dev/null
OP=$(curl -sf -X POST "$API/v1/projects/bench-one/services" -H "$H" -H 'Content-Type: application/json' -d '{"type":"postgres"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["operationId"])')
for i in $(seq 1 200); do curl -sf "$API/v1/operations/$OP" -H "$H" | grep -q succeeded && break; sleep 0.1; done
RT1=$(curl -sf -X POST "$API/v1/projects/bench-one/environments/production/runtime-tokens" -H "$H" \
     -H 'Content-Type: application/json' -d '{}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
BYTES1=$(curl -sf "$API/v1/runtime/env" -H "Authorization: Bearer $RT1" | wc -c)
wrk -t2 -c"$CONNS" -d5s -H "Authorization: Bearer $RT1" "$API/v1/runtime/env" >/dev/null  # warm-up
echo "GET /v1/runtime/env, one Postgres data service ($BYTES1 bytes), wrk -t2 -c$CONNS -d${SECS}s:"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $RT1" "$API/v1/runtime/env" \
  | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors" | sed 's/^/  /'
echo "GET /v1/runtime/env, $N Postgres data services ($BYTES bytes), wrk -t2 -c$CONNS -d${SECS}s:"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $RT" "$API/v1/runtime/env" \
  | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors" | sed 's/^/  /'
