"""部门整体预算绩效目标申报表: declarations/<年度>/<部门标识>.yaml."""

from pathlib import Path

from ..base import Form, LazyModule
from . import checks, views
from .model import KIND, DepartmentTarget

FORM = Form(
    kind=KIND,
    model=DepartmentTarget,
    folder=Path(__file__).parent,
    path="{year}/{department}",
    name=lambda d: d.department.name,
    id_path=("department", "id"),
    rules=checks.RULES,
    codes=checks.CODES,
    context=views.context,
    tables=views.tables,
    page=views.page,
    headline=views.headline,
    columns=views.COLUMNS,
    sheet=LazyModule(f"{__name__}.sheet"),  # openpyxl is loaded when a workbook is read or written
)
