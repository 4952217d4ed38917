"""A headless Chromium (Debian's package) driven over the DevTools protocol: open a page of
the Prefect UI, click a tab by its label, and read the rendered text."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager

from websockets.sync.client import connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _page_socket(port: int, deadline: float) -> str:
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new", method="PUT")
            with urllib.request.urlopen(request, timeout=2) as response:
                return json.load(response)["webSocketDebuggerUrl"]
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("chromium's DevTools endpoint did not answer")


class Page:
    def __init__(self, socket_url: str) -> None:
        self.ws = connect(socket_url, max_size=2**24)
        self.next_id = 0

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


CLICK_TAB = """(() => {
  const tab = [...document.querySelectorAll('[role=tab], .p-tab')]
    .find(el => el.textContent.trim() === %s);
  if (tab) { tab.click(); return true; }
  return false;
})()"""


@contextmanager
def open_page(url: str, timeout: float = 90) -> Iterator[Page]:
    """A headless Chromium showing ``url``, driven over DevTools; killed on exit."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1400,1400",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            page = Page(_page_socket(port, time.monotonic() + timeout))
            page.call("Page.navigate", url=url)
            try:
                yield page
            finally:
                page.ws.close()
        finally:
            process.kill()
            process.wait()


def rendered_text(url: str, tab: str, expect: str, timeout: float = 90) -> str:
    """The page's visible text once it contains ``expect`` after clicking ``tab`` (or the
    last text seen, when the timeout passes first)."""
    deadline = time.monotonic() + timeout
    with open_page(url, timeout) as page:
        text = ""
        while time.monotonic() < deadline:
            page.evaluate(CLICK_TAB % json.dumps(tab))
            text = page.evaluate("document.body ? document.body.innerText : ''") or ""
            if expect in text:
                break
            time.sleep(1)
        return text
