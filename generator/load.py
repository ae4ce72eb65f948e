"""Finding declaration files and loading them: bytes → text → YAML nodes with marks → typed model."""

from __future__ import annotations

import difflib
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .model import Declaration, Scalar
from .problems import Problem, Severity

MAX_BYTES = 2 * 1024 * 1024  # a real declaration is ~30 KB; refuse before parsing anything absurd
MAX_LINE_CHARS = 100_000
MAX_DEPTH = 32
# Line breaks to PyYAML (YAML 1.1) but not to editors: every line number after one would be off.
_HIDDEN_BREAK = re.compile("[\x85\u2028\u2029]")
_LONG_LINE = re.compile(r"^[^\n]{%d}" % (MAX_LINE_CHARS + 1), re.MULTILINE)  # tried at line starts only

Path_ = tuple  # a field path: ('tasks', 2, 'funds')
NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class LoadedDeclaration:
    """One file as loaded: its text, plain data, where each value stands, and the model if valid."""

    path: Path
    display: str
    text: str = ""
    data: Any = None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    declaration: Declaration | None = None
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `path`, or of its nearest ancestor that was written."""
        path = tuple(path)
        table = self.key_positions if key else self.positions
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in self.positions:
                return self.positions[path]
        return (1, 1)

    def problem(self, code: str, severity: Severity, path: Path_, message: str, key: bool = False) -> Problem:
        line, column = self.where(path, key)
        return Problem(self.display, line, column, code, severity, format_path(path), message)


def format_path(path: Path_) -> str:
    """('tasks', 2, 'funds') → 'tasks[3].funds（拟投入的资金（万元））': list positions count from 1."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    label = field_label(path)
    return f"{out}（{label}）" if out and label else out


def _field_info(path: Path_):
    """Walk the model along `path`; return the pydantic FieldInfo of the last named part, if any."""
    model: Any = Declaration
    info = None
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = _inner_model(info.annotation)
    return info


def _inner_model(annotation: Any):
    """list[Task] → Task, Optional[Filing] → Filing; anything else as it is."""
    for arg in typing.get_args(annotation) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = _inner_model(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return annotation


def field_label(path: Path_) -> str:
    info = _field_info(path)
    return (info.title or "") if info else ""


def _model_at(path: Path_):
    model: Any = Declaration
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        model = _inner_model(model.model_fields[part].annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def find_declarations(paths: list[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files named, and every *.yaml / *.yml below folders named, in a stable order."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [
                p
                for p in sorted(path.rglob("*"))
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
            if not found:
                problems.append(Problem(str(raw), 1, 1, "J000", Severity.WARNING, "", "文件夹里没有申报文件（*.yaml）"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(raw), 1, 1, "J000", Severity.ERROR, "", "文件或文件夹不存在"))
    unique = list(dict.fromkeys(files))
    return unique, problems


def load_file(path: Path) -> LoadedDeclaration:
    loaded = LoadedDeclaration(path=path, display=str(path))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return _too_large(size, loaded)
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)  # a file growing meanwhile is still bounded
    except PermissionError:
        loaded.problems.append(loaded.problem("J000", Severity.ERROR, (), "没有读取这个文件的权限"))
        return loaded
    except OSError as exc:
        loaded.problems.append(loaded.problem("J000", Severity.ERROR, (), f"无法读取文件（{exc.strerror or exc}）"))
        return loaded
    return load_bytes(data, loaded)


def load_text(text: str, display: str = "<text>") -> LoadedDeclaration:
    loaded = LoadedDeclaration(path=Path(display), display=display)
    if len(text) > MAX_BYTES:  # too large however it is encoded: refuse without copying it
        loaded.problems.append(
            loaded.problem(
                "J004", Severity.ERROR, (), f"文件过大（{len(text):,} 个字符），申报文件不应超过 {MAX_BYTES:,} 字节"
            )
        )
        return loaded
    # surrogatepass: a lone surrogate is then reported as undecodable text, like a corrupt file
    return load_bytes(text.encode("utf-8", "surrogatepass"), loaded)


def _too_large(size: int, loaded: LoadedDeclaration) -> LoadedDeclaration:
    loaded.problems.append(
        loaded.problem("J004", Severity.ERROR, (), f"文件过大（{size:,} 字节），申报文件不应超过 {MAX_BYTES:,} 字节")
    )
    return loaded


def load_bytes(data: bytes, loaded: LoadedDeclaration) -> LoadedDeclaration:
    if len(data) > MAX_BYTES:
        return _too_large(len(data), loaded)
    text = _decode(data, loaded)
    if text is None:
        return loaded
    loaded.text = text
    long_line = _LONG_LINE.search(text)  # without splitting the text into a string per line
    if long_line:
        number = text.count("\n", 0, long_line.start()) + 1
        end = text.find("\n", long_line.start())
        length = (len(text) if end < 0 else end) - long_line.start()
        loaded.problems.append(
            Problem(loaded.display, number, 1, "J004", Severity.ERROR, "", f"第 {number} 行过长（{length:,} 个字符）")
        )
        return loaded
    hidden = _HIDDEN_BREAK.search(text)
    if hidden:
        number = text.count("\n", 0, hidden.start()) + 1
        column = hidden.start() - (text.rfind("\n", 0, hidden.start()) + 1) + 1
        loaded.problems.append(
            Problem(
                loaded.display, number, column, "J001", Severity.ERROR, "",
                f"文件含有看不见的换行符（U+{ord(hidden.group()):04X}，多来自网页或 Word），请删除或换成普通换行",
            )
        )
        return loaded
    root = _compose(text, loaded)
    if root is None:
        return loaded
    loaded.data = _to_data(root, (), loaded)
    if any(p.is_error for p in loaded.problems):
        return loaded
    if not isinstance(loaded.data, dict):
        found = {list: "列表", type(None): "空值"}.get(type(loaded.data), "一段文字")
        loaded.problems.append(loaded.problem("J011", Severity.ERROR, (), f"文件顶层应为映射（“键: 值”），这里是{found}"))
        return loaded
    try:
        loaded.declaration = Declaration.model_validate(loaded.data)
    except ValidationError as exc:
        loaded.problems.extend(_validation_problems(exc, loaded))
    return loaded


def _decode(data: bytes, loaded: LoadedDeclaration) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a BOM from a Windows editor is harmless
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        loaded.problems.append(
            loaded.problem("J002", Severity.ERROR, (), "文件是 UTF-16 编码，请用“UTF-8”编码另存后再试")
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        if _looks_gbk(data):
            message = (
                "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Windows 记事本、WPS 或 Excel 按“ANSI”保存的）；"
                "请用“UTF-8”编码另存后再试"
            )
        else:
            message = "文件不是合法的 UTF-8 文本（此处的字节无法解码，文件可能已损坏）；请用“UTF-8”编码保存"
        loaded.problems.append(Problem(loaded.display, line, column, "J002", Severity.ERROR, "", message))
        return None


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: YAML's ASCII keys and spaces leave a zero byte in every other place."""
    sample = data[:200]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    enough = max(1, len(sample) // 8)
    return max(even, odd) >= enough and min(even, odd) * 10 <= max(even, odd)


def _looks_gbk(data: bytes) -> bool:
    """Decodes as GB18030, and as UTF-8 it is mostly undecodable (not a UTF-8 file with one bad spot)."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    as_utf8 = data.decode("utf-8", errors="replace")
    return as_utf8.count("\ufffd") > len(re.findall("[^\x00-\x7f\ufffd]", as_utf8))


class _Refused(yaml.MarkedYAMLError):
    pass


class _Loader(yaml.SafeLoader):
    """Composes nodes only (nothing is constructed), refusing aliases and deep nesting."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self.last_scalar = None  # the scalar composed last: a quote left open runs on inside it

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise _Refused(problem="不支持 YAML 别名（*引用），请把内容直接写出", problem_mark=mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(problem=f"嵌套超过 {MAX_DEPTH} 层，申报文件没有这么深的结构", problem_mark=mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def fetch_flow_collection_start(self, token_class):
        # Refused as the brackets are read: PyYAML slows down quadratically with many open on one line.
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(problem=f"嵌套超过 {MAX_DEPTH} 层，申报文件没有这么深的结构", problem_mark=self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_scalar_node(self, anchor):
        self.last_scalar = self.peek_event()
        return super().compose_scalar_node(anchor)


# PyYAML's English wording → what a finance officer can act on.
_YAML_MESSAGES = [
    ("cannot start any token", "'\\t'", "使用了制表符（Tab）缩进；YAML 只允许用空格缩进"),
    ("mapping values are not allowed here", "", "此处不能有“键: 值”：检查缩进，或给含有“: ”的文字加引号"),
    ("sequence entries are not allowed here", "", "此处不能开始列表项“- ”：列表要另起一行并缩进，或给文字加引号"),
    ("could not find expected ':'", "", "缺少“:”，或上一行的引号没有闭合"),
    ("did not find expected key", "", "缩进不一致，或列表项与键混在同一层"),
    ("did not find expected '-' indicator", "", "缩进不一致：列表项应以“- ”开头并对齐"),
    ("did not find expected node content", "", "此处缺少值，或有多余的符号（如 , ] }）"),
    ("expected the node content", "", "此处缺少值，或有多余的符号（如 , ] }）"),
    ("expected '<document start>'", "", "缩进不一致，或顶层混入了不是“键: 值”的内容"),
    ("found unexpected end of stream", "", "文件意外结束：引号或括号没有闭合"),
    ("found unknown escape character", "", "双引号文字里有无效的反斜杠转义，可改用单引号"),
    ("expected escape sequence", "", "双引号文字里有无效的反斜杠转义，可改用单引号"),
    ("expected <block end>, but found", "", "缩进不一致"),
    ("found unexpected ':'", "", "出现了多余的“:”"),
    ("expected a single document", "", "文件里只能有一个文档（不要用 ---  分成多段）"),
    ("found duplicate anchor", "", "“&”锚点名称重复；申报文件用不到锚点，可删除"),
    ("mapping keys are not allowed here", "", "此处不能有“? ”，可给这段文字加引号"),
    ("found character", "", "出现了不能开始一个值的字符，可给这段文字加引号"),
    ("found undefined alias", "", "不支持 YAML 别名（*引用）"),
    ("while scanning an anchor", "", "“&”后的锚点写法不对，可给这段文字加引号"),
    ("while scanning an alias", "", "“*”开头的文字需要加引号"),
    ("while scanning a tag", "", "“!”开头的文字需要加引号"),
    ("while parsing a tag", "", "“!”开头的文字需要加引号"),
    ("undefined tag handle", "", "“!”开头的文字需要加引号"),
    ("while scanning a directive", "", "“%”开头的行需要加引号"),
    ("directive", "", "“%”开头的指令行用不到，请删除"),
    ("duplicate tag handle", "", "“%”开头的指令行用不到，请删除"),
    ("incompatible YAML document", "", "“%”开头的指令行用不到，请删除"),
]


def _yaml_message(exc: yaml.MarkedYAMLError, loader: _Loader | None, text: str):
    """The Chinese message for a syntax error, and the mark of the place to fix (often where it began)."""
    problem = str(getattr(exc, "problem", "") or "")
    context = str(getattr(exc, "context", "") or "")
    mark = exc.problem_mark or exc.context_mark or yaml.Mark("", 0, 0, 0, None, None)
    start = exc.context_mark or mark
    if isinstance(exc, _Refused):
        return problem, mark
    last = getattr(loader, "last_scalar", None)
    if (
        last is not None
        and last.style in ('"', "'")
        and last.start_mark.line < last.end_mark.line
        and mark.line == last.end_mark.line
    ):
        # A quote left open swallows the lines after it; the error shows where it finally closed.
        return f"引号没有闭合：从这里开始的引号一直延续到第 {last.end_mark.line + 1} 行", last.start_mark
    if "quoted scalar" in context and "escape" not in problem:
        return "引号没有闭合：从这里开始的引号直到文件末尾都没有结束", start
    if "block scalar" in context:
        return "以“>”或“|”开头的文字要加引号，如 \"> 90%\"（或改用 ≥、≤）", start
    if ("flow mapping" in context or "flow sequence" in context) and "expected ','" in problem:
        opening, closing = ("{", "}") if "mapping" in context else ("[", "]")
        if start.line != mark.line:
            return f"从这里开始的“{opening}”没有对应的“{closing}”，或其中缺少逗号“,”", start
        return f"“{opening} {closing}”里各项之间要用逗号“,”分开，或缺少“{closing}”", mark
    if "simple key" in context and "expected ':'" in problem:
        line = _line(text, start.line)
        if line[start.column : start.column + 1] in ('"', "'"):
            return "引号没有闭合，或这段带引号的文字后缺少“: ”", start
        if "：" in line:
            return "用了全角冒号“：”；键和值之间要用英文冒号加空格，如 year: 2024", start
        if ":" in line[start.column :]:
            return "冒号后缺少空格：键和值之间要用英文冒号加空格，如 year: 2024", start
        return "缺少“:”：键和值之间要用英文冒号加空格，如 year: 2024", start
    if "'\\t'" in problem and _line(text, mark.line)[: mark.column].strip(" \t"):
        return "这里有制表符（Tab）；YAML 在这里不接受 Tab，请改成空格", mark
    for needle, also, chinese in _YAML_MESSAGES:
        if needle in problem and also in problem:
            return chinese, mark
    for needle, also, chinese in _YAML_MESSAGES:
        if needle in context:
            return chinese, mark
    return f"YAML 语法错误，请检查这里的缩进和引号（{(context + ' ' + problem).strip()}）", mark


def _line(text: str, index: int) -> str:
    """Line `index` (from 0) of text, without scanning beyond it."""
    start = 0
    for _ in range(index):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def _compose(text: str, loaded: LoadedDeclaration):
    loader = None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        prefix = text[: exc.position]
        line = prefix.count("\n") + 1
        column = exc.position - (prefix.rfind("\n") + 1) + 1
        loaded.problems.append(
            Problem(loaded.display, line, column, "J001", Severity.ERROR, "", f"文件含有不可打印的控制字符（U+{exc.character:04X}），请删除")
        )
        return None
    except yaml.MarkedYAMLError as exc:
        message, mark = _yaml_message(exc, loader, text)
        loaded.problems.append(Problem(loaded.display, mark.line + 1, mark.column + 1, "J001", Severity.ERROR, "", message))
        return None
    except (yaml.YAMLError, RecursionError) as exc:  # pragma: no cover - marks are always present in practice
        loaded.problems.append(Problem(loaded.display, 1, 1, "J001", Severity.ERROR, "", f"YAML 无法解析（{exc}）"))
        return None
    if node is None:
        loaded.problems.append(loaded.problem("J011", Severity.ERROR, (), "文件是空的"))
    return node


_STANDARD_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()


_CORE_INT = re.compile(r"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_CORE_FLOAT = re.compile(r"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")


def _core_kind(text: str) -> str:
    """The type YAML 1.2's core schema, which editors use, gives an unquoted scalar."""
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return "bool"
    if _CORE_INT.match(text):
        return "int"
    if _CORE_FLOAT.match(text):
        return "float"
    return "str"


def _to_data(node: yaml.Node, path: Path_, loaded: LoadedDeclaration) -> Any:
    """Plain data with every scalar kept as its text (no YAML 1.1 guessing), positions recorded."""
    loaded.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _STANDARD_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
        loaded.problems.append(loaded.problem("J011", Severity.ERROR, path, f"不支持 YAML 标签 {tag}；请删去标签，直接写值"))
        return None
    if isinstance(node, yaml.ScalarNode):
        # !!str 2024 is text however it looks: the tag was written, not guessed by the resolver.
        plain = node.style is None and not (
            node.tag == _STR_TAG and _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False)) != _STR_TAG
        )
        if plain and node.value in NULLS:
            return None
        return Scalar(node.value, _core_kind(node.value) if plain else "str")
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(item, path + (i,), loaded) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            loaded.problems.append(
                Problem(loaded.display, line, column, "J011", Severity.ERROR, format_path(path), "键必须是简单文字，不能是列表或映射")
            )
            continue
        key = key_node.value
        child = path + (key,)
        key_line = key_node.start_mark.line + 1
        if key in first_line:
            loaded.problems.append(
                Problem(
                    loaded.display,
                    key_line,
                    key_node.start_mark.column + 1,
                    "J003",
                    Severity.ERROR,
                    format_path(child),
                    f"键「{key}」重复（第 {first_line[key]} 行已有），后一个会覆盖前一个，请只保留一个",
                )
            )
            continue
        first_line[key] = key_line
        loaded.key_positions[child] = (key_line, key_node.start_mark.column + 1)
        result[key] = _to_data(value_node, child, loaded)
    return result


def _validation_problems(exc: ValidationError, loaded: LoadedDeclaration) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        key = False
        if kind == "missing":
            name = loc[-1]
            label = field_label(loc)
            message = f"缺少必填字段「{name}」" + (f"（{label}）" if label else "")
            loc_for_position = loc[:-1]
        elif kind == "extra_forbidden":
            message = _unknown_key_message(loc)
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
        problems.append(Problem(loaded.display, line, column, code, Severity.ERROR, format_path(loc), message))
    return problems


def _unknown_key_message(loc: Path_) -> str:
    key = str(loc[-1])
    model = _model_at(loc[:-1])
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
