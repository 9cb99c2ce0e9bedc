"""A private Dovecot for IMAP tests: IMAPS (and IMAP with STARTTLS) on
127.0.0.1, a self-signed certificate, one passwd-file user, maildir under
the test's work directory.  Needs root (Dovecot drops to `nobody` for mail)."""
import os
import shutil
import signal
import subprocess
import time

from harness import free_port, wait_for

USER = "referrals@clinic.example"
PASSWORD = "s3cret-imap"


def available():
    """None when a private Dovecot can run here, else why not."""
    if os.geteuid() != 0:
        return "a private Dovecot needs root"
    for tool in ("dovecot", "doveadm", "openssl"):
        if shutil.which(tool) is None:
            return "%s not installed (tools/install-deps.sh)" % tool
    return None


class Dovecot:
    def __init__(self, work, name="dovecot"):
        self.dir = os.path.join(work.path, name)
        for sub in ("run", "mail", "tls"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.imaps_port = free_port()
        self.imap_port = free_port()
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self.log = os.path.join(self.dir, "dovecot.log")
        self.cert = os.path.join(self.dir, "tls", "cert.pem")
        self.key = os.path.join(self.dir, "tls", "key.pem")
        self.users = os.path.join(self.dir, "users")
        self.password_file = os.path.join(self.dir, "imap-password")
        self._seq = 0
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", self.key, "-out", self.cert], check=True, capture_output=True)
        with open(self.users, "w") as f:
            f.write("%s:{PLAIN}%s\n" % (USER, PASSWORD))
        with open(self.password_file, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(self.password_file, 0o600)
        subprocess.run(["chown", "-R", "nobody:nogroup", os.path.join(self.dir, "mail")], check=True)
        self.write_conf()

    def write_conf(self, extra=""):
        d = self.dir
        with open(self.conf, "w") as f:
            f.write("""base_dir = {d}/run
state_dir = {d}/run/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {users}
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/mail/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
{extra}
""".format(d=d, cert=self.cert, key=self.key, users=self.users, imap=self.imap_port,
                   imaps=self.imaps_port, extra=extra))

    @property
    def url(self):
        return "imaps://127.0.0.1:%d" % self.imaps_port

    def pid(self):
        try:
            with open(os.path.join(self.dir, "run", "master.pid")) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None

    def _port_open(self):
        import socket
        s = socket.socket()
        try:
            s.settimeout(0.5)
            s.connect(("127.0.0.1", self.imaps_port))
            return True
        except OSError:
            return False
        finally:
            s.close()

    def start(self):
        # the daemon keeps inherited pipes open: no capture_output here
        with open(os.path.join(self.dir, "start.err"), "ab") as err:
            subprocess.run(["dovecot", "-c", self.conf], check=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=err)
        if not wait_for(self._port_open, 10, 0.05):
            raise RuntimeError("dovecot did not listen:\n" + self.log_text()[-2000:])

    def stop(self):
        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        wait_for(lambda: not self._port_open(), 5, 0.05)

    def restart(self):
        self.stop()
        self.start()

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def doveadm(self, *args, input=None):
        return subprocess.run(["doveadm", "-c", self.conf] + list(args), input=input, capture_output=True,
                              check=True)

    def deliver(self, data, folder="INBOX"):
        """Deliver one message as the MTA would (doveadm save), retrying a
        temporary failure (Dovecot restarting) as an MTA's queue would."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.doveadm("save", "-u", USER, "-m", folder, input=data)
                return
            except subprocess.CalledProcessError as e:
                if time.monotonic() > deadline:
                    raise RuntimeError("doveadm save: exit %d: %s" % (e.returncode, e.stderr.decode()[-500:]))
                time.sleep(0.2)

    def deliver_lda(self, data):
        """Deliver one message through dovecot-lda (the LDA path of an MTA)."""
        subprocess.run(["/usr/lib/dovecot/dovecot-lda", "-c", self.conf, "-d", USER, "-f", "sender@example.net"],
                       input=data, capture_output=True, check=True)

    def deliver_raw(self, data, folder="INBOX"):
        """Drop one message straight into the folder's maildir (fast, for bulk);
        a folder other than INBOX must exist."""
        md = os.path.join(self.dir, "mail", USER, "Maildir")
        if folder != "INBOX":
            md = os.path.join(md, "." + folder.replace("/", "."))
        if not os.path.isdir(os.path.join(md, "new")):
            # the first delivery: let Dovecot create the maildir with its owners
            self.doveadm("mailbox", "status", "-u", USER, "messages", folder)
        self._seq += 1
        name = "%d.M%dP%d.rdtest" % (time.time(), self._seq, os.getpid())
        tmp = os.path.join(md, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.chown(tmp, 65534, 65534)
        os.rename(tmp, os.path.join(md, "new", name))

    def status(self, folder="INBOX"):
        """{'messages': n, 'uidvalidity': n, 'uidnext': n}, or None when the folder is missing."""
        try:
            out = self.doveadm("-f", "flow", "mailbox", "status", "-u", USER, "messages uidvalidity uidnext",
                               folder).stdout.decode()
        except subprocess.CalledProcessError:
            return None
        result = {}
        for word in out.split():
            if "=" in word:
                k, v = word.split("=", 1)
                result[k] = int(v)
        return result

    def count(self, folder="INBOX"):
        st = self.status(folder)
        return st["messages"] if st else 0

    def delete_folder(self, folder):
        self.doveadm("mailbox", "delete", "-u", USER, "-s", folder)

    def create_folder(self, folder):
        self.doveadm("mailbox", "create", "-u", USER, folder)

    def message_ids(self, folder):
        """Message-ID header values of the messages in a folder."""
        try:
            out = self.doveadm("fetch", "-u", USER, "hdr.message-id", "mailbox", folder).stdout.decode()
        except subprocess.CalledProcessError:
            return []
        ids = []
        for line in out.splitlines():
            line = line.strip()
            if line.lower().startswith("hdr.message-id:"):
                ids.append(line.split(":", 1)[1].strip())
        return ids


def make_message(i, tag="imap", size_pad=0, body=None):
    """A small synthetic RFC 5322 message, unique per (tag, i)."""
    text = body if body is not None else "Synthetic test message number %d for the IMAP intake test.\n" % i
    if size_pad:
        text += ("x" * 76 + "\n") * (size_pad // 77 + 1)
    return ("From: Test Sender <sender@example.net>\r\n"
            "To: referrals@clinic.example\r\n"
            "Subject: test %s %d\r\n"
            "Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
            "Message-ID: <%s-%d@test.example>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n%s" % (tag, i, tag, i, text.replace("\n", "\r\n"))).encode()
