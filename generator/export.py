"""The declaration as reusable data: JSON (valid against the schema), CSV for Excel, a ZIP per year."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from .model import Declaration

# Excel opens a CSV as UTF-8 only when it starts with a BOM.
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def declaration_json(declaration: Declaration) -> str:
    """Amounts as exact strings ("9830.96"), as the schema allows, never as binary floats."""
    data = declaration.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return BOM + buffer.getvalue()


def budget_csv(declaration: Declaration) -> str:
    budget = declaration.budget
    rows = [
        ["部门预算支出", "基本支出", budget.spending.basic],
        ["部门预算支出", "项目支出", budget.spending.project],
    ]
    for group, title in (("income", "收入来源"), ("development", "事业发展性支出"), ("by_level", "按预算级次划分")):
        rows.extend([title, line.label, line.amount] for line in getattr(budget, group))
    return _csv(["分组", "项目", "预算金额（万元）"], rows)


def tasks_csv(declaration: Declaration) -> str:
    rows = [[i, t.name, t.content, t.funds, t.goal] for i, t in enumerate(declaration.tasks, start=1)]
    return _csv(["序号", "名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"], rows)


def indicators_csv(declaration: Declaration) -> str:
    header = ["一级指标", "二级指标", "三级指标"]
    rows = []
    single = declaration.single_value_column
    header += ["指标值"] if single else ["实施周期指标值", "年度指标值"]
    for _path, category, group, item in declaration.indicator_rows():
        values = [item.value] if single else [item.period_value, item.annual_value]
        rows.append([category.level1, group.level2, item.level3, *values])
    return _csv(header, rows)


CSV_FILES = {"budget.csv": budget_csv, "tasks.csv": tasks_csv, "indicators.csv": indicators_csv}


def year_bundle(entries: list[tuple[str, bytes]], date_time: tuple) -> bytes:
    """A ZIP with fixed timestamps and order, so the same data gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    return buffer.getvalue()
