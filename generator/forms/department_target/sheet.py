"""The 部门整体预算绩效目标申报表 as a spreadsheet: written in the official layout, read back from any
workbook that holds it (found by its labels, never by cell address), and the YAML house style.

- `write_sheet(declaration, worksheet)`: the same blocks as its form.html, top to bottom.
- `recognise(grid)`: how surely a grid (generator.excel.read) holds this form (0: not at all).
- `read_sheet(grid) -> (data, placement, problems)`: the grid as the plain data of a DepartmentTarget,
  which cells went where (and which did not), and what was wrong.
- `to_yaml(data, source_note, schema_path) -> str`: that data as a declaration file in the style of
  declarations/2024/nansha-dongchong.yaml.

What every form shares (the heading, the 绩效指标 grid, amounts, long text, the bookkeeping of cells)
is in generator/workbook_read.py, workbook_write.py and yaml_style.py; `jixiao import` (importer.py)
asks every form's sheet module in turn.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any


from generator.render.paginate import Plan
from generator.core.problems import Problem
from generator.excel.read import Grid, Placement, SheetReader, cell_number, display_text, parse_number_text, short, squash, unit_of
from generator.excel.write import CENTER, LABEL, MONEY, PROSE, TEXT, WIDTHS, SheetWriter, Style, print_setup, prose_cell, sheet_name, write_indicators
from generator.excel.yaml_style import amount_text, comment, header, indicators_lines, prose, scalar
from generator.forms.department_target.model import label, DEFAULT_TITLE, DepartmentTarget
from generator.forms.department_target.views import context as form_context


COUNT = Style(horizontal="center", number_format="0")
FILING = Style(number_format="@")
DEPARTMENT_LABELS = ("部门名称", "部门（单位）名称", "单位名称", "预算部门名称")
FILING_LABELS = tuple((key, label(f"filing.{key}")) for key in ("unit", "head", "preparer", "phone", "date"))

# ---- writing ----------------------------------------------------------------------------------------


def sheet_title(declaration: DepartmentTarget) -> str:
    """The sheet's name: the department's."""
    return sheet_name(declaration.department.name, declaration.department.id)


def write_sheet(declaration: DepartmentTarget, worksheet) -> None:
    """The official form on `worksheet`: merged cells, borders, wrapped text, fitted rows, A4 landscape."""
    d = declaration
    context = form_context(d, Plan())
    w = SheetWriter(worksheet, WIDTHS)
    header_rows = w.heading(d.title, d.year, "金额单位：万元")
    r = w.next_row()
    w.put(r, 1, label("department.name"), LABEL)
    w.put(r, 2, d.department.name, TEXT, to_col=5)
    r = w.next_row()
    w.put(r, 1, label("basic_info"), LABEL)
    w.put(r, 2, label("basic_info.staff_count"), LABEL)
    w.put(r, 3, d.basic_info.staff_count, COUNT)
    w.put(r, 4, label("basic_info.subordinate_units"), LABEL)
    w.put(r, 5, d.basic_info.subordinate_units, COUNT)

    first = w.next_row()
    w.put(first, 1, label("budget"), LABEL, to_row=first + context["budget_rowspan"] - 1)
    amount = label("budget.income.amount")
    for col, text in enumerate((label("budget.spending"), amount, label("budget.income"), amount), 2):
        w.put(first, col, text, LABEL)
    _budget_rows(w, context["budget_first"])
    r = w.next_row()
    for col, text in enumerate((label("budget.development"), amount, label("budget.by_level"), amount), 2):
        w.put(r, col, text, LABEL)
    _budget_rows(w, context["budget_second"])

    r = w.next_row()
    w.put(r, 1, label("overall_goal"), LABEL)
    w.put(r, 2, prose_cell(d.overall_goal), PROSE, to_col=5)

    r = w.next_row()
    w.put(r, 1, label("tasks"), LABEL, to_row=r + len(d.tasks))
    for col, text in enumerate((label(f"tasks.{key}") for key in ("name", "content", "funds", "goal")), 2):
        w.put(r, col, text, LABEL)
    for task in d.tasks:
        r = w.next_row()
        w.put(r, 2, task.name, CENTER)
        w.put(r, 3, prose_cell(task.content), PROSE)
        w.put(r, 4, task.funds, MONEY)
        w.put(r, 5, prose_cell(task.goal), PROSE)

    r = w.next_row()
    w.put(r, 1, label("other_tasks"), LABEL)
    w.put(r, 2, prose_cell(d.other_tasks), PROSE, to_col=5)

    write_indicators(w, d.indicators)

    if d.filing is not None:
        for key, text in FILING_LABELS:
            value = getattr(d.filing, key)
            if key == "date" and value is not None:
                value = f"{value.year}年{value.month}月{value.day}日"
            r = w.next_row()
            w.put(r, 1, text, LABEL)
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


def recognise(grid: Grid) -> int:
    """How many of the form's own labels the grid has; 0 without 部门名称 and 三级指标 (or a block)."""
    if not grid.find(*DEPARTMENT_LABELS):
        return 0
    blocks = [label for label in ("三级指标", "总体绩效目标", "年度重点工作任务") if grid.find(label)]
    return len(blocks) + (1 if grid.find("部门预算支出") else 0) if blocks else 0


class _Reader(SheetReader):
    def count_at(self, at: tuple[int, int] | None, field_: str):
        if at is None:
            return None
        text = self.take(*at)
        number = cell_number(self.g.raw(*at))
        if number is None:
            match = re.fullmatch(r"(.*?)\s*(人|个)", unicodedata.normalize("NFKC", text))
            number = parse_number_text(match.group(1)) if match else None
        if number is None or number != number.to_integral_value() or number < 0:
            self.report("J606", at, field_, "not_count", text=short(text))
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
        data["title"], data["year"] = self.read_heading(dept[0], DEFAULT_TITLE)
        name_at = self.value_right(dept)
        data["department"] = {"name": self.text_at(*name_at) if name_at else None, "id": None}
        if name_at is None:
            self.report("J606", dept, "department.name", "no_department_name")
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
        data["indicators"] = self.read_indicators([row for _value, row in filing.values()])
        if filing:
            data["filing"] = {key: value for key, (value, _row) in filing.items()}
        return data

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
                self.report("J605", first, f"budget.spending.{key}", "no_amount_below", block="部门预算支出", label=label)
        return budget

    def budget_columns(self, header: tuple[int, int], right_name: str):
        row, left_label = header
        amount_labels = ("预算金额（万元）", "预算金额（元）", "预算金额", "金额（万元）", "金额（元）", "金额")
        left_amount = self.in_row(row, *amount_labels, start=left_label + 1)
        right_label = self.in_row(row, right_name, start=left_label + 1)
        right_amount = self.in_row(row, *amount_labels, start=(right_label + 1) if right_label is not None else self.g.columns)
        if right_label is None:
            self.report("J605", header, "budget", "not_in_row", header=self.g.text(*header), label=right_name)
        if left_amount is None or right_amount is None:
            self.report("J605", header, "budget", "no_budget_amount_column")
        units = [unit_of(self.g.text(row, col)) if col is not None else None for col in (left_amount, right_amount)]
        return (left_label, right_label, left_amount, right_amount, units[0] or self.unit, units[1] or self.unit)

    def line(self, into: list, row: int, label_col, amount_col, unit: str, field_: str) -> None:
        label = self.text_at(row, label_col) if label_col is not None else None
        amount = self.amount_at(row, amount_col, unit, field_)
        if label is None and amount is None:
            return
        if label is None:
            self.report("J606", (row, label_col), field_, "amount_without_name", name="项目名称")
        if amount is None:
            self.report("J606", (row, amount_col), field_, "missing_value", text=label, what="金额")
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
        for col, key in ((name, "name"), (funds, "funds"), (goal, "goal")):
            if col is None:
                self.report("J605", header, "tasks", "no_task_column", label=label(f"tasks.{key}"))
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



def read_sheet(grid: Grid) -> tuple[dict | None, Placement, list[Problem]]:
    """The form on `grid` as plain DepartmentTarget data (None when the sheet holds no form), which cells
    were placed and which not, and the problems found (each at its cell)."""
    reader = _Reader(grid)
    if not recognise(grid):
        return None, reader.placement, []
    data = reader.read()
    reader.finish()
    return data, reader.placement, reader.problems


# ---- the YAML house style ---------------------------------------------------------------------------


def to_yaml(data: dict, source_note: str, schema_path: str) -> str:
    """`data` (as read_sheet gives it, id and year filled in) as a declaration file in house style:
    schema header, a comment per block, block scalars for long text, amounts as plain numbers,
    budget lines as flow mappings."""
    out = header(schema_path, source_note)
    out.append(f"title: {scalar(data.get('title') or DEFAULT_TITLE)}")
    out.append(f"year: {data.get('year') if data.get('year') is not None else ''}".rstrip())
    dept = data.get("department") or {}
    out += ["department:", f"  name: {scalar(dept.get('name'))}".rstrip(), f"  id: {scalar(dept.get('id'))}".rstrip()]
    basic = data.get("basic_info") or {}
    out.append("basic_info:")
    out.append(comment(f"  staff_count: {_count(basic.get('staff_count'))}", "财政供养人员数（人）"))
    out.append(comment(f"  subordinate_units: {_count(basic.get('subordinate_units'))}", "下属二级单位数（个）"))
    budget = data.get("budget") or {}
    spending = budget.get("spending") or {}
    out.append(comment("budget:", "预算整体情况，金额单位：万元"))
    out.append(comment("  spending:", "部门预算支出"))
    out.append(comment(f"    basic: {amount_text(spending.get('basic'))}", "基本支出"))
    out.append(comment(f"    project: {amount_text(spending.get('project'))}", "项目支出"))
    for key in ("income", "development", "by_level"):
        lines = budget.get(key) or []
        out.append(comment(f"  {key}:" + ("" if lines else " []"), label(f"budget.{key}")))
        for line in lines:
            label_text = scalar(line.get("label"), flow=True) if line.get("label") is not None else '""'
            amount = amount_text(line.get("amount"), flow=True) or '""'
            out.append(f"    - {{label: {label_text}, amount: {amount}}}")
    out.append(f"overall_goal: {prose(data.get('overall_goal'), '  ')}".rstrip())
    tasks = data.get("tasks") or []
    out.append(comment("tasks:" + ("" if tasks else " []"), "年度重点工作任务"))
    for task in tasks:
        out.append(f"  - name: {scalar(task.get('name'))}".rstrip())
        out.append(f"    content: {prose(task.get('content'), '      ')}".rstrip())
        out.append(f"    funds: {amount_text(task.get('funds'))}".rstrip())
        out.append(f"    goal: {prose(task.get('goal'), '      ')}".rstrip())
    other = data.get("other_tasks")
    if other:
        lines = prose(other, "  ").split("\n")
        out.append(comment(f"other_tasks: {lines[0]}", "其他需完成的任务（可选填）"))
        out += lines[1:]
    else:
        out.append(comment("other_tasks:", "其他需完成的任务（可选填）：原表为空"))
    indicators = data.get("indicators") or []
    out.append(comment("indicators:" + ("" if indicators else " []"), "绩效指标"))
    out += indicators_lines(indicators)
    filing = data.get("filing")
    if filing is not None:
        out.append(comment("filing:", "填报信息") if filing else comment("filing: {}", "填报信息：表上的签章栏为空"))
        for key, title in FILING_LABELS:
            if key in filing:
                out.append(comment(f"  {key}: {scalar(filing[key])}".rstrip(), title))
    return "\n".join(out) + "\n"


def _count(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return scalar(str(value))
