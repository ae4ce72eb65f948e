"""Finding declaration files and loading them: bytes → YAML data with positions → which form → typed model."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from generator.core import registry
from generator.core.document import LoadedDocument
from generator.core.fieldpath import FieldPath, field_label, format_path, model_at
from generator.core.files import find_declarations
from generator.input import mistakes
from generator.input.parse import MAX_BYTES, parse
from generator.core.problems import Problem, Severity

__all__ = ["LoadedDocument", "MAX_BYTES", "find_declarations", "load_bytes", "load_file", "load_text"]


def load_file(path: Path) -> LoadedDocument:
    from generator.core.oserrors import not_regular, reason, special_kind

    loaded = LoadedDocument(path=path, display=str(path))
    kind = special_kind(path)
    if kind is not None:  # a FIFO would be waited on for ever
        loaded.problems.append(loaded.problem("J000", Severity.ERROR, (), not_regular(kind)))
        return loaded
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return _too_large(size, loaded)
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)  # a file growing meanwhile is still bounded
    except OSError as exc:
        loaded.problems.append(loaded.problem("J000", Severity.ERROR, (), f"无法读取文件：{reason(exc)}"))
        return loaded
    return load_bytes(data, loaded)


def load_text(text: str, display: str = "<text>") -> LoadedDocument:
    loaded = LoadedDocument(path=Path(display), display=display)
    if len(text) > MAX_BYTES:  # too large however it is encoded: refuse without copying it
        loaded.problems.append(
            loaded.problem(
                "J004", Severity.ERROR, (), f"文件过大（{len(text):,} 个字符），申报文件不应超过 {MAX_BYTES:,} 字节"
            )
        )
        return loaded
    # surrogatepass: a lone surrogate is then reported as undecodable text, like a corrupt file
    return load_bytes(text.encode("utf-8", "surrogatepass"), loaded)


def _too_large(size: int, loaded: LoadedDocument) -> LoadedDocument:
    loaded.problems.append(
        loaded.problem("J004", Severity.ERROR, (), f"文件过大（{size:,} 字节），申报文件不应超过 {MAX_BYTES:,} 字节")
    )
    return loaded


def load_bytes(data: bytes, loaded: LoadedDocument) -> LoadedDocument:
    # Taken from the bytes loaded, not read again later: an output is then fingerprinted by the very
    # text it was made from, even when the file is saved again while the build runs.
    loaded.digest = hashlib.sha256(data).hexdigest()
    # A file with errors is scanned for the typing mistakes behind them (full-width colon, Tab, …).
    return mistakes.explain(_load_bytes(data, loaded))


def _load_bytes(data: bytes, loaded: LoadedDocument) -> LoadedDocument:
    if len(data) > MAX_BYTES:
        return _too_large(len(data), loaded)
    parsed = parse(data, loaded)
    if isinstance(loaded.data, dict):
        # Problems found while parsing (a duplicate key) get their Chinese labels from the form the
        # file names, even when it cannot be validated.
        named = loaded.data.get("form")
        model = (registry.forms().get(named) if isinstance(named, str) else None) or registry.default()
        loaded.problems = [_labelled(problem, model.model) for problem in loaded.problems]
    if not parsed:
        return loaded
    if not isinstance(loaded.data, dict):
        found = {list: "列表", type(None): "空值"}.get(type(loaded.data), "一段文字")
        loaded.problems.append(loaded.problem("J011", Severity.ERROR, (), f"文件顶层应为映射（“键: 值”），这里是{found}"))
        return loaded
    loaded.form = _which_form(loaded)
    if loaded.form is None:
        return loaded
    try:
        loaded.declaration = loaded.form.model.model_validate(loaded.data)
    except ValidationError as exc:
        loaded.problems.extend(_validation_problems(exc, loaded))
    return loaded


def _labelled(problem: Problem, model) -> Problem:
    """A problem found before the form was known, its field now labelled in Chinese."""
    if not problem.path:
        return problem
    return replace(problem, field=format_path(model, problem.path))


def _which_form(loaded: LoadedDocument):
    """The form named by `form:`; absent means the department form, unless the keys say otherwise."""
    kind = loaded.data.get("form")
    known = "、".join(f"{form.kind}（{form.title}）" for form in registry.forms().values())
    if kind is None:
        likely = registry.likely_form(set(loaded.data))
        if not likely.default:
            loaded.problems.append(
                loaded.report(
                    "J013", (), detail=f"没有写 form:，按{registry.default().title}读；但字段像是{likely.title}，"
                    f"请在文件开头写一行 form: {likely.kind}",
                )
            )
            return None
        return registry.default()
    if not isinstance(kind, str) or kind not in registry.forms():
        loaded.problems.append(
            loaded.report("J013", ("form",), detail=f"「{kind}」不是已知的表；可写的有：{known}")
        )
        return None
    return registry.forms()[kind]


def _validation_problems(exc: ValidationError, loaded: LoadedDocument) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        key = False
        if kind == "missing":
            name = loc[-1]
            label = field_label(loaded.model, loc)
            message = f"缺少必填字段「{name}」" + (f"（{label}）" if label else "")
            loc_for_position = loc[:-1]
        elif kind == "extra_forbidden":
            message = _unknown_key_message(loaded.model, loc)
            loc_for_position, key = loc, True
        else:
            message = _type_message(err)
            loc_for_position = loc
        line, column = loaded.where(loc_for_position, key)
        if kind == "extra_forbidden":
            code = "J012"
        elif kind in ("missing", "jx_blank") or err.get("input", "") is None:
            code = "J010"
        else:
            code = "J011"
        problems.append(Problem(loaded.display, line, column, code, Severity.ERROR, format_path(loaded.model, loc), message, loc))
    return problems


def _unknown_key_message(root, loc: FieldPath) -> str:
    key = str(loc[-1])
    model = model_at(root, loc[:-1])
    message = f"未知字段「{key}」"
    if re.fullmatch(r"\d{3}(,\d{3})*(\.\d+)?", key):
        return message + "：像是被逗号拆开的金额；在 { } 里写带千分位逗号的金额要加引号，如 amount: \"96,502.03\""
    if key[:1].isspace():
        return message + "：开头有全角空格等空白；缩进只能用半角空格"
    if key != key.strip():
        return message + f"：末尾有多余的空白，应为「{key.strip()}」"
    if model is None:
        return message
    names = list(model.model_fields)
    titles = {info.title: name for name, info in model.model_fields.items() if info.title}
    guess = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if not guess:
        close_title = difflib.get_close_matches(key, list(titles), n=1, cutoff=0.5)
        guess = [titles[close_title[0]]] if close_title else []
    if guess:
        return message + f"，你是不是想写「{guess[0]}」？"
    return message + "，此处可用的字段：" + "、".join(names)


def _type_message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind.startswith("jx_"):
        if value is None:
            return "不能为空"
        return err["msg"]
    if value is None:
        return "不能为空"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "应为映射（“键: 值”的形式）"
    if kind == "list_type":
        return "应为列表（每项以“- ”开头）"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length', 1)} 项"
    if kind == "string_pattern_mismatch":
        return f"「{value}」不合要求：只能用小写字母、数字和连字符，以字母或数字开头"
    if kind == "greater_than_equal":
        return f"「{value}」不能小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"「{value}」不能大于 {ctx.get('le')}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"「{value}」应为整数"
    if kind == "string_type":
        return "应为文本"
    return f"不合要求（{err['msg']}）"
