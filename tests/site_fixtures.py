"""Declarations for the site tests, building a site with the real command, and reading its pages.

The test site holds the seed (广州市南沙区东涌镇人民政府, 2024) and three departments derived from it
over two years, and the seed's example project forms (examples/2024/nansha-dongchong/projects/). The seed's department comes back in 2025 with changed amounts, a task dropped and
one added, indicators added, removed and changed, so its 2025 page carries the comparison section.
Every derived declaration is built from the seed's data by code here, written as YAML, and passes
`jixiao validate` without errors (warnings about sums are allowed, as for the seed itself).

Builds run the installed `jixiao build site` in a subprocess, as a user would. A build that several
test modules (and pytest-xdist workers) need is made once per test session: `shared_build` keeps it
under the session's temporary root, guarded by a file lock.

Import as `from site_fixtures import ...` (pytest puts tests/ on sys.path for the test modules).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PROJECTS = ROOT / "examples" / "2024" / "nansha-dongchong" / "projects"
SEED_YAML = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
SEED_TXT = Path(__file__).resolve().parent / "data" / "seed.txt"
JIXIAO = Path(sys.executable).parent / "jixiao"
SEED_ID = "nansha-dongchong"
# Debian's Chromium, which the browser tests drive through Playwright.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


# ---- declarations ---------------------------------------------------------------------------------


class _TextLoader(yaml.SafeLoader):
    """Reads numbers with a point as the text written (9830.96 stays "9830.96", exact)."""


_TextLoader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: loader.construct_scalar(node))


def seed_data() -> dict:
    return yaml.load(SEED_YAML.read_text(encoding="utf-8"), Loader=_TextLoader)


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def money(value) -> Decimal:
    return Decimal(str(value).replace(",", ""))


@dataclass(frozen=True)
class Source:
    """One declaration file of a test site: where it goes and the data it holds."""

    year: int
    dept_id: str
    data: dict
    text: str

    @property
    def relative(self) -> Path:
        return Path(str(self.year)) / f"{self.dept_id}.yaml"

    @property
    def name(self) -> str:
        return self.data["department"]["name"]

    @property
    def folder(self) -> str:
        return f"{self.year}/{self.dept_id}"

    def indicators(self) -> list[tuple[str, str, str, dict]]:
        return [
            (cat["level1"], group["level2"], item["level3"], item)
            for cat in self.data["indicators"]
            for group in cat["groups"]
            for item in group["items"]
        ]

    @property
    def total_spending(self) -> Decimal:
        spending = self.data["budget"]["spending"]
        return money(spending["basic"]) + money(spending["project"])


def _source(data: dict, text: str | None = None) -> Source:
    return Source(int(data["year"]), data["department"]["id"], data, text if text is not None else dump(data))


def seed_source() -> Source:
    return _source(seed_data(), SEED_YAML.read_text(encoding="utf-8"))


def _find_item(data: dict, level3: str) -> dict:
    for cat in data["indicators"]:
        for group in cat["groups"]:
            for item in group["items"]:
                if item["level3"] == level3:
                    return item
    raise KeyError(level3)


def _remove_item(data: dict, level3: str) -> None:
    for cat in data["indicators"]:
        for group in cat["groups"]:
            group["items"] = [item for item in group["items"] if item["level3"] != level3]


# What the seed department's 2025 declaration changes, for the comparison tests to look for.
DONGCHONG_2025 = {
    "basic": "10000.00",  # was 9830.96: +169.04 (+1.7%)
    "project": "80000.00",  # was 83136.13: −3,136.13 (−3.8%)
    "new_income": "区财政补助",  # a 收入来源 line that 2024 did not have (其他资金 is dropped)
    "dropped_task": "打造人民满意政府“谱新篇”",
    "new_task": "数字治理“再提速”",
    "changed_task": "经济追赶超越“建新功”",  # funds 1081.46 → 1200.00
    "removed_indicator": "接待游客",
    "added_indicator": "政务服务网上办理率",
    "changed_indicator": "辖区居民满意度",  # ≥ 90% → ≥ 95%
}


def dongchong_2025() -> Source:
    data = seed_data()
    c = DONGCHONG_2025
    data["year"] = 2025
    data["budget"]["spending"] = {"basic": c["basic"], "project": c["project"]}
    data["budget"]["income"] = [{"label": "财政拨款", "amount": "85000.00"}, {"label": c["new_income"], "amount": "5000.00"}]
    data["budget"]["by_level"] = [
        {"label": "镇本级使用资金", "amount": "50000.00"},
        {"label": "区级转移支付支出", "amount": "40000.00"},
    ]
    data["tasks"] = [t for t in data["tasks"] if t["name"] != c["dropped_task"]]
    for task in data["tasks"]:
        if task["name"] == c["changed_task"]:
            task["funds"] = "1200.00"
    data["tasks"].append(
        {
            "name": c["new_task"],
            "content": "①推进政务服务“一网通办”。\n\n②建设基层治理数据平台。",
            "funds": "300.00",
            "goal": "政务服务事项网上可办率稳步提升。",
        }
    )
    _remove_item(data, c["removed_indicator"])
    data["indicators"][0]["groups"][0]["items"].append(
        {"level3": c["added_indicator"], "period_value": "≥ 95%", "annual_value": "≥ 95%"}
    )
    item = _find_item(data, c["changed_indicator"])
    item["period_value"] = item["annual_value"] = "≥ 95%"
    return _source(data)


def huangge_2024() -> Source:
    """Another town in 2024: three tasks, fewer indicators, the 2021 scheme's 成本指标 in use."""
    data = seed_data()
    data["department"] = {"name": "广州市南沙区黄阁镇人民政府", "id": "nansha-huangge"}
    data["basic_info"] = {"staff_count": 120, "subordinate_units": 8}
    data["budget"]["spending"] = {"basic": "4000.50", "project": "6000.25"}
    data["budget"]["income"] = [{"label": "财政拨款", "amount": "10000.75"}]
    data["budget"]["development"] = [{"label": "财政专项资金", "amount": "500.00"}]
    data["budget"]["by_level"] = [
        {"label": "镇本级使用资金", "amount": "7000.00"},
        {"label": "区级转移支付支出", "amount": "3000.75"},
    ]
    data["overall_goal"] = "围绕黄阁镇汽车产业集聚区建设，统筹推进产业发展与民生保障。"
    data["tasks"] = [
        {"name": "汽车产业“强链条”", "content": "①服务整车企业扩产。", "funds": "2000.00", "goal": "产业链更加完整。"},
        {"name": "民生保障“暖人心”", "content": "①办好民生实事。", "funds": "1500.00", "goal": "群众获得感提升。"},
        {"name": "平安黄阁“固根基”", "content": "①深化综合治理。", "funds": "800.00", "goal": "社会治安稳定。"},
    ]
    data["indicators"] = [
        {"level1": "成本指标", "groups": [{"level2": "经济成本指标", "items": [
            {"level3": "重点任务预算控制率", "period_value": "≤ 100%", "annual_value": "≤ 100%"}]}]},
        {"level1": "产出指标", "groups": [{"level2": "数量指标", "items": [
            {"level3": "服务企业户数", "period_value": "≥ 50户", "annual_value": "≥ 50户"}]}]},
        {"level1": "效益指标", "groups": [{"level2": "经济效益指标", "items": [
            {"level3": "新增企业纳税额", "period_value": "≥ 300万元", "annual_value": "≥ 300万元"}]}]},
        {"level1": "满意度指标", "groups": [{"level2": "服务对象满意度指标", "items": [
            {"level3": "黄阁镇居民满意度", "period_value": "≥ 92%", "annual_value": "≥ 92%"}]}]},
    ]
    return _source(data)


def wanqingsha_2025() -> Source:
    """A 2025-only department on the single 指标值 column form, with the signature block and other tasks."""
    data = seed_data()
    data["year"] = 2025
    data["title"] = "部门整体支出绩效目标申报表"
    data["department"] = {"name": "广州市南沙区万顷沙镇人民政府", "id": "nansha-wanqingsha"}
    data["basic_info"] = {"staff_count": 98, "subordinate_units": 6}
    data["budget"]["spending"] = {"basic": "3000.00", "project": "2500.00"}
    data["budget"]["income"] = [{"label": "财政拨款", "amount": "5500.00"}]
    data["budget"]["development"] = []
    data["budget"]["by_level"] = [{"label": "镇本级使用资金", "amount": "5500.00"}]
    data["overall_goal"] = "建设现代农业示范区，推进**水乡振兴**。"
    data["tasks"] = [
        {"name": "现代农业“提质效”", "content": "①建设高标准农田。\n②推广稻鱼共生。", "funds": "1500.00",
         "goal": "农业产值增长。"},
        {"name": "水乡治理“见实效”", "content": "①整治河涌。", "funds": "700.00", "goal": "水质稳定达标。"},
    ]
    data["other_tasks"] = "配合区有关部门完成[农业普查](https://example.gov.cn/census)工作。"
    data["indicators"] = [
        {"level1": "产出指标", "groups": [{"level2": "数量指标", "items": [
            {"level3": "新建高标准农田面积", "value": "≥ 3000亩"},
            {"level3": "河涌整治条数", "value": "≥ 12条"}]}]},
        {"level1": "效益指标", "groups": [{"level2": "生态效益指标", "items": [
            {"level3": "河涌水质达标率", "value": "100%"}]}]},
        {"level1": "满意度指标", "groups": [{"level2": "服务对象满意度指标", "items": [
            {"level3": "万顷沙镇群众满意度", "value": "≥ 90%"}]}]},
    ]
    data["filing"] = {"unit": "广州市南沙区万顷沙镇人民政府", "head": "张三", "preparer": "李四",
                      "phone": "020-12345678", "date": "2025-01-20"}
    return _source(data)


def test_sources() -> list[Source]:
    """Four declarations: 2024 the seed and 黄阁; 2025 东涌 again (changed) and 万顷沙."""
    return [seed_source(), huangge_2024(), dongchong_2025(), wanqingsha_2025()]


test_sources.__test__ = False  # a helper, not a test


# The search test site: a dozen small declarations whose indicators are made of these words, so that
# which pages hold a query is known from the YAML texts alone (no word below is in the site's labels).
SEARCH_SUBJECTS = ["红树林", "珊瑚礁", "候鸟", "古榕树", "龙舟", "灯塔", "蚝田", "咸水歌"]
SEARCH_MEASURES = ["修复面积", "巡护次数", "监测点位", "保护名录"]


def search_sources() -> list[Source]:
    """Twelve departments (six a year in 2024 and 2025), each with three indicators named subject +
    measure from the lists above, in varied combinations."""
    sources = []
    for k in range(12):
        data = huangge_2024().data
        data["year"] = 2024 if k < 6 else 2025
        data["department"] = {"name": f"测试市第{k + 1}号单位", "id": f"test-unit-{k + 1:02d}"}
        data["overall_goal"] = "统筹推进本单位年度工作。"
        data["tasks"] = [{"name": "日常运转", "content": "①保障机构正常运转。", "funds": "1000.00", "goal": "运转正常。"}]
        s, m = SEARCH_SUBJECTS, SEARCH_MEASURES
        names = [s[k % 8] + m[k % 4], s[(3 * k + 1) % 8] + m[(k // 3 + 1) % 4], m[(k + 2) % 4] + "（" + s[(5 * k + 2) % 8] + "）"]
        data["indicators"] = [
            {"level1": "产出指标", "groups": [{"level2": "数量指标", "items": [
                {"level3": names[0], "period_value": "≥ 10个", "annual_value": "≥ 10个"},
                {"level3": names[1], "period_value": "≥ 20个", "annual_value": "≥ 20个"}]}]},
            {"level1": "效益指标", "groups": [{"level2": "生态效益指标", "items": [
                {"level3": names[2], "period_value": "≥ 30个", "annual_value": "≥ 30个"}]}]},
            {"level1": "满意度指标", "groups": [{"level2": "服务对象满意度指标", "items": [
                {"level3": "群众满意率", "period_value": "≥ 90%", "annual_value": "≥ 90%"}]}]},
        ]
        sources.append(_source(data))
    return sources


def write_sources(root: Path, sources: list[Source]) -> Path:
    for source in sources:
        target = root / source.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.text.encode("utf-8"))
    return root


# Hostile text: markup, a script URL as a Markdown link, a template expression, quotes, ampersands.
HOSTILE = (
    '<script>alert(1)</script> <img src=x onerror=alert(1)> "><svg onload=alert(1)> '
    "[x](javascript:alert(1)) {{ 7*7 }} 'q' \"qq\" & &amp; &lt;b&gt;"
)
HOSTILE_BLOCK = (
    '<div onclick="alert(1)">\n<iframe src="javascript:alert(1)"></iframe>\n<style>body{display:none}</style>\n'
    '<object data="x.swf"></object><a href="javascript:alert(1)">点我</a>\n</div>'
)
# Fields whose text validation restricts: the id (a file and folder name), the year, the 一级指标 (one
# of four official names). Every other string takes hostile text.
KEPT = {"id", "year", "level1"}
# The fields that are Markdown (rendered through the sanitiser); every other string is plain text.
MARKDOWN_FIELDS = {"overall_goal", "content", "goal", "other_tasks"}


def hostile_source() -> Source:
    """The seed with hostile text in every string field (each one told apart by a number), amounts,
    counts, year and department id kept valid so that the declaration still builds."""
    data = seed_data()
    counter = iter(range(1, 10_000))

    def walk(node, key=None):
        if isinstance(node, dict):
            return {k: (node[k] if k in KEPT else walk(node[k], k)) for k in node}
        if isinstance(node, list):
            return [walk(item, key) for item in node]
        if key in ("amount", "funds", "basic", "project", "staff_count", "subordinate_units"):
            return node
        if isinstance(node, str) or node is None:
            text = f"恶意{next(counter)}号 {HOSTILE}"
            if key in MARKDOWN_FIELDS:
                text += f"\n\n{HOSTILE_BLOCK}\n\n段落尾{next(counter)}号"
            return text
        return node

    data = walk(data)
    data["department"]["id"] = "hostile-dept"
    data["filing"] = {"unit": f"恶意单位 {HOSTILE}", "head": HOSTILE, "preparer": HOSTILE, "phone": HOSTILE}
    # cells a spreadsheet would run as formulas
    first = data["indicators"][0]["groups"][0]["items"][0]
    data["tasks"][0]["name"] = FORMULAS["task"]
    first["level3"] = FORMULAS["indicator"]
    first["period_value"] = FORMULAS["value"]
    data["budget"]["income"][0]["label"] = FORMULAS["label"]
    return _source(data)


FORMULAS = {
    "task": '=HYPERLINK("http://example.org/x","点击")',
    "indicator": "+cmd|' /C calc'!A0",
    "value": "-2+3",
    "label": "@SUM(A1:A2)",
}


# ---- building -------------------------------------------------------------------------------------


def jixiao(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    assert JIXIAO.exists(), f"{JIXIAO} is not installed"
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(JIXIAO), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=timeout
    )


def build_site(declarations: Path, out: Path, pdf_cache: Path) -> Path:
    result = jixiao("build", "site", "--out", str(out), "--pdf-cache", str(pdf_cache), str(declarations))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return out


def shared_root(tmp_path_factory) -> Path:
    """A folder shared by every xdist worker of this run (or this run's own, without xdist)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return root / "jixiao-site-tests"


def shared_build(tmp_path_factory, name: str, sources: Callable[[], list[Source]]) -> tuple[Path, Path]:
    """(declarations folder, built site) made once per test session and shared."""
    root = shared_root(tmp_path_factory) / name
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = root / "done"
            if not done.exists():
                if root.exists():
                    shutil.rmtree(root)
                declarations = write_sources(root / "declarations", sources())
                if name == "main":  # the seed's projects, so every page kind is on the test site
                    shutil.copytree(EXAMPLE_PROJECTS, declarations / "2024" / "nansha-dongchong" / "projects")
                build_site(declarations, root / "site", root / "cache")
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return root / "declarations", root / "site"


# ---- reading pages --------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], parent: "Node | None"):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list["Node | str"] = []

    def get(self, name: str) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return None

    @property
    def classes(self) -> list[str]:
        return (self.get("class") or "").split()

    def iter(self, tag: str | None = None) -> Iterator["Node"]:
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find(self, tag: str | None = None, cls: str | None = None, **attrs) -> "Node | None":
        for node in self.iter(tag):
            if cls is not None and cls not in node.classes:
                continue
            if all(node.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                return node
        return None

    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def ancestors(self) -> Iterator["Node"]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def normalise(text: str) -> str:
    """Whitespace runs as one space, <p> and </p> tags (as the reference text has them) dropped."""
    return re.sub(r"\s+", " ", re.sub(r"</?p>", " ", text)).strip()


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def seed_cells() -> list[str]:
    """Every non-empty cell of the reference text of the official form (tests/data/seed.txt)."""
    cells = []
    for line in SEED_TXT.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            cells.append(line[3:].strip())
            continue
        cells += [normalise(cell) for cell in line.split("\t") if normalise(cell)]
    return cells


# ---- a folder served to Chromium -------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A page that navigates on while a file is still being sent closes the connection: no failure.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def static_server(root: Path) -> Iterator[str]:
    """`root` served on 127.0.0.1 for the browser tests: yields its origin, ending in /."""
    httpd = _QuietServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def run_axe(page) -> list[str]:
    """axe-core's violations on the page as it is now, a line each ("id (impact): help — targets")."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run()).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    ]


def query(page) -> dict:
    """The page's URL parameters now. From location itself: Playwright's page.url follows
    replaceState only after a round trip."""
    return {k: v[0] for k, v in parse_qs(urlsplit(page.evaluate("location.href")).query).items()}


@contextmanager
def chromium():
    """Debian's headless Chromium, driven by Playwright (its own browser download does not work here)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: tools/system-deps.sh test installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
