"""The registry of forms. Every form, jixiao's own included, is a plug-in named by the `jixiao.forms`
entry point (pyproject.toml); the registry loads them when first asked, so no stage imports a form
and a form imports no stage. Which form a file without `form:` is, is decided here alone."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import PurePosixPath

from generator.core import catalogue
from generator.core.form import Form

_FORMS: dict[str, Form] = {}
_LOADED = False


def forms() -> dict[str, Form]:
    """Every registered form by kind, in the order of their positions."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for entry in entry_points(group="jixiao.forms"):
            register(entry.load())
    return _FORMS


def _ordered() -> None:
    """Keep the forms in their declared positions (entry points come in no fixed order)."""
    ordered = sorted(_FORMS.values(), key=lambda form: form.position)
    _FORMS.clear()
    _FORMS.update((form.kind, form) for form in ordered)


def form(kind: str) -> Form:
    return forms()[kind]


def register(form: Form) -> Form:
    """Make a form known to every command: loading, checks, templates, outputs."""
    catalogue.register(*form.codes)
    _FORMS[form.kind] = form
    _ordered()
    return form


def unregister(kind: str) -> None:
    """Forget a form and the codes only it declared (a test's form, for one)."""
    form = _FORMS.pop(kind, None)
    if form is not None:
        others = {code.code for other in _FORMS.values() for code in other.codes}
        catalogue.unregister(*(code.code for code in form.codes if code.code not in others))


def default() -> Form:
    """The form of a file that does not say `form:`: the one form that declares itself the default."""
    return next(form for form in forms().values() if form.default)


def likely_form(keys: set[str]) -> Form:
    """The form whose required top-level fields the keys cover best (the default on a tie)."""
    def score(form: Form) -> tuple[int, bool]:
        required = {name for name, info in form.model.model_fields.items() if info.is_required()}
        return len(required & keys) - len(required - keys), form.default

    return max(forms().values(), key=score)


def form_at(path) -> Form:
    """The form whose files lie where this one does (a file too broken to say `form:` still has a
    place): the most specific path pattern its last parts match, else the default."""
    parts = PurePosixPath(path).with_suffix("").parts
    matching = [form for form in forms().values() if form.matches(parts)]
    return max(matching, key=lambda form: (form.path.count("/"), len(form.path)), default=default())


def all_codes() -> dict[str, catalogue.Code]:
    """Every problem code, the forms' own included."""
    forms()
    return catalogue.CODES
