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
#
# Last, the storage floor (Benchmarks/StoreFloor/store_floor.c): the same per-contact SQL from C with
# prepared statements, on a freshly migrated copy of the gateway's schema, at one contact per
# transaction, at the mean batch the gateway formed under load, at 64 (the most 64 connections can
# put in one transaction) and at 512. It shows how much of the gap to the DESIGN bar is storage and
# how much is the gateway.
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
  curl -sf "http://127.0.0.1:$PORT/metrics" > "$WORK/$name.metrics" || true   # batch sizes at 64 connections
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

echo "== storage floor (same SQL from C, synchronous=FULL, no HTTP/JSON/Swift)"
cc -O2 -o "$WORK/store_floor" Benchmarks/StoreFloor/store_floor.c -lsqlite3
cat > "$WORK/floor.yaml" <<YAML
storage: {dataDir: $WORK/floor-schema}
logging: {level: warning}
YAML
"$BIN" migrate --config "$WORK/floor.yaml" > /dev/null
MEAN_BATCH=$(awk '/^switchboard_ingest_batch_size_sum/ {s=$2} /^switchboard_ingest_batch_size_count/ {c=$2} END {if (c > 0) printf "%d", s / c + 0.5}' "$WORK/group-commit.metrics" 2>/dev/null || true)
if [ -z "$MEAN_BATCH" ]; then
  echo "the gateway's batch sizes could not be read from /metrics; the floor runs at fixed sizes only" >&2
fi
for batch in $(printf '%s\n' 1 $MEAN_BATCH 64 512 | sort -nu); do
  cp "$WORK/floor-schema/switchboard.sqlite" "$WORK/floor.sqlite"
  rm -f "$WORK/floor.sqlite-wal" "$WORK/floor.sqlite-shm"
  contacts=50000; [ "$batch" = 1 ] && contacts=3000
  "$WORK/store_floor" "$WORK/floor.sqlite" "$contacts" "$batch" "floor-$batch" | tee "$WORK/floor-$batch.json"
done
python3 - "$WORK" "$MEAN_BATCH" <<'PY'
import json, sys
work, mean = sys.argv[1], sys.argv[2]
gateway = json.load(open("/tmp/switchboard-bench-group-commit.json"))["ingest"]["rps"]
top = json.load(open(f"{work}/floor-64.json"))["contacts_per_s"]
if mean:
    floor = json.load(open(f"{work}/floor-{mean}.json"))["contacts_per_s"]
    print(f"storage floor at the gateway's mean batch ({mean}): {floor:.0f} contacts/s; gateway / floor = {gateway / floor:.2f}")
print(f"storage floor at 64 per transaction (the most 64 connections allow): {top:.0f} contacts/s")
PY
