"""Two files of one department and year that hold the same project (J404): a project imported twice
under two ids, or copied and not renamed. Their outputs do not collide (J403), so nothing else sees it."""

from __future__ import annotations

import re
from typing import Iterator

from .fieldpath import field_label


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
