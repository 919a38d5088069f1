#!/usr/bin/env bash
# The loopback SMTP relay of the outbound tests (scripts/smtp-relay.py on aiosmtpd).
#   smtp-relay.sh install           make the venv with aiosmtpd (once; needs PyPI)
#   smtp-relay.sh start PORT DIR [relay options]   start on 127.0.0.1:PORT storing mail in DIR (options:
#                                   --tls-cert C --tls-key K, --auth USER:PASSWORD); waits until it answers
#   smtp-relay.sh stop DIR          stop the relay started for DIR
set -euo pipefail
VENV="${SB_VENV:-/tmp/switchboard-venv}"
here="$(cd "$(dirname "$0")" && pwd)"
install() {
  "$VENV/bin/python" -c "import aiosmtpd" 2>/dev/null && return
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "aiosmtpd==1.4.6"
}
case "${1:-}" in
  install) install ;;
  start)
    port="${2:?port}"; dir="${3:?dir}"; shift 3
    install
    mkdir -p "$dir"
    nohup "$VENV/bin/python" "$here/smtp-relay.py" --port "$port" --dir "$dir" "$@" > "$dir/.relay.log" 2>&1 &
    echo $! > "$dir/.relay.pid"
    for _ in $(seq 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && exit 0
      sleep 0.1
    done
    echo "relay did not start:" >&2; cat "$dir/.relay.log" >&2; exit 1 ;;
  stop)
    dir="${2:?dir}"
    if [ -f "$dir/.relay.pid" ]; then
      pid=$(cat "$dir/.relay.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/.relay.pid"
    fi ;;
  *) echo "usage: smtp-relay.sh install | start PORT DIR | stop DIR" >&2; exit 2 ;;
esac
