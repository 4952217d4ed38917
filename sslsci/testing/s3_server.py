"""A real S3-compatible server (moto in server mode) on 127.0.0.1, for tests and benchmarks
of a store on object storage. Needs ``moto[server]`` (in the ``dev`` extra)."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

# What s3fs (through botocore) reads to reach the server, as a user's environment would.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_s3(bucket: str) -> Iterator[str]:
    """Start moto's S3 server on a free local port with ``bucket`` created; point the
    ``AWS_*`` variables of this process at it while it runs. Yields the endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in (*CREDENTIALS, "AWS_ENDPOINT_URL")}
    os.environ.update(CREDENTIALS, AWS_ENDPOINT_URL=endpoint)
    try:
        import s3fs

        s3fs.S3FileSystem.clear_instance_cache()  # none may keep an earlier endpoint
        s3fs.S3FileSystem().mkdir(bucket)
        yield endpoint
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        s3fs.S3FileSystem.clear_instance_cache()
