"""The 部门整体预算绩效目标申报表 as a spreadsheet: written in the official layout, read back from any
workbook that holds it (found by its labels, never by cell address), and the YAML house style.

- `write_sheet(declaration, worksheet)`: the same blocks as templates/form.html, top to bottom.
- `read_sheet(grid) -> (data, placement, problems)`: a grid (generator.workbook_read) as the plain
  data of a Declaration, which cells went where (and which did not), and what was wrong.
- `to_yaml(data, source_note, schema_path) -> str`: that data as a declaration file in the style of
  declarations/2024/nansha-dongchong.yaml.
- `import_workbook(...)`: a workbook file → one YAML text per form found, with the target path.

Long text (总体绩效目标, 主要实施内容, 期望达到的目标, 其他需完成的任务) is Markdown in the YAML: a cell's
line breaks are paragraphs there (a blank line between). Written to a cell, each paragraph is a line;
a line break inside a paragraph is written as a space before the break, invisible in the cell and
read back as a line break, so import(export(x)) == x.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ...fields import ID_PATTERN
from ...parse import NULLS, _core_kind
from ...problems import Problem, Severity
from ...workbook_read import (
    Grid,
    WorkbookError,
    cell_number,
    display_text,
    parse_number_text,
    read_workbook,
    squash,
    to_wan,
    unit_of,
)
from ...workbook_write import (
    CENTER,
    LABEL,
    MONEY,
    NOTE,
    NOTE_RIGHT,
    PROSE,
    TEXT,
    TITLE,
    VALUE,
    SheetWriter,
    Style,
    print_setup,
)
from .model import DEFAULT_TITLE, DepartmentTarget as Declaration
from ...paginate import Plan
from .views import context as form_context

COUNT = Style(horizontal="center", number_format="0")
FILING = Style(number_format="@")
WIDTHS = [14, 20, 50, 21, 36]  # 136 units: one A4 landscape page wide at about 100 %
DEPARTMENT_LABELS = ("部门名称", "部门（单位）名称", "单位名称", "预算部门名称")
FILING_LABELS = (
    ("unit", "填报单位（盖章）"),
    ("head", "单位负责人"),
    ("preparer", "填报人"),
    ("phone", "联系电话"),
    ("date", "填报日期"),
)


# ---- writing ----------------------------------------------------------------------------------------


def sheet_title(declaration: Declaration) -> str:
    """A sheet name (at most 31 characters, none of : \\ / ? * [ ]) from the department's name."""
    name = re.sub(r"[:\\/?*\[\]]", "", declaration.department.name).strip("'") or declaration.department.id
    return name[:31]


def write_sheet(declaration: Declaration, worksheet) -> None:
    """The official form on `worksheet`: merged cells, borders, wrapped text, fitted rows, A4 landscape."""
    d = declaration
    context = form_context(d, Plan())
    w = SheetWriter(worksheet, WIDTHS)
    r = w.next_row()
    w.put(r, 1, d.title, TITLE, to_col=5)
    r = w.next_row()
    w.put(r, 1, f"（{d.year}年度）", NOTE, to_col=5)
    r = w.next_row()
    w.put(r, 1, "金额单位：万元", NOTE_RIGHT, to_col=5)
    header_rows = f"1:{r}"
    r = w.next_row()
    w.put(r, 1, "部门名称", LABEL)
    w.put(r, 2, d.department.name, TEXT, to_col=5)
    r = w.next_row()
    w.put(r, 1, "基本信息", LABEL)
    w.put(r, 2, "财政供养人员数", LABEL)
    w.put(r, 3, d.basic_info.staff_count, COUNT)
    w.put(r, 4, "下属二级单位数", LABEL)
    w.put(r, 5, d.basic_info.subordinate_units, COUNT)

    first = w.next_row()
    w.put(first, 1, "预算整体情况", LABEL, to_row=first + context["budget_rowspan"] - 1)
    for col, text in enumerate(("部门预算支出", "预算金额（万元）", "收入来源", "预算金额（万元）"), 2):
        w.put(first, col, text, LABEL)
    _budget_rows(w, context["budget_first"])
    r = w.next_row()
    for col, text in enumerate(("事业发展性支出", "预算金额（万元）", "按预算级次划分", "预算金额（万元）"), 2):
        w.put(r, col, text, LABEL)
    _budget_rows(w, context["budget_second"])

    r = w.next_row()
    w.put(r, 1, "总体绩效目标", LABEL)
    w.put(r, 2, prose_cell(d.overall_goal), PROSE, to_col=5)

    r = w.next_row()
    w.put(r, 1, "年度重点工作任务", LABEL, to_row=r + len(d.tasks))
    for col, text in enumerate(("名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"), 2):
        w.put(r, col, text, LABEL)
    for task in d.tasks:
        r = w.next_row()
        w.put(r, 2, task.name, CENTER)
        w.put(r, 3, prose_cell(task.content), PROSE)
        w.put(r, 4, task.funds, MONEY)
        w.put(r, 5, prose_cell(task.goal), PROSE)

    r = w.next_row()
    w.put(r, 1, "其他需完成的任务（可选填）", LABEL)
    w.put(r, 2, prose_cell(d.other_tasks), PROSE, to_col=5)

    r = w.next_row()
    single = context["single_value"]
    for col, text in enumerate(("一级指标", "二级指标", "三级指标"), 1):
        w.put(r, col, text, LABEL)
    if single:
        w.put(r, 4, "指标值", LABEL, to_col=5)
    else:
        w.put(r, 4, "实施周期指标值", LABEL)
        w.put(r, 5, "年度指标值", LABEL)
    for block in context["indicator_blocks"]:
        for row in block["rows"]:
            r = w.next_row()
            if row["level1"] is not None:
                w.put(r, 1, row["level1"], CENTER, to_row=r + row["level1_rowspan"] - 1)
            if row["level2"] is not None:
                w.put(r, 2, row["level2"], CENTER, to_row=r + row["level2_rowspan"] - 1)
            item = row["item"]
            w.put(r, 3, item.level3, TEXT)
            if single:
                w.put(r, 4, item.value or "", VALUE, to_col=5)
            else:
                w.put(r, 4, item.period_value or "", VALUE)
                w.put(r, 5, item.annual_value or "", VALUE)

    if d.filing is not None:
        for key, label in FILING_LABELS:
            value = getattr(d.filing, key)
            if key == "date" and value is not None:
                value = f"{value.year}年{value.month}月{value.day}日"
            r = w.next_row()
            w.put(r, 1, label, LABEL)
            w.put(r, 2, value or "", FILING, to_col=5)
    w.fit_rows()
    print_setup(worksheet, header_rows)


def _budget_rows(w: SheetWriter, rows) -> None:
    for left, right in rows:
        r = w.next_row()
        w.put(r, 2, left[0] or "", TEXT)
        w.put(r, 3, left[1], MONEY)
        w.put(r, 4, right[0] or "", TEXT)
        w.put(r, 5, right[1], MONEY)


# ---- reading ----------------------------------------------------------------------------------------


@dataclass
class Placement:
    """Which cells (top-left of merges) a reading used, and the non-empty ones it did not."""

    placed: set[tuple[int, int]] = field(default_factory=set)
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (Sheet!C12, text)


def looks_like_form(grid: Grid) -> bool:
    return bool(grid.find(*DEPARTMENT_LABELS)) and bool(grid.find("三级指标", "总体绩效目标", "年度重点工作任务"))


class _Reader:
    def __init__(self, grid: Grid):
        self.g = grid
        self.placement = Placement()
        self.problems: list[Problem] = []
        self.unit = "万元"

    # bookkeeping
    def take(self, row: int, col: int) -> str:
        self.placement.placed.add(self.g.anchor(row, col))
        return self.g.text(row, col)

    def problem(self, code: str, severity: Severity, at: tuple[int, int] | None, field_: str, message: str) -> None:
        row, col = at if at else (0, 0)
        where = self.g.address(row, col) if at else _sheet_ref(self.g.name)
        self.problems.append(Problem(self.g.book, row + 1, col + 1, code, severity, field_, message, where=where))

    def one(self, label: str, prefix: bool = False, after: int = -1) -> tuple[int, int] | None:
        found = [at for at in self.g.find(label, prefix=prefix) if at[0] > after]
        return found[0] if found else None

    def need(self, label: str, field_: str, prefix: bool = False, after: int = -1) -> tuple[int, int] | None:
        at = self.one(label, prefix, after)
        if at is None:
            self.problem("J605", Severity.ERROR, None, field_, f"表中找不到栏目「{label}」")
        else:
            self.take(*at)
        return at

    def in_row(self, row: int, *labels: str, prefix: bool = False, start: int = 0) -> int | None:
        wanted = [squash(label) for label in labels]
        for col in range(start, self.g.columns):
            if self.g.anchor(row, col) != (row, col):
                continue
            text = self.g.label(row, col)
            if text and any(text == w or (prefix and text.startswith(w)) for w in wanted):
                self.take(row, col)
                return col
        return None

    # values
    def text_at(self, row: int, col: int | None) -> str | None:
        if col is None:
            return None
        text = self.take(row, col)
        return text or None

    def prose_at(self, row: int, col: int | None) -> str | None:
        text = self.text_at(row, col)
        return cell_prose(text) if text else None

    def value_right(self, at: tuple[int, int]) -> tuple[int, int] | None:
        right = self.g.next_right(*at)
        if right is not None and right[0] != at[0]:
            return None
        return right

    def amount_at(self, row: int, col: int | None, unit: str, field_: str):
        if col is None:
            return None
        text = self.take(row, col)
        if not text:
            return None
        number = cell_number(self.g.raw(row, col))
        own_unit = unit
        if number is None:
            match = re.fullmatch(r"(.*?)\s*(万元|元)", unicodedata.normalize("NFKC", text))
            if match:
                number = parse_number_text(match.group(1))
                own_unit = match.group(2)
        if number is None:
            self.problem("J606", Severity.ERROR, (row, col), field_, f"「{_short(text)}」不是金额")
            return text
        if number < 0:
            self.problem("J606", Severity.ERROR, (row, col), field_, f"金额 {text} 是负数")
        return to_wan(number, own_unit)

    def count_at(self, at: tuple[int, int] | None, field_: str):
        if at is None:
            return None
        text = self.take(*at)
        number = cell_number(self.g.raw(*at))
        if number is None:
            match = re.fullmatch(r"(.*?)\s*(人|个)", unicodedata.normalize("NFKC", text))
            number = parse_number_text(match.group(1)) if match else None
        if number is None or number != number.to_integral_value() or number < 0:
            self.problem("J606", Severity.ERROR, at, field_, f"「{_short(text)}」不是非负整数")
            return text
        return int(number)

    # the form
    def read(self) -> dict | None:
        g = self.g
        dept = next((at for label in DEPARTMENT_LABELS for at in self.g.find(label)), None)
        if dept is None:
            return None
        self.take(*dept)
        data: dict[str, Any] = {}
        filing = self.read_filing()
        data["title"], data["year"] = self.read_heading(dept[0])
        name_at = self.value_right(dept)
        data["department"] = {"name": self.text_at(*name_at) if name_at else None, "id": None}
        if name_at is None:
            self.problem("J606", Severity.ERROR, dept, "department.name", "「部门名称」右边没有填部门全称")
        data["basic_info"] = self.read_basic()
        goal = self.need("总体绩效目标", "overall_goal")
        data["budget"] = self.read_budget(goal[0] if goal else None)
        goal_at = self.value_right(goal) if goal else None
        data["overall_goal"] = self.prose_at(*goal_at) if goal_at else None
        indicator_header = self.one("三级指标")
        other = self.one("其他需完成的任务", prefix=True)
        tasks_end = min(x for x in (other and other[0], indicator_header and indicator_header[0], g.rows) if x is not None)
        data["tasks"] = self.read_tasks(tasks_end)
        other_value = None
        if other is not None:
            self.take(*other)
            other_at = self.value_right(other)
            other_value = self.prose_at(*other_at) if other_at else None
        data["other_tasks"] = other_value
        data["indicators"] = self.read_indicators(filing)
        if filing:
            data["filing"] = {key: value for key, (value, _row) in filing.items()}
        return data

    def read_heading(self, first_row: int) -> tuple[str, int | None]:
        title, year = None, None
        wide = []  # cells spanning the form's width: the title when none names itself 申报表/目标表
        for row, col in self.g.filled():
            if row >= first_row:
                break
            if self.g.anchor(row, col) in self.placement.placed:
                continue
            text = self.g.text(row, col)
            folded = squash(text)
            if unit_of(text) and re.fullmatch(r"(金额)?单位[:：]?(万元|元)", folded):
                self.unit = unit_of(text)
                self.take(row, col)
                continue
            match = re.fullmatch(r"[（(]?(\d{4})年度?[)）]?", folded)
            if match and year is None:
                year = int(match.group(1))
                self.take(row, col)
                continue
            if title is None and re.search(r"(绩效目标|申报表|目标表)", folded):
                lead = re.match(r"^\s*(\d{4})\s*年度?\s*", text)
                if lead:
                    year = year or int(lead.group(1))
                    text = text[lead.end():]
                title = text.strip()
                self.take(row, col)
                continue
            if unit_of(text):  # a unit inside a longer line (填报单位：… 单位：元): used, cell still listed
                self.unit = unit_of(text) or self.unit
            elif self.g.span(row, col)[1] >= 3:
                wide.append((row, col))
        if title is None and wide:
            title = self.take(*wide[0])
        return title or DEFAULT_TITLE, year

    def read_basic(self) -> dict:
        block = self.one("基本信息")
        if block:
            self.take(*block)
        staff = self.need("财政供养人员数", "basic_info.staff_count", prefix=True)
        units = self.need("下属二级单位数", "basic_info.subordinate_units", prefix=True)
        return {
            "staff_count": self.count_at(self.value_right(staff) if staff else None, "basic_info.staff_count"),
            "subordinate_units": self.count_at(self.value_right(units) if units else None, "basic_info.subordinate_units"),
        }

    def read_budget(self, end: int | None) -> dict:
        block = self.one("预算整体情况")
        if block:
            self.take(*block)
        budget: dict[str, Any] = {"spending": {"basic": None, "project": None}, "income": [], "development": [], "by_level": []}
        first = self.need("部门预算支出", "budget.spending")
        second = self.need("事业发展性支出", "budget.development", after=first[0] if first else -1)
        if not (first and second):
            return budget
        # the block ends at the next block's label, whichever comes first
        later = [at[0] for label in ("总体绩效目标", "年度重点工作任务", "主要实施内容", "三级指标") for at in self.g.find(label)]
        later += [at[0] for at in self.g.find("其他需完成的任务", prefix=True)]
        end = min([row for row in [end, *later] if row is not None and row > second[0]] + [self.g.rows])
        left_label, right_label, left_amount, right_amount, left_unit, right_unit = self.budget_columns(first, "收入来源")
        for row in range(first[0] + 1, second[0]):
            label = self.text_at(row, left_label)
            amount = self.amount_at(row, left_amount, left_unit, "budget.spending")
            key = {"基本支出": "basic", "项目支出": "project"}.get(squash(label or ""))
            if key:
                budget["spending"][key] = amount
            elif label or amount is not None:
                self.placement.placed.discard(self.g.anchor(row, left_label))
                if left_amount is not None:
                    self.placement.placed.discard(self.g.anchor(row, left_amount))
            self.line(budget["income"], row, right_label, right_amount, right_unit, "budget.income")
        left_label, right_label, left_amount, right_amount, left_unit, right_unit = self.budget_columns(second, "按预算级次划分")
        for row in range(second[0] + 1, end):
            if left_amount is not None and self.g.text(row, left_label) and self.g.anchor(row, left_label) == self.g.anchor(row, left_amount):
                break  # a cell across label and amount: the next block, whatever its label says
            self.line(budget["development"], row, left_label, left_amount, left_unit, "budget.development")
            self.line(budget["by_level"], row, right_label, right_amount, right_unit, "budget.by_level")
        for key, label in (("basic", "基本支出"), ("project", "项目支出")):
            if budget["spending"][key] is None:
                self.problem("J605", Severity.ERROR, first, f"budget.spending.{key}", f"「部门预算支出」下面找不到「{label}」的金额")
        return budget

    def budget_columns(self, header: tuple[int, int], right_name: str):
        row, left_label = header
        amount_labels = ("预算金额（万元）", "预算金额（元）", "预算金额", "金额（万元）", "金额（元）", "金额")
        left_amount = self.in_row(row, *amount_labels, start=left_label + 1)
        right_label = self.in_row(row, right_name, start=left_label + 1)
        right_amount = self.in_row(row, *amount_labels, start=(right_label + 1) if right_label is not None else self.g.columns)
        if right_label is None:
            self.problem("J605", Severity.ERROR, header, "budget", f"「{self.g.text(*header)}」同一行找不到「{right_name}」")
        if left_amount is None or right_amount is None:
            self.problem("J605", Severity.ERROR, header, "budget", "预算整体情况的表头找不到「预算金额（万元）」")
        units = [unit_of(self.g.text(row, col)) if col is not None else None for col in (left_amount, right_amount)]
        return (left_label, right_label, left_amount, right_amount, units[0] or self.unit, units[1] or self.unit)

    def line(self, into: list, row: int, label_col, amount_col, unit: str, field_: str) -> None:
        label = self.text_at(row, label_col) if label_col is not None else None
        amount = self.amount_at(row, amount_col, unit, field_)
        if label is None and amount is None:
            return
        if label is None:
            self.problem("J606", Severity.ERROR, (row, label_col), field_, "有金额但没有项目名称")
        if amount is None:
            self.problem("J606", Severity.ERROR, (row, amount_col), field_, f"「{label}」没有填金额")
        into.append({"label": label, "amount": amount})

    def read_tasks(self, end: int) -> list:
        block = self.one("年度重点工作任务")
        if block:
            self.take(*block)
        header = self.need("主要实施内容", "tasks")
        if header is None:
            return []
        row = header[0]
        name = self.in_row(row, "名称", "任务名称", "重点工作任务名称")
        funds = self.in_row(row, "拟投入的资金", prefix=True)
        goal = self.in_row(row, "期望达到的目标", prefix=True)
        content = header[1]
        funds_unit = unit_of(self.g.text(row, funds)) if funds is not None else None
        for col, label in ((name, "名称"), (funds, "拟投入的资金（万元）"), (goal, "期望达到的目标（概述）")):
            if col is None:
                self.problem("J605", Severity.ERROR, header, "tasks", f"年度重点工作任务的表头找不到「{label}」")
        columns = [c for c in (name, content, funds, goal) if c is not None]
        tasks = []
        for r in range(row + 1, end):
            own = [c for c in columns if self.g.anchor(r, c)[0] == r and self.g.text(r, c)]
            if not own:
                continue
            tasks.append(
                {
                    "name": self.text_at(r, name),
                    "content": self.prose_at(r, content),
                    "funds": self.amount_at(r, funds, funds_unit or self.unit, f"tasks[{len(tasks) + 1}].funds"),
                    "goal": self.prose_at(r, goal),
                }
            )
        return tasks

    def read_indicators(self, filing: dict) -> list:
        header = self.need("三级指标", "indicators")
        if header is None:
            return []
        row = header[0]
        c1 = self.in_row(row, "一级指标")
        c2 = self.in_row(row, "二级指标")
        c3 = header[1]
        start = row + 1
        period = annual = single = None
        for r in (row, row + 1):
            period = self.in_row(r, "实施周期指标值", "实施周期目标值")
            annual = self.in_row(r, "年度指标值", "年度目标值")
            if period is not None or annual is not None:
                start = max(start, r + 1)
                break
        if period is None and annual is None:
            single = self.in_row(row, "指标值", "目标值", "指标值（包含数字及文字描述）")
        elif self.in_row(row, "指标值") is not None:
            pass  # 指标值 spanning the two value columns, which the next row names
        for col, label in ((c1, "一级指标"), (c2, "二级指标")):
            if col is None:
                self.problem("J605", Severity.ERROR, header, "indicators", f"绩效指标的表头找不到「{label}」")
        if period is None and annual is None and single is None:
            self.problem("J605", Severity.ERROR, header, "indicators", "绩效指标的表头找不到「指标值」（或「实施周期指标值」「年度指标值」）")
        stop = min([r for _, r in filing.values() if r > row] + [self.g.rows])
        categories: list[dict] = []
        previous = None
        for r in range(start, stop):
            level3 = self.text_at(r, c3)
            values = [self.text_at(r, c) if c is not None else None for c in (period, annual, single)]
            own1 = c1 is not None and self.g.anchor(r, c1)[0] == r and self.g.text(r, c1)
            own2 = c2 is not None and self.g.anchor(r, c2)[0] == r and self.g.text(r, c2)
            if not level3 and not any(values) and not own1 and not own2:
                continue
            level1 = self.text_at(r, c1) if c1 is not None else None
            level2 = self.text_at(r, c2) if c2 is not None else None
            if previous is None or not self.same(previous, r, c1):
                categories.append({"level1": level1, "groups": []})
                if not level1:
                    self.problem("J606", Severity.ERROR, (r, c1 or 0), "indicators", "一级指标为空")
            groups = categories[-1]["groups"]
            if not groups or previous is None or not self.same(previous, r, c2) or not self.same(previous, r, c1):
                groups.append({"level2": level2, "items": []})
                if not level2:
                    self.problem("J606", Severity.ERROR, (r, c2 or 0), "indicators", "二级指标为空")
            item: dict[str, Any] = {"level3": level3}
            if single is not None:
                item["value"] = values[2]
            else:
                item["period_value"], item["annual_value"] = values[0], values[1]
            groups[-1]["items"].append(item)
            previous = r
        return categories

    def same(self, previous: int, row: int, col: int | None) -> bool:
        """Does `row` continue the 一级/二级 of `previous` in column `col`? Yes when one merged cell covers
        both, when the cell is blank (inherited), or when neither is merged and the text is equal."""
        if col is None:
            return True
        a, b = self.g.anchor(previous, col), self.g.anchor(row, col)
        if a == b or not self.g.text(row, col):
            return True
        if self.g.merged(row, col) or self.g.merged(previous, col):
            return False
        return self.g.text(row, col) == self.g.text(previous, col)

    def read_filing(self) -> dict:
        found: dict[str, tuple[Any, int]] = {}
        pattern = re.compile(r"^(填报单位(?:\(盖章\))?|单位负责人|填报人|联系电话|填报日期)[:：]?")
        keys = {"填报单位": "unit", "填报单位(盖章)": "unit", "单位负责人": "head", "填报人": "preparer", "联系电话": "phone", "填报日期": "date"}
        for row, col in list(self.g.filled()):
            text = self.g.text(row, col)
            folded = unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))
            match = pattern.match(folded)
            if not match:
                continue
            key = keys[match.group(1)]
            if key in found:
                continue
            self.take(row, col)
            rest = re.split(r"[:：]", text, maxsplit=1)
            value = rest[1].strip() if len(rest) == 2 and rest[1].strip() else None
            if value is None:
                right = self.value_right((row, col))
                if right is not None and not pattern.match(unicodedata.normalize("NFKC", squash(self.g.text(*right)))):
                    value = self.text_at(*right)
                    cell = self.g.raw(*right)
                    if key == "date" and cell is not None and hasattr(cell.value, "year"):
                        value = display_text(cell)[:10]
            if value is not None and re.fullmatch(r"[\s　_]*年[\s　_]*月[\s　_]*日", value):
                value = None
            found[key] = (value, row)
        return found

    def finish(self) -> None:
        for row, col in self.g.filled():
            if (row, col) in self.placement.placed:
                continue
            text = self.g.text(row, col)
            address = self.g.address(row, col)
            self.placement.unplaced.append((address, text))
            self.problem("J607", Severity.WARNING, (row, col), "（未导入）", f"「{_short(text)}」没有导入：它不在申报表的任何栏目里")


def _sheet_ref(name: str) -> str:
    from ...workbook_read import sheet_ref

    return sheet_ref(name)


def _short(text: str, limit: int = 40) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def cell_prose(text: str) -> str:
    """A cell's text as Markdown. Each Excel line break (Alt+Enter) starts a paragraph (a blank line
    between); blank lines typed in the cell count as one. A line break after a trailing space stays a
    line break inside the paragraph: that is how `prose_cell` writes one, so the round trip is exact."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    out = ""
    joiner = None
    for line in text.split("\n"):
        if not line.strip():
            joiner = "\n\n" if out else None
            continue
        if out:
            out += joiner or "\n\n"
        out += line.rstrip()
        joiner = "\n" if line.endswith(" ") else "\n\n"
    return out.strip()


def prose_cell(text: str | None) -> str:
    """Markdown as a cell's text: a paragraph per line (one Excel line break between paragraphs), a
    line break inside a paragraph as a space and a line break (invisible in the cell)."""
    if not text:
        return ""
    paragraphs = re.split(r"\n\n", text)
    return "\n".join(paragraph.replace("\n", " \n") for paragraph in paragraphs)


def read_sheet(grid: Grid) -> tuple[dict | None, Placement, list[Problem]]:
    """The form on `grid` as plain Declaration data (None when the sheet holds no form), which cells
    were placed and which not, and the problems found (each at its cell)."""
    reader = _Reader(grid)
    if not looks_like_form(grid):
        return None, reader.placement, []
    data = reader.read()
    reader.finish()
    return data, reader.placement, reader.problems


# ---- the YAML house style ---------------------------------------------------------------------------

_STR_TAG = "tag:yaml.org,2002:str"
_HIDDEN = "\x85\u2028\u2029\ufeff"
PROSE_KEYS = ("overall_goal", "content", "goal", "other_tasks")


def _plain_ok(text: str, flow: bool = False) -> bool:
    if not text or text != text.strip() or "\n" in text or "\t" in text:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 or ch in _HIDDEN for ch in text):
        return False
    if text in NULLS or _core_kind(text) != "str":
        return False
    if flow and any(ch in text for ch in ",[]{}"):
        return False
    doc = f"k: {{x: {text}}}" if flow else f"k: {text}"
    try:
        node = yaml.compose(doc, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    value = node.value[0][1]
    if flow:
        if not isinstance(value, yaml.MappingNode) or len(value.value) != 1:
            return False
        value = value.value[0][1]
    return isinstance(value, yaml.ScalarNode) and value.style is None and value.value == text and value.tag == _STR_TAG


def scalar(text: Any, flow: bool = False) -> str:
    """A text as a YAML scalar: plain when it reads back as the same text, else double-quoted."""
    if text is None:
        return ""
    text = str(text)
    if _plain_ok(text, flow):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    for ch in _HIDDEN:
        quoted = quoted.replace(ch, f"\\u{ord(ch):04x}")
    return quoted


def amount_text(value: Any) -> str:
    """9830.96, 52906.00 (two decimals as the form prints them), more when the amount has them."""
    if isinstance(value, Decimal):
        if value.as_tuple().exponent >= -2 or value == value.quantize(Decimal("0.01")):
            return f"{value:.2f}"
        return format(value.normalize(), "f")
    if value is None:
        return ""
    return scalar(str(value))


def _block(text: str, indent: str) -> str | None:
    """Block scalar (>- for one line, |- for several) holding `text` exactly, or None if it cannot."""
    if not text or text != text.strip() or text.startswith(("\n", " ")):
        return None
    if any((ord(ch) < 32 and ch != "\n") or ord(ch) == 127 or ch in _HIDDEN for ch in text):
        return None
    lines = text.split("\n")
    if any(line != line.rstrip() for line in lines):
        return None
    if len(lines) == 1:
        # Folded: one line per numbered item (①②③), which >- joins back with the one space between.
        lines = re.split(r"(?<=\S) (?=[①-⑳])", text)
        return ">-\n" + "\n".join(f"{indent}{line}" for line in lines)
    return "|-\n" + "\n".join(f"{indent}{line}" if line else "" for line in lines)


def _prose(text: Any, indent: str) -> str:
    if text is None or text == "":
        return ""
    return _block(str(text), indent) or scalar(text)


def _comment(line: str, comment: str, column: int = 26) -> str:
    return f"{line.ljust(column)}# {comment}" if len(line) < column else f"{line}  # {comment}"


def to_yaml(data: dict, source_note: str, schema_path: str) -> str:
    """`data` (as read_sheet gives it, id and year filled in) as a declaration file in house style:
    schema header, a comment per block, block scalars for long text, amounts as plain numbers,
    budget lines as flow mappings."""
    out = [f"# yaml-language-server: $schema={schema_path}"]
    out += [f"# {line}" if line else "#" for line in source_note.split("\n")]
    out.append(f"title: {scalar(data.get('title') or DEFAULT_TITLE)}")
    out.append(f"year: {data.get('year') if data.get('year') is not None else ''}".rstrip())
    dept = data.get("department") or {}
    out += ["department:", f"  name: {scalar(dept.get('name'))}".rstrip(), f"  id: {scalar(dept.get('id'))}".rstrip()]
    basic = data.get("basic_info") or {}
    out.append("basic_info:")
    out.append(_comment(f"  staff_count: {_count(basic.get('staff_count'))}", "财政供养人员数（人）"))
    out.append(_comment(f"  subordinate_units: {_count(basic.get('subordinate_units'))}", "下属二级单位数（个）"))
    budget = data.get("budget") or {}
    spending = budget.get("spending") or {}
    out.append(_comment("budget:", "预算整体情况，金额单位：万元"))
    out.append(_comment("  spending:", "部门预算支出"))
    out.append(_comment(f"    basic: {amount_text(spending.get('basic'))}", "基本支出"))
    out.append(_comment(f"    project: {amount_text(spending.get('project'))}", "项目支出"))
    for key, label in (("income", "收入来源"), ("development", "事业发展性支出"), ("by_level", "按预算级次划分")):
        lines = budget.get(key) or []
        out.append(_comment(f"  {key}:" + ("" if lines else " []"), label))
        for line in lines:
            label_text = scalar(line.get("label"), flow=True) if line.get("label") is not None else '""'
            amount = amount_text(line.get("amount")) or '""'
            out.append(f"    - {{label: {label_text}, amount: {amount}}}")
    out.append(f"overall_goal: {_prose(data.get('overall_goal'), '  ')}".rstrip())
    tasks = data.get("tasks") or []
    out.append(_comment("tasks:" + ("" if tasks else " []"), "年度重点工作任务"))
    for task in tasks:
        out.append(f"  - name: {scalar(task.get('name'))}".rstrip())
        out.append(f"    content: {_prose(task.get('content'), '      ')}".rstrip())
        out.append(f"    funds: {amount_text(task.get('funds'))}".rstrip())
        out.append(f"    goal: {_prose(task.get('goal'), '      ')}".rstrip())
    other = data.get("other_tasks")
    if other:
        lines = _prose(other, "  ").split("\n")
        out.append(_comment(f"other_tasks: {lines[0]}", "其他需完成的任务（可选填）"))
        out += lines[1:]
    else:
        out.append(_comment("other_tasks:", "其他需完成的任务（可选填）：原表为空"))
    indicators = data.get("indicators") or []
    out.append(_comment("indicators:" + ("" if indicators else " []"), "绩效指标"))
    for category in indicators:
        out.append(f"  - level1: {scalar(category.get('level1'))}".rstrip())
        out.append("    groups:")
        for group in category.get("groups") or []:
            out.append(f"      - level2: {scalar(group.get('level2'))}".rstrip())
            out.append("        items:")
            for item in group.get("items") or []:
                out.append(f"          - level3: {scalar(item.get('level3'))}".rstrip())
                for key in ("period_value", "annual_value", "value"):
                    if key in item:
                        out.append(f"            {key}: {scalar(item[key])}".rstrip())
    filing = data.get("filing")
    if filing is not None:
        out.append(_comment("filing:", "填报信息") if filing else _comment("filing: {}", "填报信息：表上的签章栏为空"))
        for key, label in FILING_LABELS:
            if key in filing:
                out.append(_comment(f"  {key}: {scalar(filing[key])}".rstrip(), label))
    return "\n".join(out) + "\n"


def _count(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return scalar(str(value))


# ---- department ids --------------------------------------------------------------------------------

# Place names read differently from the common reading (涌 is chōng in Guangdong's place names).
PLACE_READINGS = {"东涌": [["dōng"], ["chōng"]], "南沙": [["nán"], ["shā"]], "番禺": [["pān"], ["yú"]]}
_PLACE = re.compile(r"^([\u4e00-\u9fff]{1,7}?(?:特别行政区|自治区|自治州|自治县|省|市|地区|盟|区|县|旗))")
_SUFFIXES = ("人民政府", "委员会")
_TOWN = re.compile(r"(镇|乡|街道|街道办事处|办事处)$")


def department_slug(name: str) -> str:
    """The default 部门标识: leading place names dropped except the last (广州市南沙区 → 南沙), a trailing
    人民政府/委员会 and a town's 镇/乡/街道 dropped, the rest in pinyin: 广州市南沙区东涌镇人民政府 →
    nansha-dongchong, 广州市南沙区财政局 → nansha-caizhengju. '' when nothing is left."""
    from pypinyin import Style, lazy_pinyin, load_phrases_dict

    load_phrases_dict(PLACE_READINGS)

    rest = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    rest = re.sub(r"[（(][^）)]*[）)]", "", rest)  # （本级）, (汇总)
    places = []
    while True:
        match = _PLACE.match(rest)
        if not match or len(match.group(1)) == len(rest):
            break
        place = match.group(1)
        places.append(re.sub(r"(特别行政区|自治区|自治州|自治县|省|市|地区|盟|区|县|旗)$", "", place) or place)
        rest = rest[match.end():]
    for suffix in _SUFFIXES:
        if rest.endswith(suffix) and len(rest) > len(suffix):
            rest = rest[: -len(suffix)]
    if _TOWN.search(rest) and len(_TOWN.sub("", rest)) >= 2:
        rest = _TOWN.sub("", rest)

    def pinyin(text: str) -> str:
        parts = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: [c for c in chars.lower() if c.isalnum()])
        return re.sub(r"[^a-z0-9]", "", "".join(parts).lower().replace("ü", "v"))

    words = ([pinyin(places[-1])] if places else []) + [pinyin(rest)]
    slug = "-".join(w for w in words if w)[:63].strip("-")
    return slug if re.match(ID_PATTERN, slug) else ""


# ---- importing a workbook ---------------------------------------------------------------------------


@dataclass
class ImportedForm:
    sheet: str
    target: Path | None
    text: str | None
    problems: list[Problem] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)


def _year_from_path(path: Path) -> int | None:
    for part in reversed([path.stem, *path.parent.parts[-2:]]):
        match = re.search(r"(?<!\d)(20\d\d)(?!\d)", part)
        if match:
            return int(match.group(1))
    return None


def import_workbook(
    path: Path,
    out: Path,
    display: str | None = None,
    dept_id: str | None = None,
    year: int | None = None,
    schema_path: Path | None = None,
) -> tuple[list[ImportedForm], list[Problem]]:
    """Every form in the workbook at `path` as a YAML text and its target out/<年度>/<部门标识>.yaml;
    plus the problems of the workbook as a whole (unreadable, no form). Writes nothing."""
    display = display or str(path)
    try:
        grids = read_workbook(path, display)
    except WorkbookError as exc:
        return [], [Problem(display, 0, 0, exc.code, Severity.ERROR, "", exc.message, where="")]
    forms: list[ImportedForm] = []
    skipped: list[Problem] = []
    for grid in grids:
        data, placement, problems = read_sheet(grid)
        if data is None:
            if grid.cells:
                skipped.append(
                    Problem(display, 0, 0, "J611", Severity.WARNING, "（工作表）", "这个工作表里没有申报表（找不到「部门名称」「三级指标」等栏目），跳过",
                            where=_sheet_ref(grid.name))
                )
            continue
        form = ImportedForm(grid.name, None, None, list(problems), placement.unplaced)
        _finish(form, data, path, out, dept_id, year, schema_path)
        forms.append(form)
    if not forms:
        return [], [Problem(display, 0, 0, "J604", Severity.ERROR, "", "工作簿里没有找到申报表：没有哪个工作表含有「部门名称」「三级指标」等栏目", where="")]
    if dept_id and len(forms) > 1:
        return [], [Problem(display, 0, 0, "J609", Severity.ERROR, "", f"工作簿里有 {len(forms)} 份申报表，--id 只能用于只有一份的工作簿", where="")]
    return forms, skipped


def _finish(form: ImportedForm, data: dict, path: Path, out: Path, dept_id, year, schema_path) -> None:
    sheet_where = _sheet_ref(form.sheet)
    if year is not None:
        data["year"] = year
    if data.get("year") is None:
        data["year"] = _year_from_path(path)
    if data.get("year") is None:
        form.problems.append(Problem(str(path), 0, 0, "J605", Severity.ERROR, "year", "表上找不到预算年度（如“2024年度”），请用 --year 指定", where=sheet_where))
        return
    name = (data.get("department") or {}).get("name") or ""
    ident = dept_id or department_slug(name)
    if not ident:
        form.problems.append(Problem(str(path), 0, 0, "J609", Severity.ERROR, "department.id", f"无法从部门名称「{name}」生成部门标识，请用 --id 指定", where=sheet_where))
        return
    data["department"]["id"] = ident
    target = out / str(data["year"]) / f"{ident}.yaml"
    schema = schema_path or Path("declarations") / "declaration.schema.json"
    relative = os.path.relpath(schema.resolve(), target.resolve().parent).replace(os.sep, "/")
    note = [f"{name or '（未填部门名称）'} {data['year']} 年度{data.get('title') or DEFAULT_TITLE}，"
            f"由 jixiao import 从 {path.name} 的工作表「{form.sheet}」导入。"]
    if form.unplaced:
        note.append("未导入的单元格（不在表的任何栏目里）：")
        note += [f"  {address}: 「{_short(text, 60)}」" for address, text in form.unplaced]
    form.target = target
    form.text = to_yaml(data, "\n".join(note), relative)
