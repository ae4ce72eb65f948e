"""Shared test helpers: synthetic declarations of any size, and reading a rendered PDF back.

Synthetic declarations (`synthetic_declaration`, `declaration_yaml`) are deterministic: the same
arguments always give the same YAML text, byte for byte. They pass `jixiao validate` with no error
and no warning: amounts add up, every 二级指标 is an official one under its 一级, every 三级 name
and value is unique (so a test can look for each one), every value has a unit.

The PDF readers use the real tools: pdftotext -bbox for word boxes, pdffonts, and pypdf for the
ruled lines of the tables and the text runs' positions (`pdf_runs_and_rules`). `read_layout`
rebuilds each page as table cells (the rectangles the ruled lines enclose) holding their text, so a
check can ask "is this cell's text there, whole, in this column, on this page, after that one"
without depending on the reading order pdftotext guesses for a table; `Layout.match` follows a cell
that a page break split into the same column on the next page.

Import as `from fixtures import ...` (pytest puts tests/ on sys.path for the test modules).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
SEED_YAML = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
SEED_TXT = Path(__file__).resolve().parent / "data" / "seed.txt"

# ---- synthetic declarations -------------------------------------------------------------------

# The legacy scheme's (一级, 二级) pairs, in the order a form lists them.
DEFAULT_GROUPS: tuple[tuple[str, str], ...] = (
    ("产出指标", "数量指标"),
    ("产出指标", "质量指标"),
    ("产出指标", "时效指标"),
    ("产出指标", "成本指标"),
    ("效益指标", "经济效益指标"),
    ("效益指标", "社会效益指标"),
    ("效益指标", "生态效益指标"),
    ("效益指标", "可持续影响指标"),
    ("满意度指标", "服务对象满意度指标"),
)

# Plain words to build sentences from: common characters every CJK face has, nothing Markdown reads.
_WORDS = (
    "统筹推进", "基层治理", "公共服务", "民生保障", "产业发展", "生态环境", "安全生产", "乡村振兴",
    "营商环境", "文化旅游", "教育事业", "医疗卫生", "养老服务", "交通设施", "水利工程", "数字政府",
    "财政资金", "绩效管理", "监督检查", "宣传培训", "队伍建设", "制度完善", "项目建设", "服务质量",
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


class _Rng:
    """A tiny linear congruential generator: deterministic on every Python, no global state."""

    def __init__(self, seed: int):
        self.state = (seed * 2654435761 + 12345) % 2**32

    def next(self, n: int) -> int:
        self.state = (self.state * 1103515245 + 12345) % 2**31
        return (self.state >> 8) % n


def _sentence(rng: _Rng, words: int) -> str:
    parts = [_WORDS[rng.next(len(_WORDS))] for _ in range(words)]
    return "，".join(parts) + "。"


@dataclass(frozen=True)
class IndicatorRow:
    level1: str
    level2: str
    level3: str
    period_value: str | None
    annual_value: str | None
    value: str | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for v in (self.period_value, self.annual_value, self.value) if v is not None)


@dataclass(frozen=True)
class SyntheticTask:
    name: str
    content: str  # Markdown: paragraphs separated by a blank line
    funds: Decimal
    goal: str

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.content.split("\n\n") if p]


@dataclass(frozen=True)
class Synthetic:
    """A generated declaration: its YAML text and everything a test may look for in the output."""

    text: str
    year: int
    dept_id: str
    department: str
    title: str
    overall_goal: str
    tasks: tuple[SyntheticTask, ...]
    indicators: tuple[IndicatorRow, ...]
    sentinels: tuple[str, ...]  # tokens in the long task's content, each exactly once in the declaration
    amounts: dict = field(default_factory=dict)  # field name → Decimal, as filed

    @property
    def relative_path(self) -> Path:
        return Path(str(self.year)) / f"{self.dept_id}.yaml"

    def write(self, root: Path) -> Path:
        """Write to root/<year>/<id>.yaml (the layout `jixiao` expects) and return the path."""
        path = Path(root) / self.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.text.encode("utf-8"))
        return path

    @property
    def level1_names(self) -> list[str]:
        return list(dict.fromkeys(row.level1 for row in self.indicators))

    @property
    def level2_groups(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys((row.level1, row.level2) for row in self.indicators))


def _q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one), characters kept as they are."""
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: str) -> str:
    """A literal block scalar (|-) holding `text` exactly; blank lines stay blank."""
    lines = text.split("\n")
    return "|-\n" + "\n".join(f"{indent}{line}" if line else "" for line in lines)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _spread(total: int, parts: int) -> list[int]:
    """`total` items over `parts` groups as evenly as possible, the first groups taking the extra ones."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _pick_groups(groups: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    """At most `count` groups in form order, the first of each 一级 taken first: with three or more
    indicators a declaration has 产出, 效益 and 满意度, as the checks require."""
    if count >= len(groups):
        return groups
    firsts = [i for i, (level1, _) in enumerate(groups) if level1 not in {g[0] for g in groups[:i]}]
    order = firsts + [i for i in range(len(groups)) if i not in firsts]
    return [groups[i] for i in sorted(order[:count])]


def synthetic_declaration(
    tasks: int = 3,
    indicators: int = 6,
    *,
    year: int = 2025,
    dept_id: str = "test-dept",
    department: str = "测试市示范区综合事务管理局",
    title: str = "部门整体预算绩效目标申报表",
    groups: Sequence[tuple[str, str]] | None = None,
    group_sizes: Sequence[int] | None = None,
    long_task: int | None = None,
    long_paragraphs: int = 36,
    single_value: bool = False,
    other_tasks: str | None = None,
    seed: int = 0,
    tag: str = "",
) -> Synthetic:
    """A valid declaration with `tasks` tasks and `indicators` 三级指标.

    groups: the (一级, 二级) pairs to spread the indicators over (default: the nine legacy ones;
    fewer indicators than groups use only the first groups). group_sizes: how many indicators each
    group gets (default: as even as possible). long_task: index of a task whose 主要实施内容 is
    `long_paragraphs` paragraphs (about 130 characters each; 36 is over three A4 landscape pages)
    carrying the sentinels. tag: a short string put into every generated name, so that two
    synthetic declarations in one build are told apart. Same arguments, same text.
    """
    if tasks < 1 or indicators < 1:
        raise ValueError("a declaration has at least one task and one indicator")
    rng = _Rng(seed)
    groups = list(groups or DEFAULT_GROUPS)
    if group_sizes is None:
        used = _pick_groups(groups, indicators)
        sizes = _spread(indicators, len(used))
    else:
        if sum(group_sizes) != indicators or len(group_sizes) > len(groups) or min(group_sizes) < 1:
            raise ValueError("group_sizes must be positive and add up to `indicators`")
        used, sizes = groups[: len(group_sizes)], list(group_sizes)

    sentinels: list[str] = []
    task_list: list[SyntheticTask] = []
    for i in range(tasks):
        number = i + 1
        name = f"{tag}重点任务第{number}项{_WORDS[i % len(_WORDS)]}"
        if i == long_task:
            paragraphs = []
            for p in range(long_paragraphs):
                token = f"哨兵{tag}{p + 1:03d}号"
                sentinels.append(token)
                head = _sentence(rng, 6)
                paragraphs.append(
                    f"{_CIRCLED[p % len(_CIRCLED)]}第{p + 1}段。{head}{token}{_sentence(rng, 12)}{_sentence(rng, 9)}"
                )
            content = "\n\n".join(paragraphs)
        else:
            content = "\n\n".join(
                f"{_CIRCLED[k]}{_sentence(rng, 3 + rng.next(6))}" for k in range(1 + (i % 3))
            )
        funds = Decimal(10 + (number * 37) % 500) + Decimal(number % 4) / 4
        goal = f"{tag}任务{number}目标：{_sentence(rng, 2 + rng.next(4))}"
        task_list.append(SyntheticTask(name, content, funds.quantize(Decimal("0.01")), goal))

    rows: list[IndicatorRow] = []
    n = 0
    for (level1, level2), size in zip(used, sizes):
        for _ in range(size):
            n += 1
            level3 = f"{tag}测评事项{n:04d}号"
            if single_value:
                rows.append(IndicatorRow(level1, level2, level3, None, None, f"≥ {n}件"))
            else:
                rows.append(IndicatorRow(level1, level2, level3, f"≥ {n}件", f"≤ {n}天"))

    # Amounts that add up: tasks within 项目支出, 事业发展性支出 within it, income and levels equal to spending.
    task_total = sum((t.funds for t in task_list), Decimal(0))
    project = task_total + Decimal("1234.56")
    basic = Decimal("5830.96") + Decimal(year % 100)
    spending = basic + project
    other_income = Decimal("98.17")
    own_level = (spending * Decimal("0.6")).quantize(Decimal("0.01"))
    special = (project / 8).quantize(Decimal("0.01"))
    amounts = {
        "basic": basic,
        "project": project,
        "财政拨款": spending - other_income,
        "其他资金": other_income,
        "财政专项资金": special,
        "其他事业发展性支出": (project / 4).quantize(Decimal("0.01")),
        "本级使用资金": own_level,
        "上级转移支付支出": spending - own_level,
    }
    overall_goal = f"{tag}围绕年度工作目标，{_sentence(rng, 10)}"

    out = [
        f"# 合成的测试申报（tests/fixtures.py）：{tasks} 项任务，{indicators} 个三级指标。",
        f"title: {_q(title)}",
        f"year: {year}",
        "department:",
        f"  name: {_q(department)}",
        f"  id: {dept_id}",
        "basic_info:",
        f"  staff_count: {100 + tasks}",
        f"  subordinate_units: {1 + indicators % 20}",
        "budget:",
        "  spending:",
        f"    basic: {_money(basic)}",
        f"    project: {_money(project)}",
        "  income:",
        f"    - {{label: 财政拨款, amount: {_money(amounts['财政拨款'])}}}",
        f"    - {{label: 其他资金, amount: {_money(other_income)}}}",
        "  development:",
        f"    - {{label: 财政专项资金, amount: {_money(special)}}}",
        f"    - {{label: 其他事业发展性支出, amount: {_money(amounts['其他事业发展性支出'])}}}",
        "  by_level:",
        f"    - {{label: 本级使用资金, amount: {_money(own_level)}}}",
        f"    - {{label: 上级转移支付支出, amount: {_money(amounts['上级转移支付支出'])}}}",
        f"overall_goal: {_q(overall_goal)}",
        "tasks:",
    ]
    for task in task_list:
        out += [
            f"  - name: {_q(task.name)}",
            f"    content: {_block(task.content, '      ')}",
            f"    funds: {_money(task.funds)}",
            f"    goal: {_q(task.goal)}",
        ]
    out.append(f"other_tasks: {_q(other_tasks)}" if other_tasks is not None else "other_tasks:")
    out.append("indicators:")
    last1 = last2 = None
    for row in rows:
        if row.level1 != last1:
            out += [f"  - level1: {row.level1}", "    groups:"]
            last1, last2 = row.level1, None
        if row.level2 != last2:
            out += [f"      - level2: {row.level2}", "        items:"]
            last2 = row.level2
        out.append(f"          - level3: {_q(row.level3)}")
        if single_value:
            out.append(f"            value: {_q(row.value)}")
        else:
            out.append(f"            period_value: {_q(row.period_value)}")
            out.append(f"            annual_value: {_q(row.annual_value)}")
    text = "\n".join(out) + "\n"
    return Synthetic(
        text=text,
        year=year,
        dept_id=dept_id,
        department=department,
        title=title,
        overall_goal=overall_goal,
        tasks=tuple(task_list),
        indicators=tuple(rows),
        sentinels=tuple(sentinels),
        amounts=amounts,
    )


def declaration_yaml(tasks: int = 3, indicators: int = 6, **options) -> str:
    """Just the YAML text of `synthetic_declaration(tasks, indicators, **options)`."""
    return synthetic_declaration(tasks, indicators, **options).text


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line containing `needle`."""
    found = [n for n, line in enumerate(text.split("\n"), 1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def replace_once(text: str, old: str, new: str) -> str:
    """A small edit of a known-good file: `old` must stand there exactly once."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def only(found):
    """The one problem a check found (the list printed when there are more or none)."""
    found = list(found)
    assert len(found) == 1, [p.format() for p in found]
    return found[0]


# ---- reading a PDF back -----------------------------------------------------------------------


def squash(text: str) -> str:
    """Text with every kind of whitespace removed: line breaks in a PDF are where the cell was full."""
    return re.sub(r"\s+", "", text)


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=120).stdout


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    """pdftotext's text of the whole file or of pages first..last."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if first is not None:
        args += ["-f", str(first), "-l", str(last if last is not None else first)]
    return run(*args, str(path), "-")


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def pdffonts(path: Path) -> list[FontRow]:
    lines = run("pdffonts", str(path)).splitlines()
    assert lines[0].split()[:2] == ["name", "type"] and lines[1].startswith("---"), lines[:2]
    rows = []
    for line in lines[2:]:
        parts = line.split()
        # name, type (may contain spaces), encoding, emb, sub, uni, object, ID
        emb, sub, uni = parts[-5:-2]
        rows.append(FontRow(parts[0], " ".join(parts[1:-6]), emb == "yes", sub == "yes", uni == "yes"))
    return rows


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    x0: float
    y0: float  # from the top of the page, as pdftotext reports it
    x1: float
    y1: float
    text: str

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def pdf_words(path: Path) -> tuple[list[tuple[float, float]], list[Word]]:
    """(page sizes, every word with its box) from pdftotext -bbox."""
    xml = run("pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-")
    root = ET.fromstring(xml)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    sizes, words = [], []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), 1):
        sizes.append((float(page.get("width")), float(page.get("height"))))
        for word in page.findall("h:word", ns):
            words.append(
                Word(number, *(float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), word.text or "")
            )
    return sizes, words


@dataclass(frozen=True)
class Run:
    """A piece of text as pypdf's visitor reports it: its baseline origin, from the top of the page."""

    page: int
    x: float
    y: float
    size: float
    font: str
    text: str


def _multiply(m: Sequence[float], n: Sequence[float]) -> list[float]:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]


def pdf_runs_and_rules(data: bytes):
    """Per page: the text runs (pypdf visitor_text) and the ruled lines (m … l in the content stream).

    Rules come back as ('v', x, y_top, y_bottom) or ('h', y, x_left, x_right), in points from the
    top-left corner, like pdftotext's word boxes.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = []
    for number, page in enumerate(reader.pages, 1):
        height = float(page.mediabox.height)
        runs: list[Run] = []
        segments: list[tuple[float, float, float, float]] = []
        start: list[float | None] = [None]

        def point(x: float, y: float, cm) -> tuple[float, float]:
            a, b, c, d, e, f = cm
            return a * x + c * y + e, height - (b * x + d * y + f)

        def before(operator, operands, cm, tm):
            if operator == b"m":
                start[0] = point(float(operands[0]), float(operands[1]), cm)
            elif operator == b"l" and start[0] is not None:
                end = point(float(operands[0]), float(operands[1]), cm)
                segments.append((*start[0], *end))
                start[0] = end

        def text(content, cm, tm, font, size):
            if not content.strip():
                return
            m = _multiply(tm, cm)
            name = str(font.get("/BaseFont", "")) if font else ""
            scale = (m[2] ** 2 + m[3] ** 2) ** 0.5  # the font size in points after both matrices
            runs.append(Run(number, m[4], height - m[5], size * scale, name, content))

        page.extract_text(visitor_text=text, visitor_operand_before=before)
        vertical = [(x0, min(y0, y1), max(y0, y1)) for x0, y0, x1, y1 in segments if abs(x0 - x1) < 0.01]
        horizontal = [(y0, min(x0, x1), max(x0, x1)) for x0, y0, x1, y1 in segments if abs(y0 - y1) < 0.01]
        rules = [("v", *r) for r in _merge(vertical)] + [("h", *r) for r in _merge(horizontal)]
        pages.append((runs, rules))
    return pages


def _merge(segments: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear segments (same position within 0.1 pt) that touch or overlap, joined into one line:
    WeasyPrint draws a table's rules cell edge by cell edge."""
    merged: list[list[float]] = []
    for at, start, end in sorted(segments, key=lambda s: (round(s[0], 1), s[1])):
        last = merged[-1] if merged else None
        if last and round(last[0], 1) == round(at, 1) and start <= last[2] + 1.0:
            last[2] = max(last[2], end)
        else:
            merged.append([at, start, end])
    return [tuple(m) for m in merged]


@dataclass
class Cell:
    """A rectangle enclosed by ruled lines on one page and the words inside it, in reading order;
    or, `loose`, a run of words on one line outside every table (the title, the footer)."""

    page: int
    left: float
    top: float
    right: float
    bottom: float
    words: list[Word] = field(default_factory=list)
    loose: bool = False

    @property
    def text(self) -> str:
        return squash("".join(w.text for w in self.words))

    def column(self) -> tuple[float, float]:
        return (round(self.left, 1), round(self.right, 1))


@dataclass
class Layout:
    """A rendered PDF as pages of cells, in reading order: page, then top edge, then left edge."""

    sizes: list[tuple[float, float]]
    words: list[Word]
    runs: list[Run]
    cells: list[Cell]

    @property
    def pages(self) -> int:
        return len(self.sizes)

    def page_cells(self, page: int) -> list[Cell]:
        return [c for c in self.cells if c.page == page]

    def find(self, text: str) -> list[Cell]:
        """Cells whose whole text is `text` (whitespace ignored)."""
        want = squash(text)
        return [c for c in self.cells if c.text == want]

    def match(self, text: str, start: int = 0) -> tuple[int, list[Cell]] | None:
        """The first cell at or after index `start` holding `text` whole, or the cells holding it split
        over page breaks (its start on page p, the rest in the same column on page p+1, …).
        Returns the index of the (first) cell and the cells; None if there is none."""
        want = squash(text)
        if not want:
            return None
        for index in range(start, len(self.cells)):
            got = self.cells[index].text
            if got == want:
                return index, [self.cells[index]]
            if got and want.startswith(got):
                chain = self._continue(self.cells[index], want[len(got):])
                if chain is not None:
                    return index, [self.cells[index], *chain]
        return None

    def _continue(self, cell: Cell, rest: str) -> list[Cell] | None:
        for nxt in self.page_cells(cell.page + 1):
            if nxt.loose or nxt.column() != cell.column() or not nxt.text:
                continue
            if nxt.text == rest:
                return [nxt]
            if rest.startswith(nxt.text):
                more = self._continue(nxt, rest[len(nxt.text):])
                if more is not None:
                    return [nxt, *more]
        return None


def _cell_of(word: Word, rules) -> tuple[float, float, float, float] | None:
    """The rectangle of ruled lines closest around a word's centre, or None outside any table.

    A row broken by a page break has no rule under it on the first page (nor has the open column
    under the tasks' row label): there the cell ends where its side rules end.
    """
    cx, cy = word.cx, word.cy
    slack = 1.0
    lefts = [r for r in rules if r[0] == "v" and r[1] < cx and r[2] - slack <= cy <= r[3] + slack]
    rights = [r for r in rules if r[0] == "v" and r[1] > cx and r[2] - slack <= cy <= r[3] + slack]
    if not (lefts and rights):
        return None
    left = max(lefts, key=lambda r: r[1])
    right = min(rights, key=lambda r: r[1])
    tops = [r[1] for r in rules if r[0] == "h" and r[1] < cy and r[2] - slack <= cx <= r[3] + slack]
    bottoms = [r[1] for r in rules if r[0] == "h" and r[1] > cy and r[2] - slack <= cx <= r[3] + slack]
    top = max([*tops, max(left[2], right[2])])
    bottom = min([*bottoms, min(left[3], right[3])])
    return left[1], top, right[1], bottom


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines (centres within 3 pt), top to bottom, each line left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines and abs(lines[-1][0].cy - word.cy) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def read_layout(path: Path) -> Layout:
    """Rebuild the tables of a PDF from its ruled lines and word boxes."""
    data = Path(path).read_bytes()
    sizes, words = pdf_words(path)
    pages = pdf_runs_and_rules(data)
    assert len(pages) == len(sizes)
    cells: dict[tuple, Cell] = {}
    loose: dict[int, list[Word]] = {}
    for word in words:
        rect = _cell_of(word, pages[word.page - 1][1])
        if rect is None:
            loose.setdefault(word.page, []).append(word)
            continue
        key = (word.page, *(round(v, 1) for v in rect))
        cells.setdefault(key, Cell(word.page, *rect)).words.append(word)
    found = list(cells.values())
    for cell in found:
        cell.words = [w for line in _lines(cell.words) for w in line]
    for page, page_words in loose.items():
        for line in _lines(page_words):
            # Words on one line a gap of less than two line heights apart read as one run.
            run_ = [line[0]]
            for word in line[1:]:
                if word.x0 - run_[-1].x1 < 2 * (word.y1 - word.y0):
                    run_.append(word)
                else:
                    found.append(_loose_cell(page, run_))
                    run_ = [word]
            found.append(_loose_cell(page, run_))
    found.sort(key=lambda c: (c.page, round(c.top, 1), round(c.left, 1)))
    runs = [run for page_runs, _rules in pages for run in page_runs]
    return Layout(sizes=sizes, words=words, runs=runs, cells=found)


def _loose_cell(page: int, words: list[Word]) -> Cell:
    return Cell(
        page, min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words),
        max(w.y1 for w in words), list(words), loose=True,
    )


# ---- the seed's reference text ---------------------------------------------------------------


def seed_reference(path: Path = SEED_TXT) -> list[list[str]]:
    """tests/data/seed.txt as rows of non-empty cells: <p> tags stripped, whitespace squashed out.

    The dump flattens merged cells (an empty cell stands where a merged one continues) and shifts two
    indicator rows by a column (see the design notes); dropping the empty cells keeps every row's
    cells in their reading order, which is what a check of order needs.
    """
    rows = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        cells = [squash(re.sub(r"</?p>", "", cell)) for cell in line.split("\t")]
        cells = [re.sub(r"^#+", "", cell) for cell in cells]  # the dump marks the title as a heading
        cells = [cell for cell in cells if cell]
        if cells:
            rows.append(cells)
    return rows


# An empty key the skeleton of `jixiao new` leaves for the user, with its comment kept.
EMPTY_KEY = re.compile(r"^(?P<lead>\s*(?:- )?)(?P<key>[a-z_0-9]+):(?P<gap>[ \t]*)(?P<rest>(?:>-\s*)?(?:#.*)?)$")


def fill_skeleton(skeleton: str, fill: dict[str, list[str]]) -> str:
    """Type a value after every empty key of a skeleton, in the order the keys appear, keeping every
    comment; `fill` maps a key to the values it takes, one per occurrence, and all must be used."""
    todo = {key: list(values) for key, values in fill.items()}
    out = skeleton.split("\n")
    for i, line in enumerate(out):
        match = EMPTY_KEY.match(line)
        if not match or not todo.get(match["key"]):
            continue
        value = todo[match["key"]].pop(0)
        if match["rest"].startswith(">-"):
            # A folded block: the skeleton leaves an indented blank line for the text.
            assert out[i + 1].strip() == "", out[i + 1]
            out[i + 1] = out[i + 1] + value
        else:
            out[i] = f"{match['lead']}{match['key']}: {value}{match['gap']}{match['rest']}"
    assert all(not values for values in todo.values()), f"skeleton had fewer empty keys than expected: {todo}"
    return "\n".join(out)
