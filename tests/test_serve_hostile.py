"""`jixiao serve` answers every request with an HTTP status: 200 malformed requests (null bytes,
over-long paths, bad percent-encoding, `..` in every encoding, control characters, garbage request
lines) sent over a raw socket to the real server; each gets 400 or 404 (414 for a request line over
the 64 KB the standard library reads), and the terminal shows one line per refusal and no traceback."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = Path(sys.executable).parent / "jixiao"
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"

# (request target, expected status): malformed → 400, well-formed but no such file → 404
TARGETS = [
    ("/%00", 400), ("/index.html%00", 400), ("/%00/../", 400), ("/2024/%00.html", 400), ("/a%00b", 400),
    ("/" + "a" * 256, 400), ("/" + "a/" * 1100, 400), ("/" + "%e4%b8%80" * 90, 400), ("/" + "b" * 255, 404),
    ("/%", 400), ("/%z", 400), ("/%zz", 400), ("/%4", 400), ("/index.html%", 400), ("/%%30", 400),
    ("/%e4%b8", 400), ("/%ff", 400), ("/%c0%ae%c0%ae/", 400), ("/%ed%a0%80", 400), ("/%fe%ff", 400),
    ("/../etc/passwd", 400), ("/..", 400), ("/2024/../../etc/passwd", 400), ("/./index.html", 400),
    ("/%2e%2e/etc/passwd", 400), ("/%2E%2E/%2E%2E/etc/passwd", 400), ("/.%2e/", 400), ("/%2e./", 400),
    ("/..%2f..%2fetc%2fpasswd", 400), ("/%2e%2e%2f%2e%2e%2fetc", 400), ("/..\\..\\etc\\passwd", 400),
    ("/%5c..%5c..%5cetc", 400), ("/..%5cetc", 400), ("/%2e", 400), ("/%u002e%u002e/", 400),
    ("/%252e%252e/etc/passwd", 404), ("/%c0%af", 400), ("/．．/etc/passwd", 404), ("//etc/passwd", 404),
    ("/%0d%0aSet-Cookie:%20x=1", 400), ("/%1b[31mred", 400), ("/\x1b[2J", 400), ("/%7f", 400), ("/%09", 400),
    ("*", 400), ("index.html", 400), ("http://127.0.0.1/../etc/passwd", 400), ("../etc/passwd", 400),
    ("/no-such-page.html", 404), ("/2024/no-such/", 404),
]
assert len(TARGETS) == 50
RAW = [  # whole request lines the standard library refuses itself
    (b"GARBAGE\r\n\r\n", 400), (b"GET /\r\n\r\n", 400), (b"GET / HTTP/9.9\r\n\r\n", 505),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400), (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n", 414), (b"BREW / HTTP/1.0\r\n\r\n", 501),
    (b"GET / HTTP/x.y\r\n\r\n", 400),
]


def request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(data)
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def malformed_requests() -> list[tuple[bytes, int]]:
    """200 requests: each target by GET and HEAD, over HTTP/1.0 and HTTP/1.1, then the raw lines."""
    requests = []
    for method in ("GET", "HEAD"):
        for version in ("HTTP/1.0", "HTTP/1.1"):
            for target, status in TARGETS:
                line = f"{method} {target} {version}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                requests.append((line.encode("utf-8"), status))
    return requests[: 200 - len(RAW)] + RAW


def test_every_malformed_request_gets_a_status_and_one_line(tmp_path):
    declarations = tmp_path / "declarations" / "2024"
    declarations.mkdir(parents=True)
    shutil.copy(SEED, declarations / SEED.name)
    log = (tmp_path / "terminal").open("w+")
    process = subprocess.Popen(
        [str(JIXIAO), "serve", "--port", "0", "--out", str(tmp_path / "site"), str(tmp_path / "declarations")],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 90
        while not (match := re.search(r"http://127\.0\.0\.1:(\d+)/", (tmp_path / "terminal").read_text())):
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "terminal").read_text()
            time.sleep(0.2)
        port = int(match[1])
        before = (tmp_path / "terminal").read_text()
        requests = malformed_requests()
        assert len(requests) == 200
        refused = 0
        for data, status in requests:
            answer = request(port, data)
            first = answer.split(b"\r\n", 1)[0]
            assert re.fullmatch(rb"HTTP/1\.[01] \d{3} .*", first), (data[:80], answer[:200])
            assert int(first.split()[1]) == status, (data[:120], first)
            refused += status != 404
        # the server still serves its pages
        assert request(port, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200 ")
        time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=10)
    terminal = (tmp_path / "terminal").read_text()
    after = terminal[len(before):].splitlines()
    assert "Traceback" not in terminal and "Error" not in terminal
    assert len(after) == refused, after[:5]
    assert all(line.startswith("已拒绝请求（") and len(line) < 240 for line in after), after
    assert all("\x1b" not in line and "\x00" not in line for line in after)
    assert any(line.startswith("已拒绝请求（400 路径含控制字符（如空字节））：GET /%00 HTTP/1.0") for line in after)
