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


def yaml_block(text: str, indent: int) -> str:
    """Text for a block scalar whose lines are indented by `indent` spaces."""
    return ("\n" + " " * indent).join(line.rstrip() for line in text.strip().split("\n")) if text else ""


def render_skeleton(form, *, year: int, department: str, department_name: str, ident: str, name: str,
                    target: Path, schema_path: Path, evaluated=None) -> str:
    """The form's skeleton.yaml filled in; `evaluated`: the target form a self-evaluation starts from
    (its indicators and target values are copied in)."""
    from generator.render.templates import TEMPLATES

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(form.folder), jinja2.FileSystemLoader(TEMPLATES)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # YAML, not HTML: values are quoted with the yaml_str filter instead
    )
    # A JSON string is a valid YAML double-quoted scalar: safe for any name.
    env.filters["yaml_str"] = lambda text: json.dumps(text, ensure_ascii=False)
    env.filters["yaml_id"] = yaml_id
    env.filters["yaml_block"] = yaml_block
    schema = os.path.relpath(schema_path.resolve(), target.resolve().parent).replace(os.sep, "/")
    return env.get_template("skeleton.yaml").render(
        kind=form.kind, year=year, dept_id=department, department_name=department_name, ident=ident, name=name,
        schema=schema, target=evaluated,
    )
