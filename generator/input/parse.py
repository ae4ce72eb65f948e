"""Bytes → text → YAML nodes → plain data with the line and column of every value.

Only nodes are composed (nothing is constructed): aliases, tags and deep nesting are refused, every
scalar is kept as its text, and PyYAML's errors become Chinese messages at the line to fix.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from generator.core.fieldpath import FieldPath, format_path
from generator.core.fields import Scalar
from generator.core.document import LoadedDocument
from generator.core.problems import Problem, Severity


MAX_BYTES = 2 * 1024 * 1024  # a real declaration is ~30 KB; refuse before parsing anything absurd
MAX_LINE_CHARS = 100_000
MAX_DEPTH = 32
# Line breaks to PyYAML (YAML 1.1) but not to editors: every line number after one would be off.
_HIDDEN_BREAK = re.compile("[\x85\u2028\u2029]")
_LONG_LINE = re.compile(r"^[^\n]{%d}" % (MAX_LINE_CHARS + 1), re.MULTILINE)  # tried at line starts only

NULLS = {"", "~", "null", "Null", "NULL"}



def parse(data: bytes, loaded: LoadedDocument) -> bool:
    """Decode and parse `data` into loaded.text, loaded.data and its positions; False (with the
    problems recorded) when there is nothing to validate."""
    text = _decode(data, loaded)
    if text is None:
        return False
    loaded.text = text
    long_line = _LONG_LINE.search(text)  # without splitting the text into a string per line
    if long_line:
        number = text.count("\n", 0, long_line.start()) + 1
        end = text.find("\n", long_line.start())
        length = (len(text) if end < 0 else end) - long_line.start()
        loaded.problems.append(
            Problem(loaded.display, number, 1, "J004", Severity.ERROR, "", f"第 {number} 行过长（{length:,} 个字符）")
        )
        return False
    hidden = _HIDDEN_BREAK.search(text)
    if hidden:
        number, column = _place(text, hidden.start())
        loaded.problems.append(
            Problem(
                loaded.display, number, column, "J001", Severity.ERROR, "",
                f"文件含有看不见的换行符（U+{ord(hidden.group()):04X}，多来自网页或 Word），请删除或换成普通换行",
            )
        )
        return False
    root = _compose(text, loaded)
    if root is None:
        return False
    loaded.data = _to_data(root, (), loaded)
    return not any(p.is_error for p in loaded.problems)


def _place(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of the character at `offset`."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _decode(data: bytes, loaded: LoadedDocument) -> str | None:
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


class _Repeated(Exception):
    """A node met twice (an alias, as libyaml composes it) or nested too deep: the careful path says which."""


def _compose_fast(text: str):
    """The nodes as libyaml composes them (C, ~10x faster), or None: for anything but a well-formed
    file without aliases, _compose's pure-Python path finds the same nodes or the error to report."""
    loader_class = getattr(yaml, "CSafeLoader", None)
    # libyaml accepts tabs and control characters in places PyYAML refuses: such files take the careful path.
    if loader_class is None or "\t" in text or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except Exception:
        return None
    if node is None:
        return None
    seen: set[int] = set()
    stack = [(node, 1)]
    try:
        while stack:
            current, depth = stack.pop()
            if id(current) in seen or depth > MAX_DEPTH:
                raise _Repeated
            seen.add(id(current))
            if isinstance(current, yaml.ScalarNode):
                current.style = current.style or None  # libyaml names a plain scalar '', PyYAML None
            elif isinstance(current, yaml.SequenceNode):
                stack.extend((item, depth + 1) for item in current.value)
            elif isinstance(current, yaml.MappingNode):
                for key, value in current.value:
                    stack.extend(((key, depth + 1), (value, depth + 1)))
    except _Repeated:
        return None
    return node


def _compose(text: str, loaded: LoadedDocument):
    fast = _compose_fast(text)
    if fast is not None:
        return fast
    loader = None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        line, column = _place(text, exc.position)
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


def _to_data(node: yaml.Node, path: FieldPath, loaded: LoadedDocument) -> Any:
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
                Problem(loaded.display, line, column, "J011", Severity.ERROR, format_path(None, path), "键必须是简单文字，不能是列表或映射", path)
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
                    format_path(None, child),
                    f"键「{key}」重复（第 {first_line[key]} 行已有），后一个会覆盖前一个，请只保留一个",
                    child,
                )
            )
            continue
        first_line[key] = key_line
        loaded.key_positions[child] = (key_line, key_node.start_mark.column + 1)
        result[key] = _to_data(value_node, child, loaded)
    return result


