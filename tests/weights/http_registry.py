"""A real HTTP server on 127.0.0.1 serving a registry folder, with Range support.

It logs every request (path and Range header) and can inject faults: cut a
response after N bytes (closing the connection), answer 503 a few times, or send
a body that never ends (no Content-Length, zeros until the client hangs up; the
server gives up after ``ENDLESS_CAP`` bytes, so a client without a bound fails a
test instead of filling the disk).
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

RANGE_RE = re.compile(r"bytes=(\d+)-")
ENDLESS_BLOCK = 64 * 1024
ENDLESS_CAP = 256 * 1024 * 1024


@dataclass(frozen=True)
class Request:
    path: str
    range: str | None


@dataclass
class Faults:
    cut_after: dict[str, int] = field(default_factory=dict)  # one-shot: path -> bytes sent
    unavailable: dict[str, int] = field(default_factory=dict)  # path -> 503s left
    endless: set[str] = field(default_factory=set)  # paths whose body never ends


class RegistryServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), RangeHandler)
        self.root = root.resolve()
        self.log: list[Request] = []
        self.faults = Faults()
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def handle_error(self, request, client_address) -> None:
        """Clients that stop reading early (bounded reads) are expected; stay quiet."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def requests_for(self, path: str) -> list[Request]:
        return [r for r in self.log if r.path == path]

    def __enter__(self) -> RegistryServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


class RangeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: RegistryServer

    def log_message(self, format: str, *args) -> None:  # keep test output quiet
        return

    def _empty(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for key, value in {"Content-Length": "0", **headers}.items():
            self.send_header(key, value)
        self.end_headers()

    def _endless(self) -> None:
        """200 with no length: zeros until the client closes the connection (or the cap)."""
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        block = bytes(ENDLESS_BLOCK)
        try:
            for _ in range(ENDLESS_CAP // ENDLESS_BLOCK):
                self.wfile.write(block)
        except OSError:  # the client hung up: what a bounded download must do
            return

    def do_GET(self) -> None:
        relative = unquote(urlsplit(self.path).path).lstrip("/")
        requested_range = self.headers.get("Range")
        self.server.log.append(Request(relative, requested_range))
        faults = self.server.faults
        if faults.unavailable.get(relative, 0) > 0:
            faults.unavailable[relative] -= 1
            return self._empty(503)
        if relative in faults.endless:
            return self._endless()
        path = (self.server.root / relative).resolve()
        if self.server.root not in path.parents or not path.is_file():
            return self._empty(404)
        data = path.read_bytes()
        start, status = 0, 200
        if requested_range:
            match = RANGE_RE.fullmatch(requested_range)
            start = int(match.group(1)) if match else 0
            if start >= len(data):
                return self._empty(416, **{"Content-Range": f"bytes */{len(data)}"})
            status = 206
        body = data[start:]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        cut = faults.cut_after.pop(relative, None)
        if cut is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[:cut])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
