"""Fetch bytes from a registry: resumable, retried, bounded, TLS-verified.

HTTP(S) goes through ``requests`` with streaming; an interrupted download keeps
its ``.part`` file and continues with a ``Range`` request. Other URLs (folders,
``file://``, ``s3://``, ...) go through fsspec, resuming by seeking. TLS
certificates are always verified: there is deliberately no option to turn that
off (``REQUESTS_CA_BUNDLE`` may point at a private CA bundle). A body is never
written past the size the index lists, and a local write failure (disk full,
file-size limit) is fatal rather than retried.
"""

from __future__ import annotations

import errno
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import fsspec
import requests
import urllib3

import sslsci
from sslsci.weights.errors import (
    CacheWriteError,
    IntegrityError,
    NotFoundError,
    TransferError,
    UnsafeIndexError,
)
from sslsci.weights.locations import is_http

CHUNK_BYTES = 1 << 20
RETRY_STATUS = (408, 425, 429, 500, 502, 503, 504)
CONTENT_RANGE_RE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")

T = TypeVar("T")
OnBytes = Callable[[int], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often to retry a failing transfer, with exponential backoff between tries."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2**attempt)


class RetryableError(Exception):
    """A failure worth another try: connection reset, timeout, 5xx, cut stream."""


def new_session() -> requests.Session:
    """A session that verifies TLS and asks for unencoded bytes (so Range offsets hold)."""
    session = requests.Session()
    session.verify = True
    session.headers["Accept-Encoding"] = "identity"
    session.headers["User-Agent"] = f"sslsci/{sslsci.__version__}"
    return session


def with_retries(action: Callable[[], T], policy: RetryPolicy, what: str) -> T:
    """Run ``action``, retrying ``RetryableError`` with backoff; other errors pass through."""
    last: RetryableError | None = None
    for attempt in range(policy.attempts):
        try:
            return action()
        except RetryableError as exc:
            last = exc
            if attempt + 1 < policy.attempts:
                time.sleep(policy.delay(attempt))
    raise TransferError(f"{what}: failed after {policy.attempts} attempts; last error: {last}")


def _http_get(session: requests.Session, url: str, timeout: float, **headers: str):
    """GET with streaming; maps failures to retryable or final errors."""
    try:
        response = session.get(url, headers=headers, stream=True, timeout=timeout, verify=True)
    except requests.exceptions.SSLError as exc:
        raise TransferError(
            f"{url}: TLS certificate verification failed ({exc}). sslsci always verifies "
            "certificates; fix the server's certificate, or set REQUESTS_CA_BUNDLE to the CA "
            "bundle that signed it."
        ) from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise RetryableError(f"{url}: {exc}") from None
    if url.startswith("https://") and not response.url.startswith("https://"):
        response.close()
        raise TransferError(f"{url} redirected to {response.url}, dropping TLS; refusing")
    if response.status_code == 404:
        response.close()
        raise NotFoundError(f"{url}: HTTP 404 not found")
    if response.status_code in RETRY_STATUS:
        response.close()
        raise RetryableError(f"{url}: HTTP {response.status_code}")
    if response.status_code >= 400 and response.status_code != 416:
        response.close()
        raise TransferError(f"{url}: HTTP {response.status_code} {response.reason}")
    return response


def _resume_offset(response: requests.Response, have: int, url: str) -> int:
    """Where the body starts: ``have`` for a matching 206, 0 when the server sent it all."""
    if response.status_code != 206:
        return 0
    match = CONTENT_RANGE_RE.fullmatch(response.headers.get("Content-Range", ""))
    if match is None or int(match.group(1)) != have:
        raise RetryableError(
            f"{url}: server answered Range bytes={have}- with Content-Range "
            f"{response.headers.get('Content-Range')!r}; restarting the download"
        )
    return have


NO_ROOM_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def _cache_write_error(part: Path, exc: OSError) -> CacheWriteError:
    """A local write failure: the network is fine, so retrying would only fail again."""
    if exc.errno in NO_ROOM_ERRNOS:
        return CacheWriteError(
            f"no room to write {part} ({exc.strerror}): the cache's disk is full or a "
            "file-size limit was reached. The partial download was deleted; free space there "
            "or point SSLSCI_CACHE (--cache-dir) at a larger disk, then pull again."
        )
    return CacheWriteError(
        f"could not write {part} ({exc}); the partial download was deleted. Check that the "
        "cache folder is writable, or point SSLSCI_CACHE (--cache-dir) elsewhere."
    )


def _open_part(part: Path, offset: int) -> io.FileIO:
    """The part file, unbuffered (so closing it never flushes), cut back to ``offset``."""
    try:
        out = open(part, "r+b" if offset else "wb", buffering=0)  # noqa: SIM115
        out.truncate(offset)
        out.seek(offset)
    except OSError as exc:
        raise _cache_write_error(part, exc) from None
    return out


def _write_part(out: io.FileIO, part: Path, chunk: bytes) -> None:
    """Write all of ``chunk`` (a raw write may take only part of it)."""
    view = memoryview(chunk)
    try:
        while view:
            view = view[out.write(view) :]
    except OSError as exc:
        raise _cache_write_error(part, exc) from None


def _append(part: Path, offset: int, chunks, size: int, url: str, on_bytes: OnBytes) -> int:
    """Write ``chunks`` to ``part`` from ``offset``; returns the bytes now in the file.

    Stops at the declared ``size``: a body that goes on past it is refused, so an
    endless response cannot fill the disk. Local write errors are fatal
    (``CacheWriteError``); errors reading ``chunks`` stay the caller's to retry.
    """
    have = offset
    out = _open_part(part, offset)
    try:
        for chunk in chunks:
            have += len(chunk)
            if have > size:
                raise IntegrityError(
                    f"{url} sends more than the {size} bytes the index lists; refusing it"
                )
            _write_part(out, part, chunk)
            on_bytes(have)
    finally:
        out.close()
    return have


def _check_length(response: requests.Response, offset: int, size: int, url: str) -> None:
    """Refuse a response whose Content-Length already says it is longer than listed."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and offset + int(declared) > size:
        raise IntegrityError(
            f"{url} declares {offset + int(declared)} bytes (Content-Length), more than the "
            f"{size} bytes the index lists; refusing it"
        )


def _http_attempt(
    session: requests.Session, url: str, part: Path, size: int, timeout: float, on_bytes: OnBytes
) -> int:
    have = part.stat().st_size if part.exists() else 0
    if have > size:
        part.unlink()
        have = 0
    if have == size:
        return have
    headers = {"Range": f"bytes={have}-"} if have else {}
    with _http_get(session, url, timeout, **headers) as response:
        if response.status_code == 416:
            part.unlink(missing_ok=True)
            raise RetryableError(f"{url}: server refused Range bytes={have}-; restarting")
        offset = _resume_offset(response, have, url)
        _check_length(response, offset, size, url)
        try:
            return _append(part, offset, _raw_chunks(response), size, url, on_bytes)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise RetryableError(f"{url}: connection lost ({exc}); will resume") from None


def _raw_chunks(response: requests.Response) -> Iterator[bytes]:
    """The body's bytes as they arrive (``read1``), so a cut stream loses none of them.

    ``iter_content`` fills whole chunks first and drops a partial one when the
    connection breaks, which would waste what a resume could have kept.
    """
    while chunk := response.raw.read1(CHUNK_BYTES, decode_content=False):
        yield chunk


def _fsspec_chunks(handle) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK_BYTES):
        yield chunk


def _fsspec_attempt(url: str, part: Path, size: int, on_bytes: OnBytes) -> int:
    have = part.stat().st_size if part.exists() else 0
    if have > size:
        part.unlink()
        have = 0
    try:
        fs, path = fsspec.core.url_to_fs(url)
        with fs.open(path, "rb") as handle:
            handle.seek(have)
            return _append(part, have, _fsspec_chunks(handle), size, url, on_bytes)
    except FileNotFoundError:
        raise NotFoundError(f"{url}: no such file") from None
    except OSError as exc:
        raise RetryableError(f"{url}: {exc}") from None


def download(
    url: str,
    part: Path,
    size: int,
    *,
    policy: RetryPolicy,
    session: requests.Session | None = None,
    on_bytes: OnBytes = lambda _: None,
) -> None:
    """Complete ``part`` from ``url`` (resuming what it holds) to exactly ``size`` bytes."""
    session = session or new_session()

    def attempt() -> int:
        if is_http(url):
            return _http_attempt(session, url, part, size, policy.timeout, on_bytes)
        return _fsspec_attempt(url, part, size, on_bytes)

    have = with_retries(attempt, policy, f"downloading {url}")
    if have < size:
        raise IntegrityError(
            f"{url} ended after {have} of the {size} bytes the index lists: the file on the "
            "registry is truncated. Ask the publisher to re-upload it."
        )


def _bounded_http(session: requests.Session, url: str, limit: int, what: str, timeout: float):
    with _http_get(session, url, timeout) as response:
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise UnsafeIndexError(_too_large(url, limit, what))
        body = bytearray()
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                body += chunk
                if len(body) > limit:
                    raise UnsafeIndexError(_too_large(url, limit, what))
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise RetryableError(f"{url}: connection lost ({exc})") from None
        return bytes(body)


def _bounded_fsspec(url: str, limit: int, what: str) -> bytes:
    try:
        fs, path = fsspec.core.url_to_fs(url)
        with fs.open(path, "rb") as handle:
            body = handle.read(limit + 1)
    except FileNotFoundError:
        raise NotFoundError(f"{url}: no such file") from None
    except OSError as exc:
        raise RetryableError(f"{url}: {exc}") from None
    if len(body) > limit:
        raise UnsafeIndexError(_too_large(url, limit, what))
    return body


def _too_large(url: str, limit: int, what: str) -> str:
    return f"{url} is larger than the {limit}-byte bound for {what}; refusing to read it"


def read_bounded(
    url: str,
    limit: int,
    what: str,
    *,
    policy: RetryPolicy,
    session: requests.Session | None = None,
) -> bytes:
    """The whole (small) file at ``url``, refusing more than ``limit`` bytes."""
    session = session or new_session()

    def attempt() -> bytes:
        if is_http(url):
            return _bounded_http(session, url, limit, what, policy.timeout)
        return _bounded_fsspec(url, limit, what)

    return with_retries(attempt, policy, f"reading {url}")
