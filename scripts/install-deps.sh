#!/usr/bin/env bash
# Installs the system packages the build and the tests need, when they are missing (Debian).
# SQLite and OpenSSL headers for the build; curl and openssl for the README quick start;
# Dovecot and Python (imaplib, smtplib, aiosmtpd in a venv) for the email integration tests.
set -euo pipefail
needed=()
for package in libsqlite3-dev libssl-dev curl openssl dovecot-imapd; do
  dpkg -s "$package" >/dev/null 2>&1 || needed+=("$package")
done
if [ ${#needed[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${needed[*]} (run as root, or install them: apt-get install ${needed[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed by the email tests (apt-get install python3)" >&2; exit 1; }
# The outbound-mail tests send through a loopback aiosmtpd relay, installed into a venv from PyPI.
bash "$(dirname "$0")/smtp-relay.sh" install
