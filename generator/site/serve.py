"""Local preview: serve the built site on 127.0.0.1, rebuild when a declaration or template changes, reload the page.

The pages forbid inline scripts (their Content-Security-Policy), so the server adds a same-origin
<script src="/__jixiao_reload.js"> to each HTML page as it serves it; nothing is written into the
site. The script polls /__jixiao_status (the build number and the last build's problems as JSON),
reloads the page when a new build is in, and shows the problems of a failed build in a banner, as
text, while the last good site stays served.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

STATUS_PATH = "/__jixiao_status"
SCRIPT_PATH = "/__jixiao_reload.js"
SCRIPT_TAG = f'<script src="{SCRIPT_PATH}"></script>'

RELOAD_SCRIPT = """// jixiao serve: reload when a new build is in; show the problems of a failed build.
(() => {
  let seen = null;
  const BANNER = "jixiao-preview-problems";
  function show(problems) {
    let banner = document.getElementById(BANNER);
    if (!problems.length) {
      if (banner) banner.remove();
      return;
    }
    if (!banner) {
      banner = document.createElement("section");
      banner.id = BANNER;
      banner.setAttribute("role", "alert");
      banner.setAttribute("aria-label", "预览：上一次重建失败");
      // Styled through the CSSOM, which the pages' Content-Security-Policy allows.
      Object.assign(banner.style, {
        background: "#fff4f4", color: "#1a1a1a", border: "3px solid #8a1c1c", padding: "12px 16px",
        margin: "0", font: "14px/1.5 sans-serif", position: "relative", zIndex: "100",
      });
      document.body.prepend(banner);
    }
    const title = document.createElement("p");
    title.style.fontWeight = "bold";
    title.style.margin = "0 0 6px";
    title.textContent = "重建失败，网站仍是上一次成功生成的版本。请改正：";
    const list = document.createElement("ul");
    list.style.margin = "0";
    list.style.paddingLeft = "1.4em";
    problems.forEach((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    banner.replaceChildren(title, list);
  }
  async function poll() {
    try {
      const response = await fetch("%(status)s", { cache: "no-store" });
      const status = await response.json();
      if (seen !== null && status.build !== seen) {
        location.reload();
        return;
      }
      seen = status.build;
      show(status.problems);
    } catch (error) {
      // the server is restarting or gone: try again
    }
    setTimeout(poll, 700);
  }
  poll();
})();
""" % {"status": STATUS_PATH}


@dataclass
class Outcome:
    """What a rebuild came to: whether the site was replaced, and the problems to show if not."""

    built: bool
    problems: list[str]


class BuildState:
    """The build number (bumped when the site is replaced) and the last build's problems."""

    def __init__(self, problems: list[str] | None = None):
        self.number = 0
        self.problems = list(problems or [])
        self.lock = threading.Lock()

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            if outcome.built:
                self.number += 1
            self.problems = list(outcome.problems)

    def json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.number, "problems": self.problems}, ensure_ascii=False).encode("utf-8")


MAX_TARGET = 2048  # bytes of a request's path: the site's longest is far shorter
MAX_NAME = 255  # bytes of one path segment: no file system holds a longer name
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def refusal(target: str) -> str | None:
    """Why a request's target is malformed (→ 400), or None. It is refused before it comes near a file:
    null bytes and control characters, bad or non-UTF-8 percent-encoding, `.` and `..` segments however
    encoded, over-long paths and names."""
    if not target.startswith("/"):
        return "路径不以 / 开头"
    path = target.split("?", 1)[0].split("#", 1)[0]
    if len(path) > MAX_TARGET:
        return f"路径过长（{len(path):,} 个字符）"
    if _BAD_PERCENT.search(path):
        return "百分号编码不完整"
    try:
        decoded = urllib.parse.unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return "百分号编码不是 UTF-8"
    if _CONTROL.search(decoded) or _CONTROL.search(path):
        return "路径含控制字符（如空字节）"
    for segment in decoded.split("/"):
        if segment in (".", "..") or "\\" in segment:
            return "路径含 . 或 .. 或反斜杠"
        if len(segment.encode("utf-8")) > MAX_NAME:
            return "路径中的名称过长"
    return None


def printable(text: str, limit: int = 160) -> str:
    """A request line fit for one terminal line: no escape sequences, cut short."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def make_handler(site: Path, state: BuildState, say: Callable[[str], None] = lambda line: None):
    root = site.resolve()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet: the terminal shows rebuilds, not requests
            pass

        def refuse(self, reason: str) -> None:
            say(f"已拒绝请求（400 {reason}）：{printable(self.requestline)}")
            super().send_error(400, "Bad Request")

        def send_error(self, code, message=None, explain=None):
            if code != 404:  # the stdlib's own refusals (a bad request line, 414, 501): one line each too
                say(f"已拒绝请求（{code}）：{printable(getattr(self, 'requestline', '') or '')}")
            super().send_error(code, message, explain)

        # HTTP/0.9 (`GET /` alone) is answered without a status line, errors too: refused as 1.0
        default_request_version = "HTTP/1.0"

        def parse_request(self) -> bool:
            if not super().parse_request():
                return False
            if len(self.requestline.split()) == 2:
                self.send_error(400, "Bad Request")
                return False
            return True

        def do_HEAD(self):
            reason = refusal(self.path)
            if reason:
                return self.refuse(reason)
            if not self._inside(self.translate_path(self.path)):
                return self.send_error(404, "File not found")
            super().do_HEAD()

        def _inside(self, path: str) -> bool:
            """The file lies in the site, symbolic links followed."""
            try:
                return Path(path).resolve().is_relative_to(root)
            except (OSError, ValueError, RuntimeError):
                return False

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            reason = refusal(self.path)
            if reason:
                return self.refuse(reason)
            route = self.path.split("?", 1)[0]
            if route == STATUS_PATH:
                return self._send(state.json(), "application/json; charset=utf-8")
            if route == SCRIPT_PATH:
                return self._send(RELOAD_SCRIPT.encode("utf-8"), "text/javascript; charset=utf-8")
            path = Path(self.translate_path(self.path))
            if not self._inside(path):
                return self.send_error(404, "File not found")
            try:
                if path.is_dir():
                    path = path / "index.html"
                if path.suffix == ".html" and path.is_file():
                    body = path.read_bytes().replace(b"</body>", SCRIPT_TAG.encode() + b"</body>", 1)
                    return self._send(body, "text/html; charset=utf-8")
            except OSError:
                return self.send_error(404, "File not found")
            super().do_GET()

        def list_directory(self, path):  # a folder without index.html is not shown
            self.send_error(404, "File not found")

    return functools.partial(Handler, directory=str(site))


class Server(http.server.ThreadingHTTPServer):
    """Never prints a traceback: a request that fails past the checks is one line on the terminal."""

    daemon_threads = True

    def __init__(self, address, handler, say: Callable[[str], None]):
        super().__init__(address, handler)
        self.say = say

    def handle_error(self, request, client_address):
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the browser went away
        self.say(f"请求处理出错：{printable(type(error).__name__ + ': ' + str(error))}")


def serve(
    site: Path, watch: list[Path], rebuild: Callable[[], Outcome], port: int, say: Callable[[str], None],
    problems: list[str] | None = None,
) -> None:
    """Serve until interrupted. `rebuild` says whether the site was replaced (not: errors, the old
    site kept) and the problems to show; `problems` are those of the build before serving began."""
    from watchfiles import watch as watch_changes

    state = BuildState(problems)
    server = Server(("127.0.0.1", port), make_handler(site, state, say), say)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    announced = False
    try:
        # Yields an empty set each half second without changes: the first one says the watcher runs,
        # and only then is the address announced, so an edit made as soon as it shows is not missed.
        for changes in watch_changes(*[p for p in watch if p.exists()], yield_on_timeout=True, rust_timeout=500):
            if not announced:
                say(f"预览：http://127.0.0.1:{server.server_address[1]}/  （Ctrl+C 结束）")
                announced = True
            if not changes:
                continue
            outcome = rebuild()
            state.record(outcome)
            if outcome.built:
                say("已重建，浏览器将自动刷新")
    finally:
        server.shutdown()
