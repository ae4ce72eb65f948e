"""项目支出绩效自评表: declarations/<年度>/<部门标识>/projects/<项目标识>.self-evaluation.yaml."""

from pathlib import Path

from generator.forms.self_evaluation import evaluation_form
from generator.forms.project_self_evaluation.model import KIND, ProjectSelfEvaluation

FORM = evaluation_form(
    KIND,
    ProjectSelfEvaluation,
    folder=Path(__file__).parent,
    position=40,
    path="{year}/{department}/projects/{id}.self-evaluation",
    id_path=("project", "id"),
    name=lambda d: d.project.name,
    scope="project",
    evaluates="project-target",
    target_path="{year}/{department}/projects/{id}",
)
