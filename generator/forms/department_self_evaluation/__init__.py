"""部门整体支出绩效自评表: declarations/<年度>/<部门标识>/self-evaluation.yaml."""

from pathlib import Path

from generator.forms.self_evaluation import evaluation_form
from generator.forms.department_self_evaluation.model import KIND, DepartmentSelfEvaluation

FORM = evaluation_form(
    KIND,
    DepartmentSelfEvaluation,
    folder=Path(__file__).parent,
    position=30,
    path="{year}/{department}/self-evaluation",
    id_path=("department", "id"),
    name=lambda d: d.department.name,
    scope="department",
    evaluates="department-target",
    target_path="{year}/{department}",
)
