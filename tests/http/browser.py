"""Headless Chromium driven over the DevTools protocol on a pipe
(`--remote-debugging-pipe`: commands go in on fd 3, answers come out on fd 4,
each a JSON object ended by a NUL byte). One browser serves a whole test: a
page is opened once and then read and clicked through JavaScript, instead of
a new browser for every view.

    with Browser() as b:
        b.open(url)
        b.wait_for("document.title !== ''")
        b.evaluate("document.title")
"""
import json
import os
import shutil
import subprocess
import tempfile
import time

TIMEOUT_S = 60


class BrowserError(AssertionError):
    pass


class Browser:
    def __init__(self):
        chromium = shutil.which("chromium")
        assert chromium, "chromium is missing: install the Debian package chromium"
        self.chromium = chromium
        self.proc = None
        self.session = None
        self._id = 0
        self._buffer = b""

    def __enter__(self):
        self.profile = tempfile.TemporaryDirectory(prefix="parceria-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def fds():  # fd 3 reads our commands, fd 4 writes its answers
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [self.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={self.profile.name}",
             # Only loopback: any other host fails to resolve.
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_browser_r)
        os.close(from_browser_w)
        target = self.command("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.command("Target.attachToTarget", targetId=target,
                                    flatten=True)["sessionId"]
        return self

    def __exit__(self, *exc):
        try:
            self.command("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self.profile.cleanup()

    def command(self, method, session=None, **params):
        """Sends one command and returns its result (events are skipped)."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def _read(self, deadline):
        import select
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise BrowserError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the pipe: " + self.proc.stderr.read(3000).decode(errors="replace"))
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def open(self, url):
        self.command("Page.navigate", self.session, url=url)

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (JSON-able)."""
        result = self.command("Runtime.evaluate", self.session, expression=expression,
                              returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, condition, timeout=TIMEOUT_S):
        """Polls a JavaScript condition until it is true; fails after timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate(condition):
                    return
            except BrowserError:
                pass  # the page is still loading
            time.sleep(0.1)
        raise BrowserError(f"not true within {timeout} s: {condition}")
