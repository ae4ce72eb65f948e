"""The commented skeleton `jixiao new` writes for a new department and year."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def render_skeleton(year: int, dept_id: str, name: str, target: Path, schema_path: Path) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML, not HTML: values are quoted with the yaml_str filter instead
    )
    # A JSON string is a valid YAML double-quoted scalar: safe for any department name.
    env.filters["yaml_str"] = lambda text: json.dumps(text, ensure_ascii=False)
    schema = os.path.relpath(schema_path.resolve(), target.resolve().parent).replace(os.sep, "/")
    return env.get_template("skeleton.yaml").render(year=year, dept_id=dept_id, name=name, schema=schema)
