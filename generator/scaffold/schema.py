"""JSON Schema (draft-07, what VS Code's YAML extension fully supports) from the forms' models: one
per form, and the editor schema that accepts every form, choosing by the `form:` key."""

from __future__ import annotations

from typing import Any

from generator.core import registry


def _draft7_refs(node: Any) -> Any:
    """Draft-07 ignores keywords beside $ref, so a field's title and description go beside an allOf."""
    if isinstance(node, list):
        return [_draft7_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _draft7_refs(value) for key, value in node.items()}
    if "$ref" in node and len(node) > 1:
        node = {"allOf": [{"$ref": node.pop("$ref")}], **node}
    return node


def _form_schema(form, prefix: str = "") -> dict:
    schema = form.model.model_json_schema(ref_template=f"#/definitions/{prefix}{{model}}")
    definitions = {f"{prefix}{name}": value for name, value in schema.pop("$defs", {}).items()}
    return {"root": _draft7_refs(schema), "definitions": _draft7_refs(definitions)}


def form_schema(kind: str) -> dict:
    """The schema of one form, for `jixiao schema --form KIND`."""
    parts = _form_schema(registry.forms()[kind])
    return {"$schema": "http://json-schema.org/draft-07/schema#", **parts["root"], "definitions": parts["definitions"]}


def json_schema() -> dict:
    """Every form: each one's definitions under its own prefix, the root chosen by `form:` (absent:
    the department form) with draft-07's if/then/else."""
    definitions: dict = {}
    roots = {}
    for kind, form in registry.forms().items():
        parts = _form_schema(form, prefix=f"{kind}.")
        definitions.update(parts["definitions"])
        definitions[kind] = parts["root"]
        roots[kind] = {"$ref": f"#/definitions/{kind}"}
    default = registry.default().kind
    choice: dict = roots[default]
    for kind in reversed([k for k in registry.forms() if k != default]):
        choice = {
            "if": {"properties": {"form": {"const": kind}}, "required": ["form"]},
            "then": roots[kind],
            "else": choice,
        }
    known = list(registry.forms())
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "jixiao 申报文件",
        "description": "、".join(f"{kind}：{form.title}" for kind, form in registry.forms().items())
        + "；文件开头的 form: 指明是哪一种，省略时为部门整体预算绩效目标申报表",
        "type": "object",
        "properties": {"form": {"enum": known, "title": "表的种类"}},
        "allOf": [choice],
        "definitions": definitions,
    }
