"""项目支出绩效目标申报表: declarations/<年度>/<部门标识>/projects/<项目标识>.yaml."""

from pathlib import Path

from generator.core.form import Form, LazyModule
from generator.forms.project_target import checks, views
from generator.forms.project_target.model import KIND, ProjectTarget

FORM = Form(
    kind=KIND,
    position=20,
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
    scope="project",
    figures=lambda d: {"project_funds": d.funds.total.annual},
    called="项目申报",
    counted_as="项目",
    leans_on="{year}/{department}",  # its department's form: J410, J412, J413 compare with it
    leaning_codes=frozenset({"J410", "J412", "J413"}),
    sheet=LazyModule(f"{__name__}.sheet"),  # openpyxl is loaded when a workbook is read or written
)
