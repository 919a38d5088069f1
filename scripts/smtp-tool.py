#!/usr/bin/env python3
"""Drives Switchboard's SMTP/LMTP listener with Python's smtplib (a client no one here wrote).

  smtp-tool.py send  --port P [--lmtp] [--starttls --cafile CA] --sender A --to B [--to C] FILE...
      Sends each file (a raw RFC 5322 message) in one session. Prints one JSON line per file:
      {"file": F, "ok": true, "refused": {rcpt: [code, text]}} or {"file": F, "ok": false,
      "code": 451, "text": "..."}; exit status 0 either way (the caller asserts on the answers).
  smtp-tool.py raw   --port P [--close-after-send] [--pause S] CHUNK...
      Writes the chunks (\\r\\n escapes understood) one after the other in a single write each,
      then prints every reply line until the server closes or 60 s of silence (a loaded test
      machine can take seconds to commit; every test script ends with QUIT or a server close).
  smtp-tool.py bench --port P --senders N --messages M --sender A --to B FILE
      N concurrent smtplib sessions sending M messages in all (each a copy of FILE with its own
      Message-ID); prints {"messages", "seconds", "per_second", "p50_ms", "p99_ms"}. With
      --acked F, the Message-ID of every message answered 250 is appended to F as it happens;
      with --kill-pid PID --kill-after K, PID gets SIGKILL right after the K-th 250 (crash tests).
  smtp-tool.py reply --to A --sender B --in-reply-to ID --subject S --body T OUT
      Writes a customer's reply built with the email package (In-Reply-To/References set).
"""
import argparse
import json
import os
import signal
import smtplib
import socket
import ssl
import sys
import threading
import time
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone


def connect(args):
    cls = smtplib.LMTP if args.lmtp else smtplib.SMTP
    client = cls(args.host, args.port, timeout=30)
    client.ehlo("client.test")
    if args.starttls:
        context = ssl.create_default_context(cafile=args.cafile)
        client.starttls(context=context)
        client.ehlo("client.test")
    return client


def send(args):
    try:
        client = connect(args)
    except Exception as error:  # report, do not crash: the caller asserts on it
        print(json.dumps({"file": None, "ok": False, "error": type(error).__name__, "text": str(error)}))
        return
    for path in args.files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            refused = client.sendmail(args.sender, args.to, data)
            print(json.dumps({"file": path, "ok": True, "refused": {k: [v[0], v[1].decode()] for k, v in refused.items()}}))
        except smtplib.SMTPRecipientsRefused as error:
            answers = {k: [v[0], v[1].decode()] for k, v in error.recipients.items()}
            print(json.dumps({"file": path, "ok": False, "error": "SMTPRecipientsRefused", "refused": answers}))
            client.rset()
        except smtplib.SMTPResponseException as error:
            print(json.dumps({"file": path, "ok": False, "error": type(error).__name__, "code": error.smtp_code,
                              "text": error.smtp_error.decode(errors="replace")}))
            try:
                client.rset()
            except Exception:
                break
        except Exception as error:
            print(json.dumps({"file": path, "ok": False, "error": type(error).__name__, "text": str(error)}))
            break
    try:
        client.quit()
    except Exception:
        pass


def raw(args):
    sock = socket.create_connection((args.host, args.port), timeout=60)
    received = b""
    try:
        received += sock.recv(65536)  # greeting
        for chunk in args.chunks:
            try:
                sock.sendall(chunk.encode().decode("unicode_escape").encode("latin-1"))
            except (BrokenPipeError, ConnectionResetError):
                break  # the server closed on us (a refusal): report what it said
            if args.pause:
                time.sleep(args.pause)
        if args.close_after_send:
            sock.close()
            print(received.decode(errors="replace"), end="")
            return
        while True:
            try:
                data = sock.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not data:
                break
            received += data
    finally:
        try:
            sock.close()
        except Exception:
            pass
    print(received.decode(errors="replace"), end="")


def bench(args):
    with open(args.files[0], "rb") as handle:
        template = handle.read()
    header_end = template.find(b"\r\n\r\n")
    latencies = []
    acked = open(args.acked, "a") if args.acked else None
    lock = threading.Lock()
    counter = [0]
    errors = []

    def worker():
        try:
            client = connect(args)
        except Exception as error:
            errors.append(str(error))
            return
        while True:
            with lock:
                if counter[0] >= args.messages:
                    break
                counter[0] += 1
                number = counter[0]
            message_id = "<bench.%d.%s@client.test>" % (number, uuid.uuid4().hex[:12])
            data = b"Message-ID: " + message_id.encode() + b"\r\n" + template
            started = time.perf_counter()
            try:
                client.sendmail(args.sender, args.to, data)
            except Exception as error:
                errors.append(str(error))
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if acked is not None:
                    acked.write(message_id + "\n")
                    acked.flush()
                if args.kill_pid and len(latencies) == args.kill_after:
                    os.kill(args.kill_pid, signal.SIGKILL)
        try:
            client.quit()
        except Exception:
            pass

    threads = [threading.Thread(target=worker) for _ in range(args.senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()

    def percentile(p):
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 2)

    print(json.dumps({"messages": len(latencies), "errors": len(errors), "first_error": errors[0] if errors else None,
                      "seconds": round(seconds, 3), "per_second": round(len(latencies) / seconds, 1),
                      "p50_ms": percentile(0.5), "p99_ms": percentile(0.99)}))
    _ = header_end


def reply(args):
    message = EmailMessage()
    message["From"] = args.sender
    message["To"] = args.to[0]
    message["Subject"] = args.subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain="customer.test")
    message["In-Reply-To"] = args.in_reply_to
    message["References"] = args.in_reply_to
    message.set_content(args.body)
    with open(args.files[0], "wb") as handle:
        handle.write(bytes(message))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["send", "raw", "bench", "reply"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--lmtp", action="store_true")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--cafile")
    parser.add_argument("--sender", default="customer@example.net")
    parser.add_argument("--to", action="append", default=[])
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--close-after-send", action="store_true")
    parser.add_argument("--pause", type=float, default=0)
    parser.add_argument("--acked", help="bench: append the Message-ID of every message answered 250 to this file")
    parser.add_argument("--kill-pid", type=int, help="bench: SIGKILL this process (the server) after --kill-after acknowledgements")
    parser.add_argument("--kill-after", type=int, default=0)
    parser.add_argument("--in-reply-to")
    parser.add_argument("--subject", default="Re: your message")
    parser.add_argument("--body", default="Thanks!")
    parser.add_argument("files", nargs="*")
    args, rest = parser.parse_known_args()
    args.files = args.files + rest
    if args.mode == "raw":
        args.chunks = args.files
        raw(args)
    elif args.mode == "send":
        send(args)
    elif args.mode == "bench":
        bench(args)
    else:
        reply(args)


if __name__ == "__main__":
    sys.exit(main())
