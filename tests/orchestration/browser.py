"""Just enough of the Chrome DevTools protocol to drive Debian's headless Chromium from a test: open a
page, wait for a text to be rendered, read the page text, take a screenshot. Uses ``websockets`` (already
in the virtualenv through ``uvicorn[standard]``, a dependency of dagster-webserver): no Playwright, no
driver download.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1600,1000"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Page:
    def __init__(self, ws):
        self.ws = ws
        self._id = 0

    def send(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def text(self) -> str:
        result = self.send("Runtime.evaluate", expression="document.body ? document.body.innerText : ''",
                           returnByValue=True)
        return result.get("result", {}).get("value", "") or ""

    def wait_for_text(self, *needles: str, timeout: float = 60.0) -> str:
        """Wait until every needle is in the rendered text of the page; return that text."""
        deadline = time.time() + timeout
        text = ""
        while time.time() < deadline:
            text = self.text()
            if all(n in text for n in needles):
                return text
            time.sleep(0.5)
        missing = [n for n in needles if n not in text]
        raise AssertionError(f"not rendered after {timeout:.0f} s: {missing}\n--- page text ---\n{text[:3000]}")

    def viewport(self, width: int, height: int) -> None:
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


def _stop_group(proc: subprocess.Popen) -> None:
    """Terminate the browser and every helper it started (same process group), then reap it."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            os.killpg(proc.pid, signal.SIGKILL)  # helpers left behind by a clean exit
        except (ProcessLookupError, PermissionError):
            break
        except subprocess.TimeoutExpired:
            continue
        break


@contextmanager
def chromium_page():
    """A headless Chromium with one blank page, driven over the DevTools protocol."""
    from websockets.sync.client import connect

    port = free_port()
    # Chromium's helper processes (crashpad, zygote) may still write into the profile after the browser has
    # exited: they run in their own process group, killed as a whole, and the profile's removal tolerates a
    # late file (CI failed once on "Directory not empty: 'Default'").
    with tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}",
                                 f"--remote-debugging-port={port}", "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            ws_url = None
            deadline = time.time() + 30
            while time.time() < deadline and ws_url is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                        pages = [t for t in json.loads(r.read()) if t.get("type") == "page"]
                    ws_url = pages[0]["webSocketDebuggerUrl"] if pages else None
                except OSError:
                    time.sleep(0.3)
            if ws_url is None:
                raise RuntimeError("headless chromium did not open its DevTools port")
            with connect(ws_url, max_size=None, open_timeout=30) as ws:
                page = Page(ws)
                page.send("Page.enable")
                yield page
        finally:
            _stop_group(proc)


# --- DevTools events (added for the dashboard test; the functions above are unchanged) -------------------------

class RecordingPage(Page):
    """A ``Page`` that keeps every DevTools event it receives (messages without ``id``) in ``events``, so that a
    test can assert on console errors, uncaught exceptions and network requests."""

    def __init__(self, ws, next_id: int = 0):
        super().__init__(ws)
        self._id = next_id
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if "id" not in msg:
                self.events.append(msg)
            elif msg["id"] == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def wait_for_event(self, method: str, timeout: float = 30.0) -> dict:
        """Wait for the next event ``method`` (e.g. ``Page.loadEventFired``) not yet consumed; return it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e.get("method") == method and not e.get("_seen"):
                    e["_seen"] = True
                    return self.events[i]
            try:
                msg = json.loads(self.ws.recv(timeout=max(0.05, deadline - time.time())))
            except TimeoutError:
                break
            if "id" not in msg:
                self.events.append(msg)
        raise AssertionError(f"no {method} event within {timeout:.0f} s")

    def drain(self, seconds: float = 0.2) -> None:
        """Collect the events that arrive within ``seconds`` (late console messages, late requests)."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                msg = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.time())))
            except TimeoutError:
                return
            if "id" not in msg:
                self.events.append(msg)

    def open(self, url: str, timeout: float = 30.0) -> dict:
        """Navigate to ``url`` and wait for its load event; return the navigation result (``errorText`` is set
        when the page could not be opened, e.g. a missing file)."""
        for e in self.events:
            if e.get("method") == "Page.loadEventFired":
                e["_seen"] = True
        result = self.send("Page.navigate", url=url)
        if not result.get("errorText"):
            self.wait_for_event("Page.loadEventFired", timeout)
        return result

    def console_errors(self) -> list[str]:
        """Uncaught exceptions, console.error/assert calls and error log entries seen so far."""
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append(f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}".strip())
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console." + p["type"] + ": " + " ".join(str(a.get("value", a.get("description", "")))
                                                                    for a in p.get("args", [])))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(f"log: {p['entry'].get('text')} ({p['entry'].get('url', '')})")
        return out

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for (``Network.requestWillBeSent``), in order."""
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def screenshot_clip(self, x: float, y: float, width: float, height: float) -> bytes:
        """PNG bytes of a rectangle of the page (document coordinates), even below the viewport."""
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": x, "y": y, "width": width, "height": height, "scale": 1})["data"]
        return base64.b64decode(data)


@contextmanager
def chromium_recording_page():
    """``chromium_page()`` with the Runtime, Log and Network domains enabled and their events recorded."""
    with chromium_page() as page:
        recording = RecordingPage(page.ws, page._id)
        recording.send("Runtime.enable")
        recording.send("Log.enable")
        recording.send("Network.enable")
        yield recording
