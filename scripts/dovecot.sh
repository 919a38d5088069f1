#!/usr/bin/env bash
# Starts, stops or restarts a throwaway Dovecot IMAP server on loopback for the email tests and
# benchmark: plain + STARTTLS on 127.0.0.1:10143, implicit TLS on 127.0.0.1:10993, a test CA and
# certificate for localhost/127.0.0.1, users `agent`/`secret` and `bench`/`secret` with Maildirs.
# Usage: scripts/dovecot.sh start|stop|restart|wipe   (dir: $SB_DOVECOT_DIR, default /tmp/switchboard-dovecot)
set -euo pipefail
D="${SB_DOVECOT_DIR:-/tmp/switchboard-dovecot}"
PLAIN_PORT="${SB_DOVECOT_PORT:-10143}"
TLS_PORT="${SB_DOVECOT_TLS_PORT:-10993}"

need_dovecot() {
  if ! command -v dovecot >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "dovecot is not installed (apt-get install dovecot-imapd, as root)" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null; }
  fi
}

make_certificates() {
  bash "$(dirname "$0")/test-certs.sh" "$D/tls"
}

write_config() {
  mkdir -p "$D/run" "$D/state" "$D/mail"
  chown 65534:65534 "$D/mail"
  cat > "$D/users" <<USERS
agent:{PLAIN}secret:65534:65534::$D/mail/agent
bench:{PLAIN}secret:65534:65534::$D/mail/bench
USERS
  cat > "$D/dovecot.conf" <<CONF
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$D/tls/server.pem
ssl_key = <$D/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_max_userip_connections = 100
# A throwaway test server: no fsync per message (our side's durability is what is tested).
mail_fsync = never
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $D/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PLAIN_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $TLS_PORT
    ssl = yes
  }
}
protocol imap {
  imap_idle_notify_interval = 1 secs
}
CONF
}

stop() {
  # The master of this configuration, found by its command line (its pid file may be gone).
  pids="$(pgrep -f "dovecot -c $D/dovecot.conf" || true)"
  [ -n "$pids" ] && kill $pids 2>/dev/null || true
  for _ in $(seq 1 100); do pgrep -f "dovecot -c $D/dovecot.conf" >/dev/null || break; sleep 0.1; done
  pids="$(pgrep -f "dovecot -c $D/dovecot.conf" || true)"
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  # A master killed hard leaves its sockets behind; the next start needs them gone.
  rm -rf "$D/run" 2>/dev/null || true
}

start() {
  need_dovecot
  make_certificates
  stop
  write_config
  # Detached from our output: the daemon must not hold the caller's pipes open.
  dovecot -c "$D/dovecot.conf" </dev/null >"$D/start.log" 2>&1 || { cat "$D/start.log" >&2; exit 1; }
  for _ in $(seq 1 50); do
    (exec 3<>/dev/tcp/127.0.0.1/"$PLAIN_PORT") 2>/dev/null && { echo "dovecot listening on 127.0.0.1:$PLAIN_PORT and :$TLS_PORT ($D)"; return; }
    sleep 0.1
  done
  echo "dovecot did not start; see $D/dovecot.log" >&2
  exit 1
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  wipe) stop; rm -rf "$D/mail" "$D/state" ;;
  *) echo "usage: $0 start|stop|restart|wipe" >&2; exit 2 ;;
esac
