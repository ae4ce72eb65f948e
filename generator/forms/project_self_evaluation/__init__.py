"""项目支出绩效自评表: declarations/<年度>/<部门标识>/projects/<项目标识>.self-evaluation.yaml."""

from pathlib import Path

from ... import selfeval, selfeval_rules, selfeval_views
from ..base import Form
from .model import KIND, ProjectSelfEvaluation

FORM = Form(
    kind=KIND,
    model=ProjectSelfEvaluation,
    folder=Path(__file__).parent,
    path="{year}/{department}/projects/{id}.self-evaluation",
    id_path=("project", "id"),
    name=lambda d: d.project.name,
    rules=selfeval_rules.RULES,
    cross_rules=(selfeval_rules.against_targets(KIND, "project-target"),),
    codes=selfeval_rules.CODES,
    context=selfeval_views.context,
    tables=selfeval_views.tables,
    page=selfeval_views.page,
    columns=selfeval_views.COLUMNS,
    evaluates="project-target",
    target_location=lambda d: f"{d.year}/{d.department.id}/projects/{d.project.id}",
    summary=lambda d: selfeval.summary_lines(d, f"{d.project.name} {d.year}年度{d.title}"),
)
