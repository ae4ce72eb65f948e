"""The commented skeleton `jixiao new` writes for a new department and year."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Plain words that YAML (1.1 or 1.2) reads as a boolean or null rather than as text.
_NOT_TEXT = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def yaml_id(text: str) -> str:
    """An id as YAML: plain when it can only be read as text, like nansha-dongchong; quoted otherwise, like 440115."""
    if re.match(r"^[a-z][a-z0-9-]*$", text) and text not in _NOT_TEXT:
        return text
    return json.dumps(text)


def render_skeleton(year: int, dept_id: str, name: str, target: Path, schema_path: Path) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML, not HTML: values are quoted with the yaml_str filter instead
    )
    # A JSON string is a valid YAML double-quoted scalar: safe for any department name.
    env.filters["yaml_str"] = lambda text: json.dumps(text, ensure_ascii=False)
    env.filters["yaml_id"] = yaml_id
    schema = os.path.relpath(schema_path.resolve(), target.resolve().parent).replace(os.sep, "/")
    return env.get_template("skeleton.yaml").render(year=year, dept_id=dept_id, name=name, schema=schema)
