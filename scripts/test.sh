#!/usr/bin/env bash
# Runs the whole test suite: builds the gateway executable (the crash tests run it as a child
# process), then every test target. Needs nothing installed beyond the Swift toolchain and the
# system libraries named in the README; later channels' test servers are started from here.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--skip-deps" ]; then
  bash scripts/install-deps.sh
fi

echo "== building switchboard (debug)"
swift build --product switchboard
echo "== building tests"
swift build --build-tests
echo "== running tests"
# The email tests start a loopback Dovecot when none answers, and SMTP relays (aiosmtpd) of their
# own; stop whatever is left when we are done.
trap 'bash scripts/dovecot.sh stop >/dev/null 2>&1 || true; pkill -f scripts/smtp-relay.py >/dev/null 2>&1 || true' EXIT
swift test --skip-build 2>&1 | tee .build/test-output.log
