"""部门整体支出绩效自评表: declarations/<年度>/<部门标识>/self-evaluation.yaml."""

from pathlib import Path

from ... import selfeval, selfeval_rules, selfeval_views
from ..base import Form
from .model import KIND, DepartmentSelfEvaluation

FORM = Form(
    kind=KIND,
    model=DepartmentSelfEvaluation,
    folder=Path(__file__).parent,
    path="{year}/{department}/self-evaluation",
    id_path=("department", "id"),
    name=lambda d: d.department.name,
    rules=selfeval_rules.RULES,
    cross_rules=(selfeval_rules.against_targets(KIND, "department-target"),),
    codes=selfeval_rules.CODES,
    context=selfeval_views.context,
    tables=selfeval_views.tables,
    page=selfeval_views.page,
    columns=selfeval_views.COLUMNS,
    evaluates="department-target",
    target_location=lambda d: f"{d.year}/{d.department.id}",
    summary=lambda d: selfeval.summary_lines(d, f"{d.department.name} {d.year}年度{d.title}"),
)
