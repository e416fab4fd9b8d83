#!/usr/bin/env bash
# GET /v1/runtime/env against nginx serving the same bytes as a static file, same machine, same
# wrk settings, alternating rounds in one run: "listener" is the runtime env listener on its own
# port (MIOSA_RUNTIME_LISTENER_PORT, Netty), "app" the same route on the main port (Tomcat,
# Spring Security, Spring MVC). The app is the embedded default from the jar;
# the body is that of an environment with one Postgres data service (a typical app), fetched once
# with a runtime token and written to nginx's root. wrk sends the token from a Lua script.
# Prints per round req/s, p99 and errors (non-2xx, socket errors, timeouts), then the median
# ratio app/nginx, the app's p99 and the error count.
# Usage: bench/env-fetch-vs-nginx.sh [rounds=3] [seconds=10] [connections=256]
# Environment: BENCH_JVM_OPTS (JVM options of the app, e.g. "-XX:+UseParallelGC -Xms512m -Xmx512m").
# Needs: a built jar (mvn -q -DskipTests package), nginx (nginx-light), wrk, curl, python3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}; SECS=${2:-10}; CONNS=${3:-256}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] && PATH=$PATH:$(dirname "$NGINX")
bench_init nginx wrk
LPORT=$(free_port)
export MIOSA_RUNTIME_LISTENER_PORT=$LPORT MIOSA_RUNTIME_LISTENER_ADDRESS=127.0.0.1
start_app
machine_line "rounds=$ROUNDS seconds=$SECS connections=$CONNS"

api POST /v1/projects '{"slug":"bench-env"}' >/dev/null
OP=$(api POST /v1/projects/bench-env/services '{"type":"postgres"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["operationId"])')
for i in $(seq 1 300); do api GET "/v1/operations/$OP" | grep -q '"succeeded"' && break; sleep 0.1; done
RT=$(bench_py token bench-env production)

# nginx: same bytes, same content type, bound to 127.0.0.1, 2 workers (one per core here).
mkdir -p "$DIR/nginx/root/v1/runtime" "$DIR/nginx/tmp"
curl -sf "$API/v1/runtime/env" -H "Authorization: Bearer $RT" -D "$DIR/app-headers.txt" \
  -o "$DIR/nginx/root/v1/runtime/env"
CTYPE=$(awk -F': ' 'tolower($1)=="content-type"{print $2}' "$DIR/app-headers.txt" | tr -d '\r')
NPORT=$(free_port)
cat >"$DIR/nginx/nginx.conf" <<NG
worker_processes auto;
daemon off;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx/tmp/body; proxy_temp_path $DIR/nginx/tmp/proxy;
  fastcgi_temp_path $DIR/nginx/tmp/fcgi; uwsgi_temp_path $DIR/nginx/tmp/uwsgi; scgi_temp_path $DIR/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    root $DIR/nginx/root;
    location = /v1/runtime/env { default_type "$CTYPE"; }
  }
}
NG
"$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" 2>"$DIR/nginx/stderr.log" &
CLEANUP_PIDS+=($!)
for i in $(seq 1 50); do curl -sf "http://127.0.0.1:$NPORT/v1/runtime/env" >/dev/null && break; sleep 0.1; done
cmp -s <(curl -sf "http://127.0.0.1:$NPORT/v1/runtime/env") "$DIR/nginx/root/v1/runtime/env" \
  || { echo "nginx does not serve the body" >&2; exit 1; }
echo "body: $(wc -c <"$DIR/nginx/root/v1/runtime/env") bytes, $CTYPE"

cat >"$DIR/wrk.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $RT"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.2f %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write, e.timeout))
end
LUA
round() { # name url -> "req/s p99ms non2xx socket timeouts"
  wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 5s -s "$DIR/wrk.lua" "$2" | awk '/^RESULT/{print $2, $3, $4, $5, $6}'
}
LURL="http://127.0.0.1:$LPORT/v1/runtime/env"
cmp -s <(curl -sf "$LURL" -H "Authorization: Bearer $RT") "$DIR/nginx/root/v1/runtime/env" \
  || { echo "the runtime listener does not serve the same body" >&2; exit 1; }
wrk -t2 -c"$CONNS" -d5s -s "$DIR/wrk.lua" "$API/v1/runtime/env" >/dev/null # warm-up (JIT)
wrk -t2 -c"$CONNS" -d5s -s "$DIR/wrk.lua" "$LURL" >/dev/null
wrk -t2 -c"$CONNS" -d2s -s "$DIR/wrk.lua" "http://127.0.0.1:$NPORT/v1/runtime/env" >/dev/null
: >"$DIR/rounds.txt"
for r in $(seq 1 "$ROUNDS"); do
  for who in nginx listener app; do
    case $who in
      nginx) URL="http://127.0.0.1:$NPORT/v1/runtime/env" ;;
      listener) URL="$LURL" ;;
      app) URL="$API/v1/runtime/env" ;;
    esac
    read -r RPS P99 N2 SOCK TO < <(round $who "$URL")
    printf "round %d %-8s %8s req/s  p99 %8s ms  non-2xx %s  socket errors %s  timeouts %s\n" \
      "$r" "$who" "$RPS" "$P99" "$N2" "$SOCK" "$TO"
    echo "$r $who $RPS $P99 $N2 $SOCK $TO" >>"$DIR/rounds.txt"
  done
done
python3 - "$DIR/rounds.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
ng = {r[0]: float(r[2]) for r in rows if r[1] == "nginx"}
print("summary (medians of %d rounds; goals: >= 0.5 of nginx, p99 <= 20 ms, no errors):" % len(ng))
print("  nginx     %6.0f req/s" % statistics.median(ng.values()))
for who in ("listener", "app"):
    mine = [r for r in rows if r[1] == who]
    ratios = [float(r[2]) / ng[r[0]] for r in mine]
    errors = sum(int(r[4]) + int(r[5]) + int(r[6]) for r in mine)
    print("  %-9s %6.0f req/s  %.2f of nginx  p99 median %.1f ms, worst %.1f ms  errors %d"
          % (who, statistics.median(float(r[2]) for r in mine), statistics.median(ratios),
             statistics.median(float(r[3]) for r in mine), max(float(r[3]) for r in mine), errors))
PY
