"""Headless-Chromium helpers for browser tests: serve ASGI apps on loopback, shoot, dump, decode PNG.

``serve_app`` is a pytest fixture returning a function ``serve(app) -> base_url``: each call starts
the ASGI ``app`` (a FastAPI app, the real one or a stand-in) under uvicorn in a background thread on
its own free port of 127.0.0.1, so two calls give two origins. Servers stop at teardown.

Chromium is Debian's ``/usr/bin/chromium``, run headless, sandbox off (root in a container), with no
network beyond loopback: every host name except localhost resolves to nothing and no proxy is used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_ENV = "MIASTO_REQUIRE_BROWSER"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def require_chromium() -> Path:
    """Path of Chromium; skip the test if it is absent, fail instead when MIASTO_REQUIRE_BROWSER is set."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} not installed (apt-get install -y chromium)"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason}, but {REQUIRE_ENV} is set")
    pytest.skip(reason)


@contextlib.contextmanager
def served(app: object, startup_timeout_s: float = 10.0) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread on a free loopback port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"uvicorn did not start on port {port} within {startup_timeout_s} s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def serve_app() -> Iterator[Callable[[object], str]]:
    """Fixture: ``serve_app(app) -> base_url``; every app served is stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(served(app))


def _chromium(args: list[str], timeout_s: float = 60.0) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="miasto-chromium-")
    cmd = [
        str(require_chromium()),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--no-proxy-server",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--virtual-time-budget=5000",
        f"--user-data-dir={profile}",
        *args,
    ]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(url: str) -> str:
    """The DOM Chromium built for ``url`` after loading it (``--dump-dom``), as HTML text."""
    return _chromium(["--dump-dom", url]).stdout


def screenshot(url: str, path: Path, width_px: int, height_px: int) -> Path:
    """Save a PNG screenshot of ``url`` in a ``width_px`` x ``height_px`` window [px]."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    run = _chromium([f"--screenshot={path}", f"--window-size={width_px},{height_px}", url])
    if not path.exists():
        raise AssertionError(f"chromium wrote no screenshot to {path}; stderr:\n{run.stderr[-2000:]}")
    return path


def _unfilter(raw: bytes, height: int, stride: int, bpp: int) -> np.ndarray:
    """Undo the PNG per-row filters (PNG spec, ISO/IEC 15948:2004, section 9)."""
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 1:  # Sub: running sum per channel, vectorised
            cur = np.cumsum(line.reshape(-1, bpp), axis=0).reshape(-1) & 0xFF
        elif kind == 2:  # Up
            cur = (line + prev) & 0xFF
        else:  # Average (3) or Paeth (4): depends on the pixel to the left, so sequential
            cur_b, up = bytearray(line.astype(np.uint8).tobytes()), prev.tolist()
            for i in range(stride):
                a = cur_b[i - bpp] if i >= bpp else 0
                b, c = up[i], (up[i - bpp] if i >= bpp else 0)
                if kind == 3:
                    pred = (a + b) >> 1
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                cur_b[i] = (cur_b[i] + pred) & 0xFF
            cur = np.frombuffer(bytes(cur_b), dtype=np.uint8).astype(np.int32)
        out[y] = cur
        prev = cur
    return out


def read_png(path: Path) -> np.ndarray:
    """Decode an 8-bit, non-interlaced RGB/RGBA PNG into an (height, width, 3) uint8 array."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    if header is None:
        raise ValueError(f"{path}: no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"{path}: only 8-bit non-interlaced RGB/RGBA supported, got {header}")
    pixels = _unfilter(zlib.decompress(b"".join(idat)), height, width * channels, channels)
    return pixels.reshape(height, width, channels)[:, :, :3]
