#!/usr/bin/env python3
"""Mailbox chores for the email tests and benchmark, through Python's imaplib (a real IMAP client
we did not write). Loopback only.

  imap-tool.py append  --folder F FILE...            append raw messages (a directory: every file in it)
  imap-tool.py fill    --folder F --count N DIR      append N messages cycling through DIR, each with a
                                                     fresh Message-ID (for the benchmark)
  imap-tool.py recreate --folder F                   delete and create F again (a new UIDVALIDITY)
  imap-tool.py status  --folder F                    print "messages uidvalidity unseen" of F
Common: --host 127.0.0.1 --port 10143 --user agent --password secret
"""
import argparse, imaplib, os, re, sys, time

def connect(a):
    if a.host not in ("127.0.0.1", "::1", "localhost"):
        sys.exit("loopback hosts only")
    c = imaplib.IMAP4(a.host, a.port)
    c.login(a.user, a.password)
    return c

def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                full = os.path.join(p, name)
                if os.path.isfile(full) and not name.endswith((".json", ".md", ".py")):
                    yield full
        else:
            yield p

def append_all(c, folder, messages):
    """APPENDs with LITERAL+ (no round trip per literal), pipelined in windows of 64 commands:
    imaplib's own append waits for a continuation per message, which costs a delayed ACK each."""
    pending = []
    def drain(upto):
        while len(pending) > upto:
            tag = pending.pop(0)
            while True:
                line = c.readline()
                if not line:
                    sys.exit("connection closed during APPEND")
                if line.startswith(tag + b" "):
                    if not line.startswith(tag + b" OK"):
                        sys.exit("APPEND failed: %r" % line)
                    break
    quoted = '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
    for raw in messages:
        tag = c._new_tag()
        c.send(tag + b" APPEND " + quoted.encode() + b" {%d+}\r\n" % len(raw) + raw + b"\r\n")
        pending.append(tag)
        drain(64)
    drain(0)

def ensure(c, folder):
    if folder.upper() != "INBOX":
        c.create(folder)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("command")
    p.add_argument("paths", nargs="*")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=10143)
    p.add_argument("--user", default="agent")
    p.add_argument("--password", default="secret")
    p.add_argument("--folder", default="INBOX")
    p.add_argument("--count", type=int, default=0)
    a = p.parse_intermixed_args()
    c = connect(a)
    if a.command == "append":
        ensure(c, a.folder)
        messages = [open(f, "rb").read() for f in files(a.paths)]
        append_all(c, a.folder, messages)
        print(len(messages))
    elif a.command == "fill":
        ensure(c, a.folder)
        sources = [open(f, "rb").read() for f in files(a.paths)]
        pattern = re.compile(rb"^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n", re.I | re.M)
        started = time.time()
        def generated():
            for i in range(a.count):
                body = pattern.sub(b"", sources[i % len(sources)], count=1)
                yield b"Message-ID: <bench-%d-%d@switchboard.test>\r\n" % (i, int(started)) + body
        append_all(c, a.folder, generated())
        print(a.count)
    elif a.command == "recreate":
        c.select("INBOX")
        c.delete(a.folder)
        typ, data = c.create(a.folder)
        if typ != "OK":
            sys.exit("CREATE failed: %s" % data)
    elif a.command == "status":
        typ, data = c.status(a.folder, "(MESSAGES UIDVALIDITY UNSEEN)")
        if typ != "OK":
            sys.exit("STATUS failed: %s" % data)
        m = re.search(rb"MESSAGES (\d+) UIDVALIDITY (\d+) UNSEEN (\d+)", data[0])
        print(m.group(1).decode(), m.group(2).decode(), m.group(3).decode())
    else:
        sys.exit("unknown command " + a.command)
    c.logout()

main()
