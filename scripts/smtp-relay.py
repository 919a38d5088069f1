#!/usr/bin/env python3
"""A loopback SMTP relay for the outbound tests, on aiosmtpd (a real SMTP server no one here
wrote). Stores each accepted message as DIR/<n>.eml with X-Envelope-From/X-Envelope-To
prepended; refuses recipients whose local part starts with "reject" (550 5.1.1) and defers
those starting with "defer" (451 4.3.0).

  smtp-relay.py --port P --dir DIR [--tls-cert C --tls-key K] [--auth USER:PASSWORD]

With --tls-cert/--tls-key it offers STARTTLS and requires it; with --auth it requires AUTH
(PLAIN or LOGIN) with those credentials before MAIL.
"""
import argparse
import asyncio
import os
import signal
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Relay:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("defer"):
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = "%06d-%d.eml" % (self.count, os.getpid())
        head = "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (envelope.mail_from, ",".join(envelope.rcpt_tos))
        temporary = os.path.join(self.directory, "." + name)
        with open(temporary, "wb") as handle:
            handle.write(head.encode() + envelope.original_content)
        os.rename(temporary, os.path.join(self.directory, name))
        return "250 2.0.0 queued as %s" % name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth", help="USER:PASSWORD required before MAIL")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    options = {}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.tls_cert))
    controller = Controller(Relay(args.dir), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
