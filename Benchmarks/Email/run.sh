#!/usr/bin/env bash
# IMAP ingest benchmark: builds the release gateway, starts the loopback Dovecot, installs
# fetchmail if missing, and runs imap_bench.py (Switchboard vs fetchmail on the same mailbox).
# Usage: bash Benchmarks/Email/run.sh [--count 10000] [--batch 100] [--latency-samples 50]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product switchboard
bash scripts/dovecot.sh start
if ! command -v fetchmail >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fetchmail >/dev/null
fi
exec python3 Benchmarks/Email/imap_bench.py "$@"
