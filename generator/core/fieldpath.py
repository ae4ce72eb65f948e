"""Field paths such as ('tasks', 2, 'funds'): walked through a form's model for their Chinese labels."""

from __future__ import annotations

import typing
from functools import lru_cache
from typing import Any, Iterator

from pydantic import BaseModel

FieldPath = tuple  # a field path: ("tasks", 2, "funds")


def _inner_model(annotation: Any):
    """list[Task] → Task, Optional[Filing] → Filing; anything else as it is."""
    for arg in typing.get_args(annotation) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = _inner_model(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return annotation


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _field_info(root: type[BaseModel] | None, path: FieldPath):
    """Walk the model along `path`; the pydantic FieldInfo of the last named part, if any."""
    model: Any = root
    info = None
    for part in path:
        if isinstance(part, int):
            continue
        if not _is_model(model) or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = _inner_model(info.annotation)
    return info


def field_label(root: type[BaseModel] | None, path: FieldPath) -> str:
    """The Chinese label of a field: its title in the model, the one place labels are written."""
    return _cached_label(root, tuple(path))


@lru_cache(maxsize=4096)
def _cached_label(root, path: FieldPath) -> str:
    # Models and their titles do not change while jixiao runs; templates ask for the same labels on every page.
    info = _field_info(root, path)
    return (info.title or "") if info else ""


def label(root: type[BaseModel], dotted: str) -> str:
    """label(Model, "budget.spending.basic") → 基本支出; a missing title is a programming error."""
    text = field_label(root, tuple(dotted.split(".")))
    if not text:
        raise KeyError(f"{root.__name__} has no titled field {dotted}")
    return text


def model_at(root: type[BaseModel] | None, path: FieldPath):
    model: Any = root
    for part in path:
        if isinstance(part, int):
            continue
        if not _is_model(model) or part not in model.model_fields:
            return None
        model = _inner_model(model.model_fields[part].annotation)
    return model if _is_model(model) else None


def format_path(root: type[BaseModel] | None, path: FieldPath) -> str:
    """('tasks', 2, 'funds') → 'tasks[3].funds（拟投入的资金（万元））': list positions count from 1."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    text = field_label(root, path)
    return f"{out}（{text}）" if out and text else out


def walk_strings(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every text in plain YAML data with its field path, in document order."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, path + (index,))
