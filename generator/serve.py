"""Local preview: serve the built site on 127.0.0.1, rebuild when a declaration or template changes, reload the page."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Callable

RELOAD_PATH = "/__jixiao_build"
# Added to HTML as it is served, never written into the site: polls the build number, reloads on change.
RELOAD_SCRIPT = (
    "<script>(()=>{let seen=null;setInterval(async()=>{try{const r=await fetch('%s',{cache:'no-store'});"
    "const n=await r.text();if(seen!==null&&n!==seen)location.reload();seen=n;}catch(e){}},1000);})();</script>"
    % RELOAD_PATH
)


class BuildCounter:
    def __init__(self):
        self.number = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.number += 1


def make_handler(site: Path, counter: BuildCounter):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet: the terminal shows rebuilds, not requests
            pass

        def do_GET(self):
            if self.path == RELOAD_PATH:
                body = str(counter.number).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                body = path.read_bytes().replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

    return functools.partial(Handler, directory=str(site))


def serve(site: Path, watch: list[Path], rebuild: Callable[[], bool], port: int, say: Callable[[str], None]) -> None:
    """Serve until interrupted; `rebuild` returns whether the site was rebuilt (False: errors, old site kept)."""
    from watchfiles import watch as watch_changes

    counter = BuildCounter()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(site, counter))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    say(f"预览：http://127.0.0.1:{server.server_address[1]}/  （Ctrl+C 结束）")
    try:
        for _changes in watch_changes(*[p for p in watch if p.exists()]):
            if rebuild():
                counter.bump()
                say("已重建，浏览器将自动刷新")
    finally:
        server.shutdown()
