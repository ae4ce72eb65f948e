"""The registry of forms. A form is a folder beside this file (or a package elsewhere, registered
through the `jixiao.forms` entry point); adding one is its folder and one line below."""

from __future__ import annotations

from importlib.metadata import entry_points

from .. import catalogue
from .base import Column, Form, Table

FORMS: dict[str, Form] = {}
DEFAULT_KIND = "department-target"  # a file without `form:`


def register(form: Form) -> Form:
    """Make a form known to every command: loading, checks, templates, outputs."""
    catalogue.register(*form.codes)
    FORMS[form.kind] = form
    return form


def unregister(kind: str) -> None:
    """Forget a form and the codes only it declared (a test's form, for one)."""
    form = FORMS.pop(kind, None)
    if form is not None:
        others = {code.code for other in FORMS.values() for code in other.codes}
        catalogue.unregister(*(code.code for code in form.codes if code.code not in others))


def default() -> Form:
    return FORMS[DEFAULT_KIND]


def likely_form(keys: set[str]) -> Form:
    """The form whose required top-level fields the keys cover best (the default on a tie)."""
    def score(form: Form) -> tuple[int, bool]:
        required = {name for name, info in form.model.model_fields.items() if info.is_required()}
        return len(required & keys) - len(required - keys), form.kind == DEFAULT_KIND

    return max(FORMS.values(), key=score)


from . import department_self_evaluation, department_target, project_self_evaluation, project_target  # noqa: E402

register(department_target.FORM)
register(project_target.FORM)
register(department_self_evaluation.FORM)
register(project_self_evaluation.FORM)

for _entry in entry_points(group="jixiao.forms"):
    register(_entry.load())

__all__ = ["Column", "FORMS", "Form", "Table", "default", "likely_form", "register", "unregister"]
