"""The rules every form shares — where the file lies, outputs that would collide — and the helpers a
form's own rules are built from: negative amounts, decimal places, duplicate rows."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Callable, Iterable, Iterator

from generator.core.fieldpath import field_label
from generator.core.fields import format_money
from generator.core import registry
from generator.core.document import LoadedDocument
from generator.core.files import SITE_FOLDERS
from generator.core.problems import Problem



def money(amount: Decimal) -> str:
    """An amount as the form prints it, with its unit, for messages."""
    return f"{format_money(amount)} 万元"


# ---- helpers a form's rules are made of -----------------------------------------------------------

Amounts = Callable[[object], Iterable[tuple[tuple, Decimal]]]  # model → (field path, amount) for every amount


def negative_amounts(amounts: Amounts):
    def check_negative_amounts(loaded: LoadedDocument) -> Iterator[Problem]:
        for path, amount in amounts(loaded.declaration):
            if amount < 0:
                yield loaded.report("J205", path, amount=format_money(amount))

    return check_negative_amounts


_CHINESE_DIGITS = {2: "两", 4: "四", 6: "六"}


def decimal_places(amounts: Amounts, places: int, rule: str):
    def check_decimal_places(loaded: LoadedDocument) -> Iterator[Problem]:
        step = Decimal(1).scaleb(-places)
        for path, amount in amounts(loaded.declaration):
            if amount.as_tuple().exponent < -places and amount != amount.quantize(step):
                yield loaded.report("J206", path, amount=amount, places=_CHINESE_DIGITS.get(places, places), rule=rule)

    return check_decimal_places


def unique_labels(lists: Callable[[object], Iterable[tuple[tuple, str, list, str]]]):
    """Rows of one labelled list must differ: two 其他资金 rows would be added into one by every reader.
    `lists(model)` yields (path of the list, what it is, its items, the key naming an item)."""

    def check_unique_labels(loaded: LoadedDocument) -> Iterator[Problem]:
        for list_path, what, items, key in lists(loaded.declaration):
            seen: dict[str, int] = {}
            for index, item in enumerate(items):
                name = "".join(getattr(item, key).split())
                path = list_path + (index, key)
                if name in seen:
                    yield loaded.report("J207", path, what=what, name=getattr(item, key), line=seen[name])
                else:
                    seen[name] = loaded.where(path)[0]

    return check_unique_labels


# ---- rules every form gets ------------------------------------------------------------------------


def check_file_location(loaded: LoadedDocument) -> Iterator[Problem]:
    """The file should lie where its data says its outputs go: declarations/<location>.yaml."""
    form = loaded.form
    expected = PurePosixPath(loaded.location).parts
    actual = loaded.path.with_suffix("").parts
    if loaded.path.suffix not in (".yaml", ".yml"):
        return
    if actual[-1] != expected[-1]:
        ident = form.identifier(loaded.declaration)
        if ident == expected[-1]:
            detail = f"{field_label(form.model, form.id_path)}「{ident}」与文件名「{loaded.path.name}」不一致"
        else:  # a fixed name, such as self-evaluation.yaml or <项目标识>.self-evaluation.yaml
            detail = f"文件名应为「{expected[-1]}{loaded.path.suffix}」，这里是「{loaded.path.name}」"
        yield loaded.report("J401", form.id_path, detail=f"{detail}；约定为 {form.file_pattern}")
        return
    for have, want in zip(reversed(actual[:-1]), reversed(expected[:-1])):
        if want.isdigit():
            if have.isdigit() and have != want:
                yield loaded.report("J402", ("year",), year=want, folder=have)
            return  # folders above the year are the user's own
        if have != want:
            yield loaded.report(
                "J401", form.id_path,
                detail=f"文件应在文件夹「{want}」里（约定为 {form.file_pattern}），这里是「{have}」",
            )
            return


def check_department_id(loaded: LoadedDocument) -> Iterator[Problem]:
    """The department's page across years is /<部门标识>/ on the site, beside the site's own folders."""
    department = loaded.department
    if department is not None and department.id in SITE_FOLDERS:
        yield loaded.report("J405", ("department", "id"), id=department.id, names="、".join(SITE_FOLDERS))


def check_unique_locations(documents: list[LoadedDocument]) -> Iterator[Problem]:
    """Two files whose outputs would overwrite each other's."""
    seen: dict[str, LoadedDocument] = {}
    for item in documents:
        key = item.location
        if key in seen:
            ident = field_label(item.form.model, item.form.id_path)
            what = f"{ident}「{PurePosixPath(key).name}」（{key}）"
            yield item.report("J403", item.form.id_path, what=what, other=seen[key].display)
        else:
            seen[key] = item


# Two files of one department and year that hold the same project (J404): imported twice under two
# ids, or copied and not renamed. Their outputs do not collide (J403), so nothing else sees it.
def _same(value) -> str:
    return re.sub(r"\s+", "", str(value)) if value else ""


def check_duplicate_projects(documents) -> Iterator:
    seen: dict[tuple, object] = {}
    for item in documents:
        project = getattr(item.declaration, "project", None)
        if project is None:
            continue
        department = item.department
        base = (item.form.kind, item.year, getattr(department, "id", None))
        for key in ("code", "name"):
            value = _same(getattr(project, key, None))
            if not value:
                continue
            mark = base + (key, value)
            if mark in seen:
                label = field_label(item.form.model, ("project", key))
                yield item.report("J404", ("project", key), what=f"{label}「{getattr(project, key)}」",
                                  other=seen[mark].display)
                break
            seen[mark] = item


# ---- running the rules ------------------------------------------------------------------------


def run_checks(loaded: LoadedDocument) -> list[Problem]:
    """Every rule's findings for a document that loaded."""
    if loaded.declaration is None:
        return []
    rules = (*loaded.form.rules, check_file_location, check_department_id)
    return [problem for rule in rules for problem in rule(loaded)]


def run_cross_checks(documents: list[LoadedDocument]) -> list[Problem]:
    """The rules that need every document of the run: outputs that collide, forms that must agree."""
    valid = [item for item in documents if item.declaration is not None]
    found = list(check_unique_locations(valid))
    found.extend(check_duplicate_projects(valid))
    for form in registry.forms().values():
        for rule in form.cross_rules:
            found.extend(rule(valid))
    return found
