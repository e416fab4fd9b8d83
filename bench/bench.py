#!/usr/bin/env python3
"""Timing loops of the benchmark scripts (bench/*.sh), against $API with admin token $TOKEN.

  bench.py project SLUG                       create a project (ignores 409)
  bench.py attach SLUG TYPE N [PREFIX]        N attaches one after another (after warm-up ones,
                                              not counted); attach-to-ready p50/p95, client and
                                              server side (operation createdAt -> finishedAt)
  bench.py attach-vs-raw SLUG TYPE N PGPORT   N alternating rounds: one attach, then the raw
                                              DDL of 2 databases on the tenant server (owner and
                                              login role in one transaction, CREATE DATABASE; psql
                                              timings, PGPASSWORD from the environment); p50s and
                                              the ratio
  bench.py attach-vs-raw SLUG TYPE N PGPORT SPARES
                                              the same; each round starts once the tenant server
                                              holds SPARES finished spare databases again
  bench.py five PROJECTS [PGPORT SPARES]      (after warm-up projects) per project: attach postgres, storage, redis, auth,
                                              volume at once, time until all are ready; p50/p95
                                              (with SPARES: each once the spares are refilled)
  bench.py fill SLUG TYPE COUNT CONC [PREFIX] COUNT attaches, CONC at a time; elapsed, rate and
                                              where the time went (queue wait vs running)
  bench.py token SLUG ENV                     prints a runtime token
  bench.py fetch RUNTIME_TOKEN N              N sequential GET /v1/runtime/env on one keep-alive
                                              connection (+N/10 warm-up); p50/p99
Figures go to stdout as 'key value' lines after a human line.
"""
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime

API = urllib.parse.urlparse(os.environ["API"])
TOKEN = os.environ["TOKEN"]
_local = threading.local()


def conn():
    c = getattr(_local, "c", None)
    if c is None:
        c = _local.c = http.client.HTTPConnection(API.hostname, API.port, timeout=120)
    return c


def call(method, path, body=None, token=TOKEN, ok=(200, 201, 202, 204)):
    for attempt in range(3):
        try:
            c = conn()
            c.request(method, path, body=None if body is None else json.dumps(body),
                      headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            break
        except (http.client.HTTPException, ConnectionError):
            _local.c = None
            if attempt == 2:
                raise
    if r.status not in ok:
        raise RuntimeError("%s %s -> %d %s" % (method, path, r.status, data[:300]))
    return json.loads(data) if data else None


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


# Unmeasured rounds first: they let the JIT compile the request and provisioning paths, as in a
# control plane that has been running for a while.
WARMUP_ATTACHES = int(os.environ.get("BENCH_WARMUP_ATTACHES", "5"))
WARMUP_PROJECTS = int(os.environ.get("BENCH_WARMUP_PROJECTS", "2"))


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p
    f = int(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def wait_ops(ops, poll=0.003):
    """Waits until every operation ended; returns their final rows."""
    done = {}
    while len(done) < len(ops):
        for op in ops:
            if op in done:
                continue
            o = call("GET", "/v1/operations/" + op)
            if o["state"] in ("succeeded", "failed"):
                if o["state"] != "succeeded":
                    raise RuntimeError("operation failed: %s" % o)
                done[op] = o
        if len(done) < len(ops):
            time.sleep(poll)
    return [done[op] for op in ops]


def create_project(slug):
    call("POST", "/v1/projects", {"slug": slug}, ok=(200, 201, 409))


def attach_body(t, name):
    body = {"type": t, "name": name}
    if t == "volume":
        body["config"] = {"sizeGiB": 1}
    return body


def attach(slug, t, name):
    return call("POST", "/v1/projects/%s/services" % slug, attach_body(t, name))["operationId"]


def cmd_attach(slug, t, n, prefix="a"):
    n = int(n)
    create_project(slug)
    client, server = [], []
    warm = WARMUP_ATTACHES
    for i in range(n + warm):
        t0 = time.perf_counter()
        op = attach(slug, t, "%s%d" % (prefix, i))
        o = wait_ops([op])[0]
        t1 = time.perf_counter()
        if i < warm:
            continue  # warm-up: a running control plane's code is compiled (JIT), a fresh JVM's is not
        client.append((t1 - t0) * 1000)
        server.append((ts(o["finishedAt"]) - ts(o["createdAt"])) * 1000)
    print("%s attach-to-ready over %d attaches: client p50 %.0f ms p95 %.0f ms; server p50 %.0f ms p95 %.0f ms"
          % (t, n, pct(client, .5), pct(client, .95), pct(server, .5), pct(server, .95)))
    print("attach_p50_ms %.1f" % pct(client, .5))
    print("attach_p95_ms %.1f" % pct(client, .95))


def raw_pair_ms(k, pg_port):
    """The DDL of 2 databases (one attach's worth) in the layout the provider makes, in one psql
    session on the tenant server: per database the owner role and the login role (a member of it,
    running as it) in one transaction and round trip (psql's \\; joins them into one query, as the
    provider sends them), then CREATE DATABASE owned by the owner role. The sum of psql's own
    per-query timings (no connection start)."""
    script = "\\timing on\n" + "".join(
        ("CREATE ROLE raw_{k}_{j}_owner NOLOGIN \\; CREATE ROLE raw_{k}_{j} LOGIN PASSWORD 'x'"
         " IN ROLE raw_{k}_{j}_owner \\; ALTER ROLE raw_{k}_{j} SET role = raw_{k}_{j}_owner;\n"
         "CREATE DATABASE raw_{k}_{j} OWNER raw_{k}_{j}_owner;\n").format(k=k, j=j)
        for j in range(2))
    out = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", pg_port,
         "-U", "postgres", "-d", "postgres"],
        input=script, capture_output=True, text=True, check=True).stdout
    times = [float(m) for m in re.findall(r"Time: ([0-9.]+) ms", out)]
    if len(times) != 4:
        raise RuntimeError("unexpected psql output: %r" % out)
    return sum(times)


def spares_settled(pg_port, target, timeout=30.0):
    """Waits until the tenant server holds `target` finished spare databases and none is being
    made (the control plane's background refill after an attach has ended), so that neither the
    next attach nor the raw DDL shares the disk with a refill. Returns the seconds waited."""
    t0 = time.perf_counter()
    query = ("SELECT count(*) FILTER (WHERE datname LIKE 'miosa\\_spare\\_%'), "
             "count(*) FILTER (WHERE datname LIKE 'miosa\\_making\\_%') FROM pg_database")
    while True:
        out = subprocess.run(
            ["psql", "-X", "-At", "-F", " ", "-h", "127.0.0.1", "-p", pg_port, "-U", "postgres",
             "-d", "postgres", "-c", query], capture_output=True, text=True, check=True).stdout
        spares, making = (int(x) for x in out.split())
        if spares >= target and making == 0:
            return time.perf_counter() - t0
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError("spare databases not refilled in %.0f s: %d of %d, %d being made"
                               % (timeout, spares, target, making))
        time.sleep(0.02)


def cmd_attach_vs_raw(slug, t, n, pg_port, spares=0):
    """Alternating rounds: one attach, then the raw DDL of its two databases on the same server,
    so both see the same moment of a noisy machine. With spares > 0 (the control plane keeps that
    many spare databases), each round starts once the refill after the last attach has ended."""
    n = int(n)
    spares = int(spares)
    create_project(slug)
    attach_ms, raw_ms, ratios = [], [], []
    for i in range(n + WARMUP_ATTACHES):
        if spares:
            spares_settled(pg_port, spares)
        t0 = time.perf_counter()
        op = attach(slug, t, "x%d" % i)
        wait_ops([op])
        a = (time.perf_counter() - t0) * 1000
        if spares:
            spares_settled(pg_port, spares)
        r = raw_pair_ms("%s_%d" % (os.getpid(), i), pg_port)
        if i < WARMUP_ATTACHES:
            continue
        attach_ms.append(a)
        raw_ms.append(r)
        ratios.append(a / r)
    print("alternating rounds, %d: attach p50 %.0f ms p95 %.0f ms; raw DDL of its 2 databases p50 %.0f ms"
          " p95 %.0f ms; ratio of p50s %.2f, median of per-round ratios %.2f (goal <= 1.5)"
          % (n, pct(attach_ms, .5), pct(attach_ms, .95), pct(raw_ms, .5), pct(raw_ms, .95),
             pct(attach_ms, .5) / pct(raw_ms, .5), pct(ratios, .5)))


def cmd_five(projects, pg_port=None, spares=0):
    projects = int(projects)
    spares = int(spares)
    types = ["postgres", "storage", "redis", "auth", "volume"]
    times = []
    per_type = {}
    for p in range(projects + WARMUP_PROJECTS):
        slug = "five-%d-%d" % (os.getpid(), p)
        create_project(slug)
        if spares:
            spares_settled(pg_port, spares)
        t0 = time.perf_counter()
        ops = [attach(slug, t, "main") for t in types]
        done = wait_ops(ops)
        t1 = time.perf_counter()
        if p >= WARMUP_PROJECTS:
            times.append((t1 - t0) * 1000)
            for t, o in zip(types, done):
                per_type.setdefault(t, []).append((ts(o["finishedAt"]) - ts(o["createdAt"])) * 1000)
    print("all five types attached to one project, %d projects: p50 %.0f ms p95 %.0f ms (min %.0f, max %.0f)"
          % (projects, pct(times, .5), pct(times, .95), min(times), max(times)))
    print("  per type, operation created->finished p50: "
          + ", ".join("%s %.0f ms" % (t, pct(per_type[t], .5)) for t in types))
    print("five_p50_ms %.1f" % pct(times, .5))


def cmd_fill(slug, t, count, conc, prefix="f"):
    count, conc = int(count), int(conc)
    create_project(slug)
    names = ["%s%d" % (prefix, i) for i in range(count)]
    rows, lock, errors = [], threading.Lock(), []

    def worker(k):
        try:
            for i in range(k, count, conc):
                op = attach(slug, t, names[i])
                o = wait_ops([op], poll=0.02)[0]
                with lock:
                    rows.append(o)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conc)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    el = time.perf_counter() - t0
    if errors:
        raise errors[0]
    rows.sort(key=lambda o: ts(o["finishedAt"]))
    total = [(ts(o["finishedAt"]) - ts(o["createdAt"])) * 1000 for o in rows]
    dec = max(1, count // 10)
    print("filled %d %s attaches (%d at a time) in %.1f s = %.1f/s; per operation created->finished: p50 %.0f ms, "
          "first tenth p50 %.0f ms, last tenth p50 %.0f ms"
          % (count, t, conc, el, count / el, pct(total, .5), pct(total[:dec], .5), pct(total[-dec:], .5)))
    print("fill_seconds %.1f" % el)


def cmd_token(slug, env):
    print(call("POST", "/v1/projects/%s/environments/%s/runtime-tokens" % (slug, env), {"ttlSeconds": 86400})["token"])


def cmd_fetch(rt, n):
    n = int(n)
    lat = []
    for i in range(n + n // 10):
        t0 = time.perf_counter()
        call("GET", "/v1/runtime/env", token=rt, ok=(200,))
        if i >= n // 10:
            lat.append((time.perf_counter() - t0) * 1000)
    print("env fetch, %d sequential requests on one connection: p50 %.2f ms p99 %.2f ms"
          % (n, pct(lat, .5), pct(lat, .99)))
    print("fetch_p50_ms %.3f" % pct(lat, .5))
    print("fetch_p99_ms %.3f" % pct(lat, .99))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"project": create_project, "attach": cmd_attach, "attach-vs-raw": cmd_attach_vs_raw,
     "five": cmd_five, "fill": cmd_fill,
     "token": cmd_token, "fetch": cmd_fetch}[cmd](*args)
