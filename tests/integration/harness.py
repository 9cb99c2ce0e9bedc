"""Test harness: a private PostgreSQL, the daemon, and TAP output.

Every integration test starts what it needs itself, on a unix socket in a
temporary directory: a PostgreSQL cluster of its own (tools/pg.sh) and
referrald with a configuration written for the test.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib

SRC = os.environ.get("RD_SOURCE_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("RD_BUILD_ROOT", os.path.join(SRC, "build"))
REFERRALD = os.path.join(BUILD, "daemon", "referrald")
REFERRALCTL = os.path.join(BUILD, "daemon", "referralctl")
PG_SH = os.path.join(SRC, "tools", "pg.sh")


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if not cond:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc), flush=True)
            if detail:
                for line in str(detail).splitlines()[-30:]:
                    print("# " + line, flush=True)
        else:
            print("ok %d - %s" % (self.n, desc), flush=True)
        return cond

    def skip(self, desc, why):
        """A check that cannot run here (its inputs are absent): a TAP skip."""
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, why), flush=True)

    def skip_all(self, why):
        print("1..0 # SKIP " + why, flush=True)
        sys.exit(77)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    return pred()


def _exception_in_flight():
    """In a finally block: an exception other than SystemExit is passing."""
    kind = sys.exc_info()[0]
    return kind is not None and not issubclass(kind, SystemExit)


class Workdir:
    """A temporary directory the postgres user can reach (0755)."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix="rd-%s-" % name, dir="/tmp")
        os.chmod(self.path, 0o755)

    def sub(self, *parts):
        p = os.path.join(self.path, *parts)
        os.makedirs(p, exist_ok=True)
        return p

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)

    def close(self, tap, *stops, failed_before=0, label=""):
        """Run each stop (servers, the daemon's process group); keep the
        directory for a look when a check failed since failed_before or the
        test is ending on an exception (called from a finally block)."""
        crashed = _exception_in_flight()
        for stop in stops:
            stop()
        if tap.failed == failed_before and not crashed and not os.environ.get("RD_KEEP_WORK"):
            self.cleanup()
        else:
            print("# %swork directory kept: %s" % (label, self.path))

    def finish(self, tap, *stops):
        """End a test from its finally block: close, then print the plan and
        exit; an exception on its way out is left to end the test as an
        error instead."""
        self.close(tap, *stops)
        if not _exception_in_flight():
            tap.done()


class Postgres:
    def __init__(self, work):
        if shutil.which("runuser") is None and os.geteuid() == 0:
            raise RuntimeError("runuser missing")
        self.dir = os.path.join(work.path, "pg")
        self.port = free_port()
        self.conninfo = None
        self.start()
        subprocess.run(["createdb", "-h", self.sockdir, "-p", str(self.port), "-U", "postgres", "referrals"],
                       check=True)
        self.dsn = "%s dbname=referrals" % self.conninfo

    @property
    def sockdir(self):
        return os.path.join(self.dir, "sock")

    def start(self):
        out = subprocess.run([PG_SH, "start", self.dir, str(self.port)], check=True, capture_output=True, text=True)
        self.conninfo = out.stdout.strip()

    def stop(self):
        subprocess.run([PG_SH, "stop", self.dir], check=False, capture_output=True)

    def query(self, sql):
        out = subprocess.run(["psql", self.dsn, "-AtqX", "-F", "\t", "-c", sql], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("psql: " + out.stderr.strip())
        return [line.split("\t") for line in out.stdout.splitlines() if line != ""]

    def scalar(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows else None


class Daemon:
    def __init__(self, work, pg, **overrides):
        self.work = work
        self.pg = pg
        self.inbox = work.sub("inbox")
        self.processed = os.path.join(work.path, "processed")
        self.quarantine = os.path.join(work.path, "quarantine")
        self.config = os.path.join(work.path, "referrald.conf")
        self.log = os.path.join(work.path, "referrald.log")
        self.proc = None
        self.env_extra = {}
        self.prefix = []  # a command the daemon runs under (setpriv ...)
        groups = {
            # referralctl connects as the person running it; the tests run as
            # root, which has no role of its own: it logs in as postgres
            "database": {"conninfo": pg.dsn if pg else "host=/nonexistent dbname=x",
                         "staff-conninfo": pg.dsn if pg else None},
            "dropdir": {"path": self.inbox, "processed": self.processed, "quarantine": self.quarantine,
                        "settle-time": "1", "rescan-interval": "2"},
            "workers": {"count": "2", "poll-interval": "1", "retry-backoff": "0", "max-attempts": "3"},
        }
        for key, value in overrides.items():
            group, name = key.split("__", 1)
            groups.setdefault(group, {})[name.replace("_", "-")] = value
        self.groups = groups
        self.write_config(groups)

    def write_config(self, groups, extra_text=""):
        with open(self.config, "w") as f:
            for g, kv in groups.items():
                f.write("[%s]\n" % g)
                for k, v in kv.items():
                    if v is not None:
                        f.write("%s=%s\n" % (k, v))
                f.write("\n")
            f.write(extra_text)

    def env(self):
        env = dict(os.environ)
        env.update(self.env_extra)
        return env

    def start(self, once=False):
        args = self.prefix + [REFERRALD, "--config", self.config, "-v"]
        if once:
            args.append("--once")
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT, env=self.env(),
                                     start_new_session=True)
        return self.proc

    def run_once(self, timeout=600):
        self.start(once=True)
        return self.proc.wait(timeout=timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def kill_group(self):
        """SIGKILL the supervisor and its workers, as a crash of the whole unit would."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()

    def stop(self, timeout=60):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_group()
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return self.proc.returncode if self.proc else None

    def worker_pids(self):
        if not self.alive():
            return []
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(x) for x in out.stdout.split()]

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def ctl(self, *args):
        return subprocess.run([REFERRALCTL, args[0], "--config", self.config] + list(args[1:]),
                              capture_output=True, text=True, env=self.env())


def make_pdf(text, extra_comment=None):
    """A small, valid one-page PDF with a text layer saying `text`."""
    content = ("BT /F1 14 Tf 72 720 Td (%s) Tj ET" % text.replace("(", "[").replace(")", "]")).encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    if extra_comment:
        out += b"%" + extra_comment.encode() + b"\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def make_png(width=8, height=8, seed=0):
    """A valid grayscale PNG (unique per seed)."""
    def chunk(kind, data):
        c = kind + data
        return len(data).to_bytes(4, "big") + c + zlib.crc32(c).to_bytes(4, "big")
    raw = b"".join(b"\0" + bytes(((x * 31 + y * 17 + seed) % 256) for x in range(width)) for y in range(height))
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x00\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def drop(inbox, name, data, pieces=1, pause=0.0):
    """Write a file into the drop folder as a gateway would: into a temp name
    then rename, or (pieces > 1) slowly, in pieces, under its final name."""
    path = os.path.join(inbox, name)
    if pieces <= 1:
        tmp = os.path.join(inbox, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)
        return path
    step = max(1, len(data) // pieces)
    for i in range(0, len(data), step):
        with open(path, "ab") as f:
            f.write(data[i:i + step])
        time.sleep(pause)
    return path


def listdir(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []
