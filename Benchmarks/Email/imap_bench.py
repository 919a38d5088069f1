#!/usr/bin/env python3
"""IMAP ingest benchmark: Switchboard against fetchmail on the same Dovecot mailbox.

Run through Benchmarks/Email/run.sh (it builds the release binary and starts Dovecot). Steps:
1. fill a fresh folder of the `bench` account with N messages cycled from the MIME corpus
   (each with its own Message-ID);
2. start `switchboard serve` (release, SQLite, synchronous=full) with an email channel on that
   folder; time from process start until all N are durably stored (messages + recorded noise);
3. latency: append messages one at a time while the channel sits in IDLE; time from the APPEND's
   OK to the message being committed (p50/p99/max);
4. baseline: fetchmail fetches the same folder (--all --keep, no TLS, like our side) into an MDA
   that only writes each message to a file; time until it exits.
Prints one line per figure and the ratio. Loopback only.
"""
import argparse, imaplib, os, shutil, signal, sqlite3, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(ROOT, "Tests/SwitchboardMIMETests/Fixtures/corpus")
HOST, PORT, USER, PASSWORD = "127.0.0.1", 10143, "bench", "secret"


def stored(db):
    if not os.path.exists(db):
        return 0
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        try:
            return con.execute(
                "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM recorded_contacts)").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def has_message(db, external_id):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
    try:
        return con.execute("SELECT 1 FROM messages WHERE external_id = ?", (external_id,)).fetchone() is not None
    finally:
        con.close()


def run_switchboard(binary, folder, n, batch, latency_samples):
    data = tempfile.mkdtemp(prefix="sb-imap-bench-")
    db = os.path.join(data, "switchboard.sqlite")
    config = os.path.join(data, "switchboard.yaml")
    with open(config, "w") as f:
        f.write("""server:
  port: 0
storage:
  dataDir: %s
  synchronous: full
channels:
  - id: mail
    type: email
    addresses: [support@example.com]
    host: %s
    port: %d
    tls: none
    username: %s
    password: %s
    folders: ["%s"]
    fetchBatchSize: %d
""" % (data, HOST, PORT, USER, PASSWORD, folder, batch))
    env = dict(os.environ, SWITCHBOARD_LOG_LEVEL="warning", SWITCHBOARD_ADMIN_TOKEN="bench-admin-token-0123456789")
    env.pop("SWITCHBOARD_CONFIG", None)
    log = open(os.path.join(data, "gateway.log"), "w")
    started = time.monotonic()
    process = subprocess.Popen([binary, "serve", "--config", config], env=env, stdout=log, stderr=log)
    first = None
    try:
        while True:
            count = stored(db)
            now = time.monotonic()
            if count and first is None:
                first = now
            if count >= n:
                break
            if process.poll() is not None:
                sys.exit("switchboard exited early; see %s" % log.name)
            if now - started > 600:
                sys.exit("switchboard did not store %d messages in 600 s (%d stored)" % (n, count))
            time.sleep(0.02)
        done = time.monotonic()
        latencies = []
        client = imaplib.IMAP4(HOST, PORT)
        client.login(USER, PASSWORD)
        time.sleep(1.0)  # the channel is idling now
        for i in range(latency_samples):
            message_id = "<latency-%d-%d@switchboard.test>" % (i, int(time.time() * 1000))
            raw = ("From: Customer <c%d@example.net>\r\nTo: support@example.com\r\nSubject: latency %d\r\n"
                   "Message-ID: %s\r\n\r\nHello %d\r\n" % (i, i, message_id, i)).encode()
            client.append('"%s"' % folder, None, None, raw)
            appended = time.monotonic()
            while not has_message(db, message_id):
                if time.monotonic() - appended > 30:
                    sys.exit("message %s not stored within 30 s" % message_id)
                time.sleep(0.002)
            latencies.append(time.monotonic() - appended)
            time.sleep(0.05)
        client.logout()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data, ignore_errors=True)
    return done - started, done - (first or started), latencies


def run_fetchmail(folder, n):
    work = tempfile.mkdtemp(prefix="sb-fetchmail-")
    out = os.path.join(work, "messages")
    os.mkdir(out)
    rc = os.path.join(work, "fetchmailrc")
    with open(rc, "w") as f:
        f.write("""set no syslog
poll %s service %d protocol IMAP auth password
  user "%s" there with password "%s" is root here
  folder "%s" sslproto '' keep fetchall
  mda "cat > %s/m.$$"
""" % (HOST, PORT, USER, PASSWORD, folder, out))
    os.chmod(rc, 0o600)
    env = dict(os.environ, HOME=work, FETCHMAILHOME=work)
    started = time.monotonic()
    result = subprocess.run(["fetchmail", "-f", rc, "--nodetach", "--silent"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - started
    written = len(os.listdir(out))
    shutil.rmtree(work, ignore_errors=True)
    if result.returncode not in (0, 1) or written < n:
        sys.exit("fetchmail failed (%d, %d of %d written): %s" % (result.returncode, written, n, result.stdout.decode()[-2000:]))
    return elapsed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build/release/switchboard"))
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--latency-samples", type=int, default=50)
    a = p.parse_args()
    folder = "bench-%d" % int(time.time())
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts/imap-tool.py"), "fill", "--user", USER, "--password",
                    PASSWORD, "--folder", folder, "--count", str(a.count), CORPUS], check=True, stdout=subprocess.DEVNULL)
    print("mailbox: %d messages from the %s corpus in %s@127.0.0.1:%d/%s" % (a.count, os.path.basename(CORPUS), USER, PORT, folder))
    wall, active, latencies = run_switchboard(a.binary, folder, a.count, a.batch, a.latency_samples)
    fetchmail = run_fetchmail(folder, a.count)
    ours = a.count / wall
    theirs = a.count / fetchmail
    latencies.sort()
    q = lambda f: latencies[min(len(latencies) - 1, int(f * len(latencies)))] * 1000
    print("switchboard IMAP ingest (parse + durable commit): %8.0f msg/s  (%.2f s wall from process start; %.0f msg/s from first commit)"
          % (ours, wall, a.count / active if active > 0 else 0))
    print("fetchmail -> file MDA (baseline):                  %8.0f msg/s  (%.2f s)" % (theirs, fetchmail))
    print("ratio switchboard / fetchmail:                     %8.1fx" % (ours / theirs))
    print("IDLE delivery latency, APPEND OK -> committed (%d samples): p50 %.1f ms, p99 %.1f ms, max %.1f ms"
          % (len(latencies), q(0.5), q(0.99), latencies[-1] * 1000))


main()
