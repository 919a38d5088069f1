#!/usr/bin/env bash
# Inbound SMTP benchmark: the release gateway's SMTP listener (SQLite, synchronous=FULL: every
# 250 is a committed message) next to Postfix's own smtpd writing into its fsynced queue (the
# durable baseline; delivery deferred, so it only queues) and Postfix's smtp-sink (accepts and
# discards, no disk), on the same machine, loaded the same two ways:
#   1. Postfix's smtp-source, 16 concurrent sessions (C, so the client is not the bottleneck);
#   2. Python smtplib, 16 concurrent senders (the issue's yardstick), with per-message latency.
# Installs postfix (for smtp-sink/smtp-source) when missing; never starts the Postfix daemon.
# Usage: bash Benchmarks/Email/smtp.sh [messages, default 10000] [message bytes, default 4000]
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES="${1:-10000}"
SIZE="${2:-4000}"
OURS=12526
SINK=12527
POSTFIX=12528
swift build -c release --product switchboard >/dev/null
if ! command -v smtp-source >/dev/null 2>&1 && [ ! -x /usr/sbin/smtp-source ]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null; }
fi
PATH="$PATH:/usr/sbin"
work=$(mktemp -d /tmp/sb-smtp-bench.XXXXXX)
chmod 755 "$work"   # Postfix's daemons run as postfix and must reach their queue
cleanup() {
  [ -d "$work/postfix/etc" ] && postfix -c "$work/postfix/etc" stop >/dev/null 2>&1 || true
  [ -n "${gateway:-}" ] && kill "$gateway" 2>/dev/null || true
  [ -n "${sink:-}" ] && kill "$sink" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/switchboard.yaml" <<YAML
server: {port: 18090}
channels:
  - id: mail
    type: email
    addresses: [support@example.com]
    inbound: {listen: "127.0.0.1:$OURS", hostname: bench.test, maxConnections: 64}
YAML
start_gateway() {
  rm -rf "$work/data"
  SWITCHBOARD_DATA_DIR="$work/data" SWITCHBOARD_LOG_LEVEL=warning \
    .build/release/switchboard serve --config "$work/switchboard.yaml" > "$work/gateway.log" 2>&1 &
  gateway=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$OURS) 2>/dev/null && return; sleep 0.1; done
  echo "gateway did not start:"; cat "$work/gateway.log"; exit 1
}
stop_gateway() { kill "$gateway"; wait "$gateway" 2>/dev/null || true; gateway=; }
stored() { sqlite3 "$work/data/switchboard.sqlite" "SELECT COUNT(*) FROM messages"; }
now() { date +%s.%N; }

# Postfix's smtpd into its own queue: loopback only, no chroot, no local delivery, and every
# transport deferred, so each message is written (and fsynced by cleanup) to the queue and stays.
P="$work/postfix"
mkdir -p "$P/etc" "$P/spool" "$P/data"
chown postfix "$P/data"
cat > "$P/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $P/spool
data_directory = $P/data
maillog_file_prefixes = /tmp
maillog_file = $P/maillog
myhostname = bench.test
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:9
defer_transports = smtp relay
smtp_dns_support_level = disabled
default_process_limit = 64
CF
cat > "$P/etc/master.cf" <<CF
127.0.0.1:$POSTFIX inet n - n - 64 smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
CF
postfix -c "$P/etc" check >/dev/null 2>&1 || script -qc "postfix -c $P/etc check" /dev/null
postfix -c "$P/etc" start >/dev/null 2>&1 || { script -qc "postfix -c $P/etc start" /dev/null; exit 1; }
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$POSTFIX) 2>/dev/null && break; sleep 0.1; done
queued() { find "$P/spool/incoming" "$P/spool/active" "$P/spool/deferred" -type f 2>/dev/null | wc -l; }

smtp-sink -c -u nobody "127.0.0.1:$SINK" 256 > /dev/null 2>&1 &
sink=$!
sleep 0.5

# A message of about $SIZE bytes for smtplib (smtp-source makes its own, with -l).
python3 - "$work/message.eml" "$SIZE" <<'PY'
import sys
path, size = sys.argv[1], int(sys.argv[2])
head = "From: Customer <customer@example.net>\r\nTo: support@example.com\r\nSubject: Order 1042 did not arrive\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
line = "Hello, my parcel has not arrived yet; could you look into it please?\r\n"
body = line * max(1, (size - len(head)) // len(line))
open(path, "w", newline="").write(head + body)
PY

rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):.0f}')" "$1" "$2"; }

echo "== smtp-source, 16 sessions, $MESSAGES messages of $SIZE bytes"
start_gateway
t0=$(now); smtp-source -s 16 -m "$MESSAGES" -l "$SIZE" -f customer@example.net -t support@example.com "127.0.0.1:$OURS"; t1=$(now)
ours_seconds=$(python3 -c "print($t1 - $t0)")
ours_stored=$(stored)
stop_gateway
t0=$(now); smtp-source -s 16 -m "$MESSAGES" -l "$SIZE" -f customer@example.net -t support@example.com "127.0.0.1:$SINK"; t1=$(now)
sink_seconds=$(python3 -c "print($t1 - $t0)")
t0=$(now); smtp-source -s 16 -m "$MESSAGES" -l "$SIZE" -f customer@example.net -t support@example.com "127.0.0.1:$POSTFIX"; t1=$(now)
postfix_seconds=$(python3 -c "print($t1 - $t0)")
sleep 1
echo "switchboard: $ours_stored stored in ${ours_seconds}s = $(rate "$ours_stored" "$ours_seconds") msg/s (durable)"
echo "postfix:     $MESSAGES queued in ${postfix_seconds}s = $(rate "$MESSAGES" "$postfix_seconds") msg/s (durable; $(queued) files in its queue)"
echo "smtp-sink:   $MESSAGES accepted in ${sink_seconds}s = $(rate "$MESSAGES" "$sink_seconds") msg/s (discarded)"
echo "ratio switchboard / postfix: $(python3 -c "print(f'{$postfix_seconds / $ours_seconds:.2f}')")"
echo "ratio switchboard / smtp-sink: $(python3 -c "print(f'{$sink_seconds / $ours_seconds:.2f}')")"

echo "== smtplib, 16 senders, $MESSAGES messages"
start_gateway
ours_json=$(python3 scripts/smtp-tool.py bench --port "$OURS" --senders 16 --messages "$MESSAGES" --to support@example.com "$work/message.eml")
ours_stored=$(stored)
stop_gateway
sink_json=$(python3 scripts/smtp-tool.py bench --port "$SINK" --senders 16 --messages "$MESSAGES" --to support@example.com "$work/message.eml")
echo "switchboard: $ours_json stored=$ours_stored"
echo "smtp-sink:   $sink_json"
python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print(f\"ratio switchboard / smtp-sink: {a['per_second']/b['per_second']:.2f}\")" "$ours_json" "$sink_json"
