"""项目支出绩效目标申报表: declarations/<年度>/<部门标识>/projects/<项目标识>.yaml."""

from pathlib import Path

from ..base import Form, LazyModule
from . import checks, views
from .model import KIND, ProjectTarget

FORM = Form(
    kind=KIND,
    model=ProjectTarget,
    folder=Path(__file__).parent,
    path="{year}/{department}/projects/{id}",
    name=lambda d: d.project.name,
    id_path=("project", "id"),
    rules=checks.RULES,
    cross_rules=checks.CROSS_RULES,
    codes=checks.CODES,
    context=views.context,
    tables=views.tables,
    page=views.page,
    headline=views.headline,
    columns=views.COLUMNS,
    sheet=LazyModule(f"{__name__}.sheet"),  # openpyxl is loaded when a workbook is read or written
)
