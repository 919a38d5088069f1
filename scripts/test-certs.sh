#!/usr/bin/env bash
# Makes the test TLS material in DIR (once): a test CA (ca.pem), a server certificate for
# localhost / 127.0.0.1 signed by it (server.pem, server.key), and a CA nobody trusts (other.pem)
# for verification-failure tests. Used by the Dovecot and SMTP tests; loopback only.
set -euo pipefail
D="${1:?usage: test-certs.sh DIR}"
[ -f "$D/server.pem" ] && exit 0
mkdir -p "$D"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Switchboard Test CA" \
  -keyout "$D/ca.key" -out "$D/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$D/server.key" -out "$D/server.csr" >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$D/ext.cnf"
openssl x509 -req -in "$D/server.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -CAcreateserial \
  -days 3650 -extfile "$D/ext.cnf" -out "$D/server.pem.tmp" >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Untrusted CA" \
  -keyout "$D/other.key" -out "$D/other.pem" >/dev/null 2>&1
chmod 600 "$D/"*.key
# Last, so a half-made directory is made again next time.
mv "$D/server.pem.tmp" "$D/server.pem"
