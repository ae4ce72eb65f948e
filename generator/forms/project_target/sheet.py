"""The 项目支出绩效目标申报表 as a spreadsheet: written in the official layout (the blocks of its
form.html), read back from any workbook that holds it (found by its labels), and the YAML house
style of examples/2024/nansha-dongchong/projects/*.yaml. The same interface as the department
form's sheet module: sheet_title, write_sheet, recognise, read_sheet, to_yaml.

Amounts keep the decimals they are written with (up to six, as budget systems write them): a cell's
number format shows them all, and reading takes the decimals the format shows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import partial
from typing import Any

from generator.render.paginate import Plan
from generator.core.problems import Problem
from generator.excel.read import Grid, Placement, SheetReader, squash, unit_of
from generator.excel.write import CENTER, LABEL, PROSE, TEXT, WIDTHS, SheetWriter, Style, money_style, print_setup, prose_cell, sheet_name, write_indicators
from generator.excel.yaml_style import amount_text, comment, header, indicators_lines, prose, scalar
from generator.forms.project_target.model import label, DEFAULT_ATTRIBUTES, DEFAULT_TITLE, ProjectTarget
from generator.forms.project_target.views import context as form_context

CODE = Style(number_format="@")  # 项目编码, 联系电话: text, never a number
CHOSEN, NOT_CHOSEN = "■", "□"
FUNDS = re.sub(r"[（(].*$", "", label("funds"))  # 项目资金, whatever unit follows
# Labels as circulated forms also write them (besides the model's titles).
ALIASES = {
    "project.name": (label("project.name"),),
    "project.code": (label("project.code"), "项目代码", "项目编号"),
    "department": (label("department"), "主管部门及代码", "主管单位"),
    "implementer": (label("implementer"), "实施单位及代码"),
    "project.attribute": (label("project.attribute"), "项目类型"),
    "project.period": (label("project.period"), "项目周期", "项目起止时间", "项目实施期", "实施期限"),
    "project.manager": (label("project.manager"), "项目联系人"),
    "project.phone": (label("project.phone"),),
    "funds.total.period": (label("funds.total.period"), "中期资金总额", "实施期资金"),
    "funds.total.annual": (label("funds.total.annual"), "年度资金"),
    "goals": (label("goals"), "绩效目标"),
    "goals.period": (label("goals.period"), "实施期总目标", "中期目标"),
    "goals.annual": (label("goals.annual"), "年度总目标"),
}
TOTAL_LABELS = {squash(text) for text in (label("funds.total"), "合计", "总计", "资金总额合计")}
MARKS = "■□☑☐√✓✔✅☒×"  # chosen (filled, ticked) and not (empty box)


# ---- writing ----------------------------------------------------------------------------------------


def sheet_title(doc: ProjectTarget) -> str:
    """The sheet's name: the project's."""
    return sheet_name(doc.project.name, doc.project.id)


def write_sheet(doc: ProjectTarget, worksheet) -> None:
    """The official form on `worksheet`: merged cells, borders, wrapped text, fitted rows, A4 landscape."""
    d = doc
    context = form_context(d, Plan())
    w = SheetWriter(worksheet, WIDTHS)
    header_rows = w.heading(d.title, d.year)

    r = w.next_row()
    w.put(r, 1, label("project.name"), LABEL)
    w.put(r, 2, d.project.name, TEXT, to_col=5)
    if d.project.code:
        r = w.next_row()
        w.put(r, 1, label("project.code"), LABEL)
        w.put(r, 2, d.project.code, CODE, to_col=5)
    pairs = [
        (label("department"), d.department.name, label("implementer"), d.implementer),
        (label("project.attribute"), "　".join(f"{CHOSEN if chosen else NOT_CHOSEN}{option}" for option, chosen in context["attributes"]),
         label("project.period"), context["period_text"]),
    ]
    if d.project.manager or d.project.phone:
        pairs.append((label("project.manager"), d.project.manager or "", label("project.phone"), d.project.phone or ""))
    for left, left_value, right, right_value in pairs:
        r = w.next_row()
        w.put(r, 1, left, LABEL)
        w.put(r, 2, left_value, CODE, to_col=3)
        w.put(r, 4, right, LABEL)
        w.put(r, 5, right_value, CODE)

    first = w.next_row()
    w.put(first, 1, label("funds"), LABEL, to_row=first + len(d.funds.sources) + 1)
    w.put(first, 2, "", LABEL)
    w.put(first, 3, label("funds.total.period"), LABEL)
    w.put(first, 4, label("funds.total.annual"), LABEL, to_col=5)
    rows = [(label("funds.total"), d.funds.total.period, d.funds.total.annual, LABEL)]
    rows += [(f"{label('funds.sources')}：{s.label}" if n == 0 else s.label, s.period, s.annual, CENTER) for n, s in enumerate(d.funds.sources)]
    for text, period, annual, style in rows:
        r = w.next_row()
        w.put(r, 2, text, style)
        w.put(r, 3, period, money_style(period))
        w.put(r, 4, annual, money_style(annual), to_col=5)

    r = w.next_row()
    w.put(r, 1, label("goals"), LABEL, to_row=r + 1)
    for key in ("period", "annual"):
        if key == "annual":
            r = w.next_row()
        w.put(r, 2, label(f"goals.{key}"), LABEL)
        w.put(r, 3, prose_cell(getattr(d.goals, key)), PROSE, to_col=5)

    write_indicators(w, d.indicators)
    w.fit_rows()
    print_setup(worksheet, header_rows)


# ---- reading ----------------------------------------------------------------------------------------


def recognise(grid: Grid) -> int:
    """How many of the form's own labels the grid has; 0 without 项目名称 and 项目资金 (or its columns)."""
    if not grid.find(label("project.name")):
        return 0
    funds = grid.find(FUNDS, prefix=True) + grid.find(*ALIASES["funds.total.period"], *ALIASES["funds.total.annual"], prefix=True)
    if not funds:
        return 0
    others = ("department", "implementer", "project.attribute", "project.period", "goals.period", "goals.annual")
    return 2 + sum(1 for key in others if grid.find(*ALIASES[key]))


class _Reader(SheetReader):
    def __init__(self, grid: Grid):
        super().__init__(grid)
        self.labels = {squash(text) for texts in ALIASES.values() for text in texts} | {squash(label("funds"))}

    def find(self, key: str) -> tuple[int, int] | None:
        found = self.g.find(*ALIASES[key])
        if found:
            self.take(*found[0])
        return found[0] if found else None

    def beside(self, key: str) -> str | None:
        """The text right of the label (in its row, not another label), or None."""
        at = self.find(key)
        right = self.value_right(at) if at else None
        if right is None or self.g.label(*right) in self.labels:
            return None
        return self.text_at(*right)

    def read(self) -> dict:
        name_at = self.find("project.name")
        data: dict[str, Any] = {"form": "project-target"}
        data["title"], data["year"] = self.read_heading(name_at[0], DEFAULT_TITLE)
        project: dict[str, Any] = {"name": self.beside("project.name"), "id": None}
        project["code"] = self.beside("project.code")
        attribute_at = self.find("project.attribute")
        if attribute_at is None:
            self.report("J605", None, "project.attribute", "no_column", label=label("project.attribute"))
        project.update(self.read_attribute(self.beside("project.attribute")))
        period_at = self.find("project.period")
        project["period"] = self.read_period(period_at, self.beside("project.period"))
        project["manager"] = self.beside("project.manager")
        project["phone"] = self.beside("project.phone")
        data["project"] = project
        data["department"] = {"name": self.beside("department"), "id": None}
        data["implementer"] = self.beside("implementer")
        ends = [at[0] for key in ("goals", "goals.period", "goals.annual") for at in self.g.find(*ALIASES[key])]
        ends += [at[0] for at in self.g.find("一级指标", "三级指标", "绩效指标", "年度绩效指标")]
        data["funds"] = self.read_funds(ends)
        data["goals"] = self.read_goals()
        data["indicators"] = self.read_indicators()
        return data

    def read_attribute(self, text: str | None) -> dict:
        """■新增　□延续 (or ☑/√ for the chosen one): every option and the one chosen; a plain 新增 alone."""
        if not text:
            return {"attribute": None}
        marked = re.findall(rf"([{MARKS}])\s*([^{MARKS}]+)", text)
        if not marked:
            return {"attribute": text}
        options = [option.strip(" \u3000,，、;；") for _mark, option in marked]
        chosen = [option for (mark, _), option in zip(marked, options) if mark not in "□☐"]
        result: dict[str, Any] = {"attribute": chosen[0] if len(chosen) == 1 else None, "attribute_options": options}
        if len(chosen) != 1:
            self.report("J606", self.find("project.attribute"), "project.attribute", "not_one_choice", text=text)
        return result

    def read_period(self, at, text: str | None) -> dict | None:
        """2024年—2026年, 2024-01-01至2024-12-31, 2024.3.1-2024.12.31, or one year alone."""
        if not text:
            return None
        folded = unicodedata.normalize("NFKC", text)
        bounds = []
        for match in re.finditer(r"(\d{4})\s*(?:[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?|年度?)?", folded):
            year, month, day = match.groups()
            try:
                bounds.append(dt.date(int(year), int(month), int(day)) if month else int(year))
            except ValueError:
                bounds = []
                break
        if len(bounds) in (1, 2):
            return {"start": bounds[0], "end": bounds[-1]}
        self.report("J606", self.value_right(at) if at else None, "project.period", "not_period", text=text)
        return {"start": text, "end": None}

    def read_funds(self, ends: list[int]) -> dict:
        funds: dict[str, Any] = {"total": {"period": None, "annual": None}, "sources": []}
        block = self.one(FUNDS, prefix=True)
        if block:
            self.take(*block)
        unit = unit_of(self.g.text(*block)) if block else None
        header_at = next(iter(self.g.find(*ALIASES["funds.total.period"], prefix=True)), None)
        if header_at is None:
            self.report("J605", None, "funds", "no_column", label=label("funds.total.period"))
            return funds
        row = header_at[0]
        period_col = self.in_row(row, *ALIASES["funds.total.period"], prefix=True)
        annual_col = self.in_row(row, *ALIASES["funds.total.annual"], prefix=True)
        if annual_col is None:
            self.report("J605", header_at, "funds", "not_in_row", header=self.g.text(*header_at), label=label("funds.total.annual"))
        units = [unit_of(self.g.text(row, col)) if col is not None else None for col in (period_col, annual_col)]
        units = [own or unit or self.unit for own in units]
        first_amount = min(col for col in (period_col, annual_col) if col is not None)
        end = min([r for r in ends if r > row] + [self.g.rows])
        total_seen = False
        for r in range(row + 1, end):
            label_cells = []  # left of the amounts: 资金总额, 其中：财政拨款, or 其中 (merged down) | 财政拨款
            for col in range(first_amount):
                anchor = self.g.anchor(r, col)
                if anchor[1] == col and anchor != block and self.g.text(r, col) and anchor not in label_cells:
                    label_cells.append(anchor)
            text = re.sub(rf"^{label('funds.sources')}\s*[:：]?\s*", "", "".join(self.g.text(*at) for at in label_cells)).strip()
            amounts = [self.g.text(r, col) if col is not None else "" for col in (period_col, annual_col)]
            if not text and not any(amounts):
                continue
            if text and not any(amounts) and squash(text) not in TOTAL_LABELS:
                continue  # a source named but left empty (其他资金 with no amount): reported as unplaced
            for at in label_cells:
                self.take(*at)
            values = [self.amount_at(r, col, u, "funds") for col, u in zip((period_col, annual_col), units)]
            if squash(text) in TOTAL_LABELS and not total_seen:
                total_seen = True
                funds["total"] = {"period": values[0], "annual": values[1]}
                continue
            if not text:
                self.report("J606", (r, max(first_amount - 1, 0)), "funds.sources", "amount_without_name", name="资金来源的名称")
            for value, col, key in zip(values, (period_col, annual_col), ("funds.total.period", "funds.total.annual")):
                if value is None:
                    self.report("J606", (r, col if col is not None else 0), "funds.sources", "missing_value", text=text, what=label(key))
            funds["sources"].append({"label": text or None, "period": values[0], "annual": values[1]})
        if not total_seen:
            self.report("J605", header_at, "funds.total", "no_amount_below", block=FUNDS, label=label("funds.total"))
        return funds

    def read_goals(self) -> dict:
        self.find("goals")
        period_at, annual_at = self.find("goals.period"), self.find("goals.annual")
        across = period_at and annual_at and period_at[0] == annual_at[0]  # side by side: the text below each
        goals = {}
        for key, at in (("period", period_at), ("annual", annual_at)):
            if at is None:
                self.report("J605", None, f"goals.{key}", "no_column", label=label(f"goals.{key}"))
                goals[key] = None
                continue
            value = self.below(at) if across else self.value_right(at)
            goals[key] = self.prose_at(*value) if value else None
        return goals

    def below(self, at: tuple[int, int]) -> tuple[int, int] | None:
        row = at[0] + self.g.span(*at)[0]
        return self.g.anchor(row, at[1]) if self.g.text(row, at[1]) else None


def read_sheet(grid: Grid) -> tuple[dict | None, Placement, list[Problem]]:
    """The form on `grid` as plain ProjectTarget data (None when the sheet holds no project form),
    which cells were placed and which not, and the problems found (each at its cell)."""
    reader = _Reader(grid)
    if not recognise(grid):
        return None, reader.placement, []
    data = reader.read()
    reader.finish()
    return data, reader.placement, reader.problems


# ---- the YAML house style ---------------------------------------------------------------------------

COLUMN = 36  # where the comments start, as in the examples
EMPTY = '""'


def _bound(value: Any) -> str:
    if isinstance(value, (int, dt.date)):
        return str(value)
    return scalar(value, flow=True) if value else EMPTY


def _amounts(row: dict, with_label: bool = False) -> str:
    parts = [f"label: {scalar(row.get('label'), flow=True) or EMPTY}"] if with_label else []
    parts += [f"{key}: {amount_text(row.get(key), exact=True, flow=True) or EMPTY}" for key in ("period", "annual")]
    return "{" + ", ".join(parts) + "}"


def to_yaml(data: dict, source_note: str, schema_path: str) -> str:
    """`data` (as read_sheet gives it, ids and year filled in) as a project file in house style:
    form first, schema header, a comment per block, fund rows as flow mappings, block scalars for
    long text, amounts with every decimal written."""
    c = partial(comment, column=COLUMN)
    out = header(schema_path, source_note)
    out += ["form: project-target", f"title: {scalar(data.get('title') or DEFAULT_TITLE)}"]
    out += [f"year: {data.get('year') if data.get('year') is not None else ''}".rstrip(), ""]
    p = data.get("project") or {}
    out += ["project:", f"  name: {scalar(p.get('name'))}".rstrip(), f"  id: {scalar(p.get('id'))}".rstrip()]
    if p.get("code"):
        out.append(c(f"  code: {scalar(p['code'])}", label("project.code")))
    out.append(c(f"  attribute: {scalar(p.get('attribute'))}", label("project.attribute")))
    options = p.get("attribute_options")
    if options and tuple(options) != DEFAULT_ATTRIBUTES:
        out.append(f"  attribute_options: [{', '.join(scalar(o, flow=True) for o in options)}]")
    period = p.get("period")
    if period:
        out.append(c(f"  period: {{start: {_bound(period.get('start'))}, end: {_bound(period.get('end'))}}}", label("project.period")))
    else:
        out.append(c("  period:", label("project.period")))
    for key in ("manager", "phone"):
        if p.get(key):
            out.append(c(f"  {key}: {scalar(p[key])}", label(f"project.{key}")))
    dept = data.get("department") or {}
    out += ["", c("department:", label("department")), f"  name: {scalar(dept.get('name'))}".rstrip(), f"  id: {scalar(dept.get('id'))}".rstrip()]
    out.append(c(f"implementer: {scalar(data.get('implementer'))}", label("implementer")))
    funds = data.get("funds") or {}
    sources = funds.get("sources") or []
    out += ["", c("funds:", label("funds")), f"  total: {_amounts(funds.get('total') or {})}"]
    out.append(c("  sources:" + ("" if sources else " []"), label("funds.sources")))
    out += [f"    - {_amounts(row, with_label=True)}" for row in sources]
    goals = data.get("goals") or {}
    out += ["", c("goals:", label("goals"))]
    out += [f"  {key}: {prose(goals.get(key), '    ')}".rstrip() for key in ("period", "annual")]
    indicators = data.get("indicators") or []
    out += ["", c("indicators:" + ("" if indicators else " []"), label("indicators"))]
    out += indicators_lines(indicators)
    return "\n".join(out) + "\n"
