"""A small Chrome DevTools Protocol client: Debian's chromium started
headless by the test, driven over a WebSocket implemented here with the
standard library only (RFC 6455, client side), so the browser test needs no
npm download and no package beyond chromium."""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--remote-debugging-port=0", "--remote-allow-origins=*"]


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    return None


class WebSocket:
    def __init__(self, url, timeout):
        m = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                           % (m.group(3), m.group(1), m.group(2), key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise IOError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise IOError("websocket handshake refused: %r" % head[:200])
        self.buf = b""

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise IOError("websocket closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, text):
        data = text.encode()
        head = bytearray([0x81])
        if len(data) < 126:
            head.append(0x80 | len(data))
        elif len(data) < 65536:
            head.append(0x80 | 126)
            head += struct.pack("!H", len(data))
        else:
            head.append(0x80 | 127)
            head += struct.pack("!Q", len(data))
        mask = os.urandom(4)
        head += mask
        self.sock.sendall(bytes(head) + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise IOError("websocket closed by the browser")
            if opcode in (9, 10):  # ping / pong: the browser does not need an answer here
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    """One headless chromium with one page."""

    def __init__(self, workdir, timeout=120):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)
        self.stderr_path = os.path.join(workdir, "chromium.log")
        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([chromium_path()] + CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile,
                                                                         "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=self.stderr, start_new_session=True)
        port = self._devtools_port()
        with urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/json/list" % port),
                                    timeout=timeout) as r:
            targets = [t for t in json.load(r) if t.get("type") == "page"]
        self.ws = WebSocket(targets[0]["webSocketDebuggerUrl"], timeout)
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Network"):
            self.call(domain + ".enable")

    def _devtools_port(self):
        # chromium writes the port it chose into DevToolsActivePort in the profile
        path = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise IOError("chromium exited with status %s" % self.proc.returncode)
            try:
                with open(path) as f:
                    first = f.readline().strip()
                if first:
                    return int(first)
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.2)
        raise IOError("chromium did not open its DevTools port")

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            for i, ev in enumerate(self.events):
                if ev["method"] == method:
                    return self.events.pop(i)
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError("no %s" % method)

    def saw_event(self, method):
        return [e for e in self.events if e["method"] == method]

    def load(self, action):
        """Runs action (a callable) and waits for the page it leads to."""
        # a load event of the page before can still be on its way: the old
        # document is marked, and only a load without the mark counts
        self.js("window.__rdOld = true")
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        action()
        deadline = time.monotonic() + self.timeout
        while True:
            self.wait_event("Page.loadEventFired", max(1, deadline - time.monotonic()))
            if not self.js("window.__rdOld === true && document.readyState === 'complete'"):
                if self.js("document.readyState") == "complete":
                    return
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not change")

    def goto(self, url):
        self.load(lambda: self.call("Page.navigate", url=url))

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("javascript: %s" % r["exceptionDetails"].get("text"))
        return r["result"].get("value")

    def submit(self, form_selector, **fields):
        """Fills the named fields of a form and presses its submit button."""
        script = "(function(){var f=document.querySelector(%s);" % json.dumps(form_selector)
        for name, value in fields.items():
            script += "f.querySelector('[name=%s]').value=%s;" % (name, json.dumps(value))
        script += "f.querySelector('button[type=submit]').click();})()"
        self.load(lambda: self.js(script))

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            os.killpg(self.proc.pid, 9)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.stderr.close()
