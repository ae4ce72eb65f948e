"""The commented skeleton `jixiao new` writes: the form's own skeleton.yaml, filled with the names given."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jinja2

# Plain words that YAML (1.1 or 1.2) reads as a boolean or null rather than as text.
_NOT_TEXT = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def yaml_id(text: str) -> str:
    """An id as YAML: plain when it can only be read as text, like nansha-dongchong; quoted otherwise, like 440115."""
    if re.match(r"^[a-z][a-z0-9-]*$", text) and text not in _NOT_TEXT:
        return text
    return json.dumps(text)


def render_skeleton(form, *, year: int, department: str, department_name: str, ident: str, name: str,
                    target: Path, schema_path: Path) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(form.folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML, not HTML: values are quoted with the yaml_str filter instead
    )
    # A JSON string is a valid YAML double-quoted scalar: safe for any name.
    env.filters["yaml_str"] = lambda text: json.dumps(text, ensure_ascii=False)
    env.filters["yaml_id"] = yaml_id
    schema = os.path.relpath(schema_path.resolve(), target.resolve().parent).replace(os.sep, "/")
    return env.get_template("skeleton.yaml").render(
        kind=form.kind, year=year, dept_id=department, department_name=department_name, ident=ident, name=name,
        schema=schema,
    )
