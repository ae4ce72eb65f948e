"""部门整体预算绩效目标申报表: declarations/<年度>/<部门标识>.yaml."""

from pathlib import Path

from generator.core.form import Form, LazyModule
from generator.forms.department_target import checks, views
from generator.forms.department_target.model import KIND, DepartmentTarget

FORM = Form(
    kind=KIND,
    position=10,
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
    default=True,
    scope="department",
    owed=True,
    figures=lambda d: {"spending": d.budget.spending.total, "project_spending": d.budget.spending.project},
    called="部门整体申报",
    counted_as="部门整体申报",
    sheet=LazyModule(f"{__name__}.sheet"),  # openpyxl is loaded when a workbook is read or written
)
