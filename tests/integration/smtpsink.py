"""An SMTP server for tests: accepts every message on 127.0.0.1 and keeps
each one as a file (new/NNNNNN.eml, envelope in X-MailFrom / X-RcptTo
headers put in front), like aiosmtpd's Mailbox handler.

The test side (any python) starts it as a subprocess of Debian's python,
which has aiosmtpd:

    sink = Sink(work)          # picks a free port
    sink.start()
    ... sink.messages() -> [Received]
    sink.stop(); sink.start()  # server down, then up again on the same port
    sink.set_delay(5)          # DATA: store, then wait 5 s before the 250

Run as a program (`/usr/bin/python3 smtpsink.py DIR PORT`) it is the server.
In DIR: `delay` (seconds, read at each DATA; absent or 0: no delay),
`events.log` (one line per connection, DATA start, message stored), `ready`
(written once listening)."""
import os
import signal
import socket
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser

SERVER_PYTHON = "/usr/bin/python3"


# ---- the server (runs under SERVER_PYTHON) ------------------------------------

def _serve(directory, port):
    import asyncio
    import itertools

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    new = os.path.join(directory, "new")
    tmp = os.path.join(directory, "tmp")
    os.makedirs(new, exist_ok=True)
    os.makedirs(tmp, exist_ok=True)

    def log(line):
        with open(os.path.join(directory, "events.log"), "a") as f:
            f.write("%.3f %s\n" % (time.time(), line))

    def delay():
        try:
            with open(os.path.join(directory, "delay")) as f:
                return float(f.read().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0.0

    seq = itertools.count(1)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            log("data-start %s" % ",".join(envelope.rcpt_tos))
            head = "X-MailFrom: %s\r\nX-RcptTo: %s\r\nX-Peer: %s\r\n" % (
                envelope.mail_from, ", ".join(envelope.rcpt_tos), session.peer[0])
            data = head.encode() + (envelope.original_content or envelope.content)
            name = "%.6f.%04d.eml" % (time.time(), next(seq))
            # a message counts as received once it is stored: the worst case
            # for a client killed while waiting for the 250 is a stored copy
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
            os.rename(os.path.join(tmp, name), os.path.join(new, name))
            log("stored %s" % name)
            d = delay()
            if d > 0:
                log("delaying %.1f" % d)
                await asyncio.sleep(d)
            return "250 OK stored as %s" % name

    class Logged(SMTP):
        def connection_made(self, transport):
            log("connect")
            super().connection_made(transport)

    # DIR/cert.pem + DIR/key.pem: STARTTLS offered and required;
    # DIR/auth "user:password": AUTH required (after STARTTLS)
    tls = None
    if os.path.exists(os.path.join(directory, "cert.pem")):
        import ssl
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem"))
    auth = None
    if os.path.exists(os.path.join(directory, "auth")):
        from aiosmtpd.smtp import AuthResult
        with open(os.path.join(directory, "auth")) as f:
            want_user, want_password = f.read().strip().split(":", 1)

        def auth(server, session, envelope, mechanism, data):
            ok = data.login.decode() == want_user and data.password.decode() == want_password
            log("auth %s" % ("ok" if ok else "denied"))
            # handled=False: aiosmtpd answers 535, else curl waits forever
            return AuthResult(success=ok, handled=False)

    class Ctl(Controller):
        def factory(self):
            return Logged(self.handler, enable_SMTPUTF8=True, hostname="sink.test", tls_context=tls,
                          require_starttls=tls is not None, authenticator=auth, auth_required=auth is not None,
                          auth_require_tls=tls is not None)

    ctl = Ctl(Handler(), hostname="127.0.0.1", port=port)
    ctl.start()
    with open(os.path.join(directory, "ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    done = []
    signal.signal(signal.SIGTERM, lambda *_: done.append(1))
    signal.signal(signal.SIGINT, lambda *_: done.append(1))
    while not done:
        time.sleep(0.1)
    ctl.stop()


# ---- the test side ----------------------------------------------------------------

def available():
    """None when the sink can run here, else why not."""
    if not os.path.exists(SERVER_PYTHON):
        return "%s missing" % SERVER_PYTHON
    p = subprocess.run([SERVER_PYTHON, "-c", "import aiosmtpd"], capture_output=True)
    if p.returncode != 0:
        return "aiosmtpd not installed for %s (python3-aiosmtpd)" % SERVER_PYTHON
    return None


class Received:
    """One message at the sink."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.raw = f.read()
        self.msg = BytesParser(policy=policy.default).parsebytes(self.raw)
        self.mail_from = str(self.msg.get("X-MailFrom", ""))
        self.rcpt_tos = [a.strip() for a in str(self.msg.get("X-RcptTo", "")).split(",") if a.strip()]
        # the message as the client sent it, without the sink's envelope lines
        self.data = self.raw.split(b"\r\n", 3)[3] if self.raw.startswith(b"X-MailFrom:") else self.raw

    def header(self, name):
        v = self.msg.get(name)
        return None if v is None else str(v)

    def headers(self, name):
        """Every occurrence of a header in the message as sent."""
        sent = BytesParser(policy=policy.compat32).parsebytes(self.data, headersonly=True)
        return sent.get_all(name) or []

    @property
    def body(self):
        part = self.msg.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def __repr__(self):
        return "<%s to %s: %s>" % (os.path.basename(self.path), ",".join(self.rcpt_tos), self.header("Subject"))


class Sink:
    def __init__(self, work, name="smtp"):
        self.dir = os.path.join(work.path, name)
        os.makedirs(os.path.join(self.dir, "new"), exist_ok=True)
        self.port = _free_port()
        self.proc = None

    def start(self, timeout=20):
        ready = os.path.join(self.dir, "ready")
        if os.path.exists(ready):
            os.unlink(ready)
        self.errf = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen([SERVER_PYTHON, os.path.abspath(__file__), self.dir, str(self.port)],
                                     stdin=subprocess.DEVNULL, stdout=self.errf, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("SMTP sink did not start:\n" + self.server_log()[-2000:])
            time.sleep(0.05)

    def stop(self):
        """The server goes away: connections to the port are refused."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.errf.close()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def set_delay(self, seconds):
        with open(os.path.join(self.dir, "delay"), "w") as f:
            f.write("%g\n" % seconds)

    def messages(self):
        new = os.path.join(self.dir, "new")
        return [Received(os.path.join(new, n)) for n in sorted(os.listdir(new)) if n.endswith(".eml")]

    def count(self):
        return len([n for n in os.listdir(os.path.join(self.dir, "new")) if n.endswith(".eml")])

    def events(self):
        try:
            with open(os.path.join(self.dir, "events.log")) as f:
                return [line.split(" ", 1)[1].strip() for line in f]
        except FileNotFoundError:
            return []

    def server_log(self):
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write("usage: smtpsink.py DIR PORT\n")
        sys.exit(2)
    _serve(sys.argv[1], int(sys.argv[2]))
