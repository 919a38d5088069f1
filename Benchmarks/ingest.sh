#!/usr/bin/env bash
# Durable web chat ingest vs. the same server's no-op route, in one run, against the release build.
#
#   bash Benchmarks/ingest.sh            # 64 connections, 10 s per measurement
#   SECONDS_PER_RUN=20 CONNECTIONS=64 bash Benchmarks/ingest.sh
#
# Load comes from shared/tools/sbload.c (the acceptance checks' load generator; path in $SBLOAD_SRC,
# default ../shared/tools/sbload.c) on loopback only. For each scenario a fresh gateway is started
# on an empty data directory:
#   group-commit      the default (ingest.maxBatchSize 512), synchronous=FULL
#   no-group-commit   ingest.maxBatchSize 1: one transaction and one fsync per contact (the baseline
#                     that shows what group commit buys)
# and measured with: GET /healthz (no-op route), then signed POST /channels/web/messages with unique
# ids (durable: each 202 is sent after the fsynced commit), then the same at 16 connections (lighter
# load, for latency). Prints sbload's JSON lines and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-64}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
PORT=${PORT:-18480}
SBLOAD_SRC=${SBLOAD_SRC:-../shared/tools/sbload.c}
SECRET=bench-secret-0123456789abcdef
WORK=$(mktemp -d /tmp/switchboard-bench.XXXXXX)
trap 'kill "$(cat "$WORK/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$WORK"' EXIT

[ -f "$SBLOAD_SRC" ] || { echo "sbload.c not found at $SBLOAD_SRC (set SBLOAD_SRC)" >&2; exit 1; }
cc -O2 -o "$WORK/sbload" "$SBLOAD_SRC" -lcrypto -lm
echo "== building release"
swift build -c release --product switchboard 2>&1 | tail -1
BIN=$(swift build -c release --show-bin-path)/switchboard

run_scenario() {
  local name=$1 batch=$2
  local data="$WORK/data-$name"
  cat > "$WORK/$name.yaml" <<YAML
server: {host: 127.0.0.1, port: $PORT}
storage: {dataDir: $data, synchronous: full}
ingest: {maxBatchSize: $batch}
logging: {level: warning}
channels:
  - {id: web, type: webchat, secret: $SECRET}
YAML
  "$BIN" serve --config "$WORK/$name.yaml" > "$WORK/$name.log" 2>&1 &
  echo $! > "$WORK/pid"
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  "$WORK/sbload" --port "$PORT" -c "$CONNECTIONS" -d 2 --mode get --path /healthz >/dev/null   # warm-up
  local noop ingest light
  noop=$("$WORK/sbload" --port "$PORT" -c "$CONNECTIONS" -d "$SECONDS_PER_RUN" --mode get --path /healthz)
  ingest=$("$WORK/sbload" --port "$PORT" -c "$CONNECTIONS" -d "$SECONDS_PER_RUN" --mode webchat \
    --path /channels/web/messages --secret "$SECRET" --prefix "$name-64")
  light=$("$WORK/sbload" --port "$PORT" -c 16 -d "$SECONDS_PER_RUN" --mode webchat \
    --path /channels/web/messages --secret "$SECRET" --prefix "$name-16")
  kill -TERM "$(cat "$WORK/pid")"; wait "$(cat "$WORK/pid")" 2>/dev/null || true
  local stored
  stored=$(sqlite3 "$data/switchboard.sqlite" "SELECT COUNT(*) FROM messages")
  echo "-- $name (maxBatchSize $batch)"
  echo "noop    $noop"
  echo "ingest  $ingest"
  echo "ingest16 $light"
  python3 - "$name" "$noop" "$ingest" "$light" "$stored" <<'PY'
import json, sys
name, noop, ingest, light, stored = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4]), int(sys.argv[5])
acked = ingest["ok2xx"] + light["ok2xx"]
print(f"{name}: no-op {noop['rps']:.0f} req/s (p50 {noop['p50_us']/1000:.2f} ms, p99 {noop['p99_us']/1000:.2f} ms)")
print(f"{name}: durable ingest {ingest['rps']:.0f} contacts/s at {ingest['connections']} conns "
      f"(p50 {ingest['p50_us']/1000:.2f} ms, p99 {ingest['p99_us']/1000:.2f} ms, non-2xx {ingest['non2xx']}, socket errors {ingest['socket_errors']})")
print(f"{name}: durable ingest {light['rps']:.0f} contacts/s at 16 conns (p50 {light['p50_us']/1000:.2f} ms, p99 {light['p99_us']/1000:.2f} ms)")
print(f"{name}: ingest / no-op = {ingest['rps'] / noop['rps'] * 100:.1f} %")
print(f"{name}: stored {stored} messages for {acked} acknowledged")
open(f"/tmp/switchboard-bench-{name}.json", "w").write(json.dumps({"noop": noop, "ingest": ingest, "light": light}))
PY
}

run_scenario group-commit 512
run_scenario no-group-commit 1
python3 - <<'PY'
import json
a = json.load(open("/tmp/switchboard-bench-group-commit.json"))
b = json.load(open("/tmp/switchboard-bench-no-group-commit.json"))
print(f"group commit / one transaction per contact = {a['ingest']['rps'] / b['ingest']['rps']:.2f}x")
PY
