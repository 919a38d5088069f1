#!/usr/bin/env bash
# Durable WeChat safe-mode pushes vs. durable web chat ingest of the same build, in one run.
#
#   bash Benchmarks/wechat.sh                      # 64 connections, 10 s per measurement
#   SECONDS_PER_RUN=20 CONNECTIONS=64 bash Benchmarks/wechat.sh
#
# Everything it needs is in the repository or in Debian's packages: the release gateway, the
# request writer (Benchmarks/PushRequests, target switchboard-bench-requests, which signs and
# encrypts with the adapters' own code), wrk (installed from Debian's packages when missing) with
# Benchmarks/wrk-replay.lua, and sqlite3. Load goes to 127.0.0.1 only.
#
# For each scenario a fresh gateway (release, synchronous=FULL) starts on an empty data directory
# with a web chat and a WeChat channel (safe mode), and wrk replays unique pre-signed requests:
#   webchat   signed JSON to POST /channels/web/messages (the baseline)
#   wechat    safe-mode pushes to POST /channels/wx/wechat: signature and msg_signature checked,
#             AES-256-CBC decrypted, XML read, committed, then answered "success"
# Every answer is sent after the durable commit. Prints throughput, answer-time p50/p99, the ratio,
# and how many messages were stored for the requests answered.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-64}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
THREADS=2
PORT=${PORT:-18490}
SECRET=bench-secret-0123456789abcdef
TOKEN=BenchToken2026
KEY=kF8sQ2vLx4Tn7Wp1Zc9Rb3Hd6Jm0Ye5Ua2Gi8Ko4Nq7
APPID=wx5c2e8f1a9b3d7e60
WORK=$(mktemp -d /tmp/switchboard-wechat-bench.XXXXXX)
trap 'kill "$(cat "$WORK/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if ! command -v wrk >/dev/null || ! command -v sqlite3 >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk sqlite3 >/dev/null
fi
echo "== building release"
swift build -c release --product switchboard 2>&1 | tail -1
swift build -c release --product switchboard-bench-requests 2>&1 | tail -1
BIN=$(swift build -c release --show-bin-path)
COUNT=$(( SECONDS_PER_RUN * 12000 + 20000 ))

run_scenario() {
  local name=$1
  local data="$WORK/data-$name"
  cat > "$WORK/$name.yaml" <<YAML
server: {host: 127.0.0.1, port: $PORT}
storage: {dataDir: $data, synchronous: full}
logging: {level: warning}
channels:
  - {id: web, type: webchat, secret: $SECRET}
  - {id: wx, type: wechat, token: $TOKEN, encodingAESKey: $KEY, appID: $APPID}
YAML
  "$BIN/switchboard" serve --config "$WORK/$name.yaml" > "$WORK/$name.log" 2>&1 &
  echo $! > "$WORK/pid"
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  if [ "$name" = webchat ]; then
    "$BIN/switchboard-bench-requests" webchat "$COUNT" "$WORK/requests" "bench-" "$SECRET" web
  else
    "$BIN/switchboard-bench-requests" wechat "$COUNT" "$WORK/requests" "9" "$TOKEN" "$KEY" "$APPID" wx
  fi
  wrk -t 2 -c "$CONNECTIONS" -d 2 "http://127.0.0.1:$PORT/healthz" > /dev/null   # warm-up
  local result
  result=$(REQUESTS="$WORK/requests" WRK_THREADS=$THREADS wrk -t $THREADS -c "$CONNECTIONS" -d "$SECONDS_PER_RUN" \
    --timeout 10s -s Benchmarks/wrk-replay.lua "http://127.0.0.1:$PORT" | tail -1)
  kill -TERM "$(cat "$WORK/pid")"; wait "$(cat "$WORK/pid")" 2>/dev/null || true
  local stored
  stored=$(sqlite3 "$data/switchboard.sqlite" "SELECT COUNT(*) FROM messages")
  echo "$name $result stored=$stored"
  python3 - "$name" "$result" "$stored" <<'PY'
import json, sys
name, result, stored = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
answered = result["requests"] - result["non2xx"]
print(f"{name}: {result['rps']:.0f} durable contacts/s (answer p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
      f"max {result['max_ms']:.0f} ms; non-2xx {result['non2xx']}, socket errors {result['socket_errors']})")
print(f"{name}: {stored} messages stored for {answered} answered 2xx" + (" — REQUESTS RAN OUT, raise COUNT" if result["replayed"] else ""))
json.dump(result, open(f"/tmp/switchboard-wechat-bench-{name}.json", "w"))
PY
  rm -f "$WORK/requests"
}

run_scenario webchat
run_scenario wechat
python3 - <<'PY'
import json
web = json.load(open("/tmp/switchboard-wechat-bench-webchat.json"))
wx = json.load(open("/tmp/switchboard-wechat-bench-wechat.json"))
print(f"WeChat safe mode / web chat = {wx['rps'] / web['rps']:.2f}x (target >= 0.8x, p99 < 1000 ms: {wx['p99_ms']:.0f} ms)")
PY
