"""The loader as a user meets it: the exact line printed for each broken file, and what a good file loads as."""

from __future__ import annotations

import datetime as dt
import importlib.util
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.pipeline import load_all
from generator.cli import cli
from generator.input.load import MAX_BYTES, find_declarations, load_file, load_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
CORPUS = ROOT / "tests" / "corpus" / "broken"
GOLDEN = CORPUS / "expected.txt"
CORPUS_REL = "tests/corpus/broken"
CASES = sorted(p.name for p in CORPUS.glob("*.yaml"))

# The corpus files that are not broken at all: traps a loader must not fall into.
ACCEPTED = {
    "encoding-utf8-bom.yaml",
    "yaml11-date-in-filing.yaml",
    "yaml11-date-in-prose.yaml",
    "yaml11-yes-no-stay-text.yaml",
}


def edit(text: str, *pairs: str) -> str:
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def locate(text: str, needle: str) -> tuple[int, int]:
    """Line and column (from 1, in characters) where `needle` first starts in `text`."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def at(text: str, needle: str, offset: int = 0) -> str:
    """'line:column' of needle (plus `offset` characters), as printed in a problem."""
    line, column = locate(text, needle)
    return f"{line}:{column + offset}"


def printed(loaded) -> list[str]:
    return [p.format() for p in loaded.problems]


def validate(*args: str):
    result = CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)
    assert result.stderr == ""
    return result


# ---- the broken corpus and its golden output -----------------------------------------------------


def test_corpus_output_is_the_golden_file(at_repo_root, update_golden):
    """One run over all cases reports every problem of every file; expected.txt is that output, word for word."""
    result = validate(CORPUS_REL)
    if update_golden:
        GOLDEN.write_text(result.stdout, encoding="utf-8")
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def golden_lines(case: str) -> list[str]:
    prefix = f"{CORPUS_REL}/{case}:"
    return [line for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.startswith(prefix)]


@pytest.mark.parametrize("case", CASES)
def test_each_case_alone_prints_its_golden_lines(case, at_repo_root):
    _, problems = load_all([f"{CORPUS_REL}/{case}"])
    assert [p.format() for p in problems] == golden_lines(case)
    errors = [p for p in problems if p.is_error]
    if case in ACCEPTED:
        assert errors == []
    else:
        assert errors, "a broken case must be refused"
    for problem in problems:  # every message names its place and is written for a Chinese reader
        assert problem.line >= 1 and problem.column >= 1
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message)


def test_corpus_has_one_golden_section_per_case_and_no_stale_lines():
    summary = GOLDEN.read_text(encoding="utf-8").splitlines()[-1]
    assert summary.startswith(f"检查了 {len(CASES)} 个申报文件：")
    named = {line.split(":", 1)[0] for line in GOLDEN.read_text(encoding="utf-8").splitlines()[:-1]}
    assert named == {f"{CORPUS_REL}/{case}" for case in CASES}


def test_corpus_files_are_what_make_corpus_writes():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    make_corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_corpus)
    assert sorted(f"{name}.yaml" for name in make_corpus.CASES) == CASES
    for name, content in make_corpus.CASES.items():
        expected = content if isinstance(content, bytes) else content.encode("utf-8")
        assert (CORPUS / f"{name}.yaml").read_bytes() == expected, name


def test_corpus_files_are_what_their_names_say():
    def data(name: str) -> bytes:
        return (CORPUS / f"{name}.yaml").read_bytes()

    assert all((CORPUS / case).stat().st_size < 20_000 for case in CASES), "big cases are made at test time"
    assert data("encoding-utf8-bom").startswith(b"\xef\xbb\xbf")
    assert data("encoding-utf16").startswith(b"\xff\xfe")
    assert data("encoding-utf16-no-bom").decode("utf-16-be").startswith("# 由 declarations")
    gbk = data("encoding-gbk")
    assert gbk.decode("gbk").startswith("# 由 declarations")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        data("encoding-invalid-utf8").decode("utf-8")
    assert b"\x00" in data("control-nul")
    assert data("structure-empty") == b""
    assert data("structure-deep-nesting").count(b"[") == 3000


# ---- the seed, and the same content in other clothes ---------------------------------------------


def test_seed_loads_without_problems():
    loaded = load_file(SEED)
    assert loaded.problems == []
    assert loaded.declaration is not None
    assert loaded.declaration.department.id == "nansha-dongchong"
    assert len(loaded.declaration.tasks) == 6


@pytest.mark.parametrize(
    "dress",
    [
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="utf8-bom"),
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b.replace(b"\n", b"\r"), id="old-mac-cr"),
        pytest.param(lambda b: b.rstrip(b"\n"), id="no-final-newline"),
    ],
)
def test_harmless_differences_load_exactly_like_the_seed(dress, tmp_path):
    path = tmp_path / "nansha-dongchong.yaml"
    path.write_bytes(dress(SEED.read_bytes()))
    loaded = load_file(path)
    assert loaded.problems == []
    assert loaded.declaration == load_file(SEED).declaration


def test_gbk_file_is_named_as_gbk_in_plain_words(tmp_path, seed_text):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(seed_text.encode("gbk"))
    assert printed(load_file(path)) == [
        f"{path}:{at(seed_text, '广州市南沙区')}: 错误 J002: （文件）: 文件不是 UTF-8 编码，看起来是 GBK/GB18030"
        "（Windows 记事本、WPS 或 Excel 按“ANSI”保存的）；请用“UTF-8”编码另存后再试"
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom_is_named(codec, tmp_path, seed_text):
    path = tmp_path / "u.yaml"
    path.write_bytes(seed_text.encode(codec))
    assert printed(load_file(path)) == [f"{path}:1:1: 错误 J002: （文件）: 文件是 UTF-16 编码，请用“UTF-8”编码另存后再试"]


def test_one_corrupt_byte_in_utf8_is_not_mistaken_for_gbk(tmp_path, seed_text):
    path = tmp_path / "x.yaml"
    path.write_bytes(seed_text.encode().replace("东涌镇人民政府\n".encode(), "东涌镇人民政府".encode()[:-2] + b"\n", 1))
    where = at(seed_text, "东涌镇人民政府\n", 6)  # the 府 cut short
    assert printed(load_file(path)) == [
        f"{path}:{where}: 错误 J002: （文件）: 文件不是合法的 UTF-8 文本（此处的字节无法解码，文件可能已损坏）；"
        "请用“UTF-8”编码保存"
    ]


def test_lone_surrogate_in_text_is_a_problem_not_an_exception():
    loaded = load_text("title: \ud800\n", "t.yaml")
    assert [p.code for p in loaded.problems] == ["J002"]
    assert loaded.problems[0].line == 1


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\ufffe"])
def test_control_characters_are_named_with_their_place(char, seed_text):
    text = edit(seed_text, "year: 2024", f"year: 20{char}24")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, char)}: 错误 J001: （文件）: 文件含有不可打印的控制字符（U+{ord(char):04X}），请删除"
    ]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_line_separators_editors_do_not_show_are_named(char, seed_text):
    text = edit(seed_text, "持续完善基础设施配套\n  - level1", f"持续完善{char}基础设施配套\n  - level1")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, char)}: 错误 J001: （文件）: 文件含有看不见的换行符（U+{ord(char):04X}，多来自网页或 Word），"
        "请删除或换成普通换行"
    ]


# ---- YAML syntax: the line to fix and what to do -------------------------------------------------


@pytest.mark.parametrize(
    "old, new, where, message",
    [
        (
            "  id: nansha-dongchong",
            " id: nansha-dongchong",
            "id: nansha",
            "缩进不一致",
        ),
        (
            "title: 部门整体预算绩效目标申报表",
            "title: 部门整体: 预算绩效目标申报表",
            ": 预算",
            "此处不能有“键: 值”：检查缩进，或给含有“: ”的文字加引号",
        ),
        ("year: 2024", "year:2024", ":2024", "「year」的冒号后缺少空格；要写成 year: 2024（英文冒号后加一个空格）"),
        (
            "  id: nansha-dongchong",
            "  id: nansha-dongchong\n  广州市南沙区",
            "广州市南沙区\nbasic",
            "缺少“:”：键和值之间要用英文冒号加空格，如 year: 2024",
        ),
        ("year: 2024", "year：2024", "：2024", "「year」后面用了全角冒号“：”；要用英文冒号加一个空格，写成 year: …"),
        (
            "  name: 广州市南沙区东涌镇人民政府",
            "\tname: 广州市南沙区东涌镇人民政府",
            "\tname",
            "缩进里有制表符（Tab）；缩进只能用空格，每层两个空格",
        ),
        (
            "{label: 其他资金, amount: 98.17}",
            "{label: 其他资金, amount: 98.17",
            "{label: 其他资金",
            "从这里开始的“{”没有对应的“}”，或其中缺少逗号“,”",
        ),
        (
            "          - level3: 辖区居民满意度\n            period_value: ≥ 90%",
            "          - level3: 辖区居民满意度\n            period_value: >= 90%",
            ">= 90%",
            "以“>”或“|”开头的文字要加引号，如 \"> 90%\"（或改用 ≥、≤）",
        ),
        (
            "other_tasks:   ",
            "other_tasks: *a",
            "*a",
            "不支持 YAML 别名（*引用），请把内容直接写出",
        ),
    ],
    ids=["indentation", "stray-colon", "no-space", "no-colon", "fullwidth-colon", "tab", "brace", "gt",
         "alias"],
)
def test_syntax_error_names_the_line_to_fix(old, new, where, message, seed_text):
    text = edit(seed_text, old, new)
    assert printed(load_text(text, "d.yaml")) == [f"d.yaml:{at(text, where)}: 错误 J001: （文件）: {message}"]


def test_unclosed_quote_is_named_where_it_opens_not_where_parsing_failed(seed_text):
    text = edit(seed_text, '  - name: "经济追赶超越“建新功”"', '  - name: "经济追赶超越“建新功”')
    opened = at(text, '"经济追赶')
    closed_by = locate(text, '"“百千万工程')[0]  # the next task's opening quote closes it
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{opened}: 错误 J001: （文件）: 引号没有闭合：从这里开始的引号一直延续到第 {closed_by} 行"
    ]
    text = seed_text + "filing:\n  unit: '东涌镇\n"
    opened = at(text, "'东涌镇")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{opened}: 错误 J001: （文件）: 引号没有闭合：从这里开始的引号直到文件末尾都没有结束"
    ]


def test_multiple_documents_are_refused_at_the_separator(seed_text):
    text = seed_text + "---\ntitle: 另一份\n"
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, '---')}: 错误 J001: （文件）: 文件里只能有一个文档（不要用 ---  分成多段）"
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "文件是空的"),
        ("# 还没有填写\n", "文件是空的"),
        ("- title: 部门整体预算绩效目标申报表\n", "文件顶层应为映射（“键: 值”），这里是列表"),
        ("部门整体预算绩效目标申报表\n", "文件顶层应为映射（“键: 值”），这里是一段文字"),
    ],
)
def test_a_file_that_is_not_a_mapping(text, message):
    assert printed(load_text(text, "d.yaml")) == [f"d.yaml:1:1: 错误 J011: （文件）: {message}"]


@pytest.mark.parametrize(
    "tagged, shown",
    [
        ('!!python/object/apply:os.system ["echo 被执行了"]', "!!python/object/apply:os.system"),
        ("!!python/object:collections.OrderedDict {}", "!!python/object:collections.OrderedDict"),
        ("!foo 部门整体预算绩效目标申报表", "!foo"),
        ("!!binary 5pys", "!!binary"),
    ],
)
def test_tags_are_refused_never_constructed(tagged, shown, seed_text):
    text = edit(seed_text, "title: 部门整体预算绩效目标申报表", f"title: {tagged}")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, tagged[:3])}: 错误 J011: title（表名）: 不支持 YAML 标签 {shown}；请删去标签，直接写值"
    ]


# ---- duplicate keys: always refused, at any depth -------------------------------------------------


@pytest.mark.parametrize(
    "old, new, second, field, first_line_of",
    [
        ("year: 2024\n", "year: 2024\nyear: 2025\n", "year: 2025", "year（预算年度）", "year: 2024"),
        ("  staff_count: 244 ", "  staff_count: 244\n  staff_count: 244 ", "staff_count: 244 ",
         "basic_info.staff_count（财政供养人员数）", "staff_count: 244\n"),
        (
            "{label: 财政拨款, amount: 96502.03}",
            "{label: 财政拨款, label: 其他, amount: 96502.03}",
            "label: 其他",
            "budget.income[1].label（项目名称）",
            "{label: 财政拨款",
        ),
        (
            "    funds: 421.91\n",
            "    funds: 421.91\n    funds: 400\n",
            "funds: 400",
            "tasks[4].funds（拟投入的资金（万元））",
            "funds: 421.91",
        ),
        (
            "            period_value: 持续完善基础设施配套\n",
            "            period_value: 持续完善基础设施配套\n            period_value: 持续完善\n",
            "period_value: 持续完善\n",
            "indicators[2].groups[2].items[1].period_value（实施周期指标值）",
            "period_value: 持续完善基础设施配套",
        ),
    ],
    ids=["top-level", "same-value", "flow-mapping", "list-item", "deep"],
)
def test_duplicate_keys_are_refused_naming_both_lines(old, new, second, field, first_line_of, seed_text):
    text = edit(seed_text, old, new)
    key = second.split(":")[0]
    first_line = locate(text, first_line_of)[0]
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, second)}: 错误 J003: {field}: 键「{key}」重复（第 {first_line} 行已有），后一个会覆盖前一个，请只保留一个"
    ]


def test_duplicate_keys_inside_a_flow_mapping_at_the_top():
    assert printed(load_text("{year: 2024, year: 2025}\n", "d.yaml")) == [
        "d.yaml:1:14: 错误 J003: year（预算年度）: 键「year」重复（第 1 行已有），后一个会覆盖前一个，请只保留一个"
    ]


# ---- wrong types, missing and unknown fields -------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, where, line",
    [
        ("basic: 9830.96", "basic: 九千", "九千",
         "J011: budget.spending.basic（基本支出）: 「九千」不是金额，应为万元数字，如 9830.96 或 \"9,830.96\""),
        ("other_tasks:   ", "other_tasks: 2024", ("other_tasks: 2024", 13),
         "J011: other_tasks（其他需完成的任务（可选填））: 「2024」会被读成数字；这里应为文字，请加引号，如 \"2024\""),
        ("level3: 工程竣工验收合格率", "level3: 100", "100\n",
         "J011: indicators[1].groups[1].items[2].level3（三级指标）: 「100」会被读成数字；这里应为文字，请加引号，如 \"100\""),
        ("  name: 广州市南沙区东涌镇人民政府", "  name:\n    - 广州市南沙区东涌镇人民政府", "- 广州",
         "J011: department.name（部门名称）: 应为文字，不能是数字、列表或映射"),
        ("  staff_count: 244        # 财政供养人员数（人）\n  subordinate_units: 15", "  - 244\n  - 15", "- 244",
         "J011: basic_info（基本信息）: 应为映射（“键: 值”的形式）"),
        ("staff_count: 244", "staff_count: 244人", "244人",
         "J011: basic_info.staff_count（财政供养人员数）: 「244人」不是非负整数"),
        ("subordinate_units: 15", "subordinate_units: 010", "010",
         "J011: basic_info.subordinate_units（下属二级单位数）: 「010」以 0 开头，含义不明（YAML 1.1 会读作八进制），请去掉前导 0"),
        ("year: 2024", "year: 二〇二四", "二〇二四", "J011: year（预算年度）: 「二〇二四」不是年份，应写成四位数字，如 2024"),
        ("year: 2024", "year: 2124", "2124", "J011: year（预算年度）: 「2124」不能大于 2100"),
        ("annual_value: ≥ 90%\n          - level3: 辖区企业", "annual_value: true\n          - level3: 辖区企业", "true",
         "J011: indicators[3].groups[1].items[1].annual_value（年度指标值）: 「true」会被读成布尔值；这里应为指标值，请加引号，如 \"true\""),
    ],
    ids=["chinese-number-amount", "number-in-prose", "number-as-level3", "list-for-text", "list-for-mapping",
         "count-with-unit", "octal-count", "chinese-year", "year-range", "bool-value"],
)
def test_wrong_type_is_named_with_field_and_value(old, new, where, line, seed_text):
    text = edit(seed_text, old, new)
    needle, offset = where if isinstance(where, tuple) else (where, 0)
    assert printed(load_text(text, "d.yaml")) == [f"d.yaml:{at(text, needle, offset)}: 错误 {line}"]


def test_missing_required_field_points_at_its_mapping(seed_text):
    text = edit(seed_text, "    funds: 2950.20\n", "")
    where = at(text, 'name: "幸福生活')
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{where}: 错误 J010: tasks[3].funds（拟投入的资金（万元））: 缺少必填字段「funds」（拟投入的资金（万元））"
    ]


@pytest.mark.parametrize("empty", ["", ' ""', " '   '", " ~", " null"])
def test_empty_required_value_says_it_is_empty(empty, seed_text):
    text = edit(seed_text, "  name: 广州市南沙区东涌镇人民政府", f"  name:{empty}")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, '  name:', 7 + (len(empty) > 0))}: 错误 J010: department.name（部门名称）: 不能为空"
    ]


@pytest.mark.parametrize(
    "old, new, field, message",
    [
        ("overall_goal:", "overal_goal:", "overal_goal", "未知字段「overal_goal」，你是不是想写「overall_goal」？"),
        ("\ntasks:", "\ntaks:", "taks", "未知字段「taks」，你是不是想写「tasks」？"),
        ("    basic: 9830.96", "    basci: 9830.96", "budget.spending.basci", "未知字段「basci」，你是不是想写「basic」？"),
        ("  staff_count: 244", "  财政供养人员数: 244", "basic_info.staff_count（财政供养人员数）",
         "「财政供养人员数」是表上的中文栏目名，键要写英文：staff_count（完整路径 basic_info.staff_count）"),
        ('  id: nansha-dongchong', '  "id ": nansha-dongchong', "department.id ", "未知字段「id 」：末尾有多余的空白，应为「id」"),
    ],
    ids=["overal_goal", "taks", "basci", "chinese-title", "trailing-space"],
)
def test_unknown_key_suggests_the_field_meant(old, new, field, message, seed_text):
    text = edit(seed_text, old, new)
    key = new.strip().split(":")[0]
    found = [line for line in printed(load_text(text, "d.yaml")) if " J012: " in line]
    assert found == [f"d.yaml:{at(text, key)}: 错误 J012: {field}: {message}"]


def test_unknown_key_without_a_close_match_lists_the_fields(seed_text):
    text = seed_text + "remarks:\n"
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, 'remarks')}: 错误 J012: remarks: 未知字段「remarks」，此处可用的字段："
        "form、title、year、department、basic_info、budget、overall_goal、tasks、other_tasks、indicators、filing"
    ]


def test_thousands_comma_unquoted_in_braces_is_explained(seed_text):
    text = edit(seed_text, "amount: 96502.03}", "amount: 96,502.03}")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, '502.03}')}: 错误 J012: budget.income[1].502.03: 未知字段「502.03」：像是被逗号拆开的金额；"
        "在 { } 里写带千分位逗号的金额要加引号，如 amount: \"96,502.03\""
    ]


def test_every_problem_of_a_file_is_reported_in_order(seed_text):
    text = edit(
        seed_text,
        "basic: 9830.96", "basic: 九千",
        "staff_count: 244", "staff_count: 二百",
        "overall_goal:", "overal_goal:",
        "{label: 其他资金, amount: 98.17}", "{label: 其他资金, label: 别的, amount: 98.17}",
    )
    codes = [(p.line, p.code) for p in sorted(load_text(text, "d.yaml").problems, key=lambda p: (p.line, p.column))]
    assert codes == [(locate(text, "label: 别的")[0], "J003")]  # a duplicate key stops validation: it is found first
    text = edit(text, "label: 别的, ", "")
    codes = [(p.line, p.code) for p in sorted(load_text(text, "d.yaml").problems, key=lambda p: (p.line, p.column))]
    assert codes == [
        (locate(text, "title:")[0], "J010"),  # overall_goal missing: reported where the mapping starts
        (locate(text, "二百")[0], "J011"),
        (locate(text, "九千")[0], "J011"),
        (locate(text, "overal_goal")[0], "J012"),
    ]


def test_every_file_is_reported_in_one_run_and_exits_1(tmp_path, seed_text, monkeypatch):
    folder = tmp_path / "2024"
    folder.mkdir()
    (folder / "nansha-dongchong.yaml").write_text(seed_text, encoding="utf-8")
    (folder / "a.yaml").write_text(edit(seed_text, "basic: 9830.96", "basic: 九千"), encoding="utf-8")
    (folder / "b.yml").write_bytes(seed_text.encode("gbk"))
    (folder / "c.yaml").write_text("year: 2024\n\tdepartment: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = validate("2024")
    assert result.exit_code == 1
    codes = [(line.split(":")[0], line.split(" ")[2].rstrip(":")) for line in result.stdout.splitlines()[:-1]]
    assert codes == [("2024/a.yaml", "J011"), ("2024/b.yml", "J002"), ("2024/c.yaml", "J001"),
                     ("2024/nansha-dongchong.yaml", "J202")]
    assert result.stdout.splitlines()[-1] == "检查了 4 个申报文件：3 个错误，1 个警告"


# ---- YAML 1.1 traps: what an editor shows is what loads ------------------------------------------


@pytest.mark.parametrize("word", ["no", "yes", "on", "off", "y", "n", "No", "YES"])
def test_yes_and_no_stay_text(word, seed_text):
    text = edit(seed_text, "level3: 接待游客", f"level3: {word}", "other_tasks:   ", f"other_tasks: {word}")
    loaded = load_text(text, "d.yaml")
    assert loaded.problems == []
    assert loaded.declaration.other_tasks == word
    assert loaded.declaration.indicators[0].groups[0].items[0].level3 == word


def test_unquoted_date_is_a_date_in_the_filing_and_text_in_prose(seed_text):
    text = seed_text + "filing:\n  date: 2024-01-31\n  unit: 2024-01-31\n"
    loaded = load_text(text, "d.yaml")
    assert loaded.problems == []
    assert loaded.declaration.filing.date == dt.date(2024, 1, 31)
    assert loaded.declaration.filing.unit == "2024-01-31"


@pytest.mark.parametrize("written", ["2024年1月31日", "2024/1/31", "2024.01.31", '"2024-01-31"'])
def test_filing_date_as_people_write_it(written, seed_text):
    loaded = load_text(seed_text + f"filing:\n  date: {written}\n", "d.yaml")
    assert loaded.problems == []
    assert loaded.declaration.filing.date == dt.date(2024, 1, 31)


def test_explicit_str_tag_makes_a_number_text(seed_text):
    loaded = load_text(edit(seed_text, "title: 部门整体预算绩效目标申报表", "title: !!str 2024"), "d.yaml")
    assert loaded.problems == []
    assert loaded.declaration.title == "2024"


@pytest.mark.parametrize("count", ["010", "0244"])
def test_leading_zero_count_is_refused_with_the_reason(count, seed_text):
    text = edit(seed_text, "staff_count: 244", f"staff_count: {count}")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, count)}: 错误 J011: basic_info.staff_count（财政供养人员数）: "
        f"「{count}」以 0 开头，含义不明（YAML 1.1 会读作八进制），请去掉前导 0"
    ]


# ---- amounts are exact ---------------------------------------------------------------------------


def load_amount(seed_text: str, written: str):
    return load_text(edit(seed_text, "basic: 9830.96", f"basic: {written}"), "d.yaml")


@pytest.mark.parametrize(
    "written, exact",
    [
        ("9830.96", "9830.96"),
        ('"9,830.96"', "9830.96"),
        ("9,830.96", "9830.96"),
        ("'83,136.13'", "83136.13"),
        ("52906", "52906"),
        ("52906.00", "52906.00"),
        ('"1,234,567.891"', "1234567.891"),
        ("-5", "-5"),
        ("0.1", "0.1"),
        ("1e3", "1E+3"),
    ],
)
def test_amount_is_the_exact_decimal_written(written, exact, seed_text):
    loaded = load_amount(seed_text, written)
    assert loaded.problems == []
    amount = loaded.declaration.budget.spending.basic
    assert isinstance(amount, Decimal)
    assert str(amount) == exact


def test_amounts_add_up_exactly_never_through_float(seed_text):
    text = edit(seed_text, "amount: 96502.03}", "amount: 0.1}", "amount: 98.17}", "amount: 0.2}")
    loaded = load_text(text, "d.yaml")
    assert loaded.problems == []
    total = sum((line.amount for line in loaded.declaration.budget.income), Decimal(0))
    assert total == Decimal("0.3")
    assert 0.1 + 0.2 != 0.3  # what a float would have made of it


@pytest.mark.parametrize(
    "written, shown",
    [
        ('"9,83,0.96"', "9,83,0.96"),
        ('"98,30.96"', "98,30.96"),
        ('"9830,96"', "9830,96"),
        ('"1,2345.00"', "1,2345.00"),
        ('",983.00"', ",983.00"),
        ('"9,830.96.1"', "9,830.96.1"),
        ('" 9830.96"', " 9830.96"),
        ("9830.96万元", "9830.96万元"),
        ("¥9830.96", "¥9830.96"),
        ("true", "true"),
        ("0x1F", "0x1F"),
        (".inf", ".inf"),
    ],
)
def test_what_is_not_an_amount_is_refused(written, shown, seed_text):
    text = edit(seed_text, "basic: 9830.96", f"basic: {written}")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, written)}: 错误 J011: budget.spending.basic（基本支出）: "
        f"「{shown}」不是金额，应为万元数字，如 9830.96 或 \"9,830.96\""
    ]


@pytest.mark.parametrize("written", ["1234567890123456", '"1,234,567,890,123,456"', "1e30"])
def test_absurdly_large_amount_is_refused_not_crashed_on(written, seed_text, tmp_path):
    path = tmp_path / "nansha-dongchong.yaml"
    path.write_text(edit(seed_text, "basic: 9830.96", f"basic: {written}"), encoding="utf-8")
    _, problems = load_all([path])  # the checks that add amounts up are never reached
    assert [(p.code, p.field, p.message) for p in problems] == [
        ("J011", "budget.spending.basic（基本支出）", f"「{written.strip(chr(34))}」超出金额范围（万元），请核对")
    ]


def test_amount_with_many_decimals_stays_exact_for_the_checks(seed_text, tmp_path):
    path = tmp_path / "2024" / "nansha-dongchong.yaml"
    path.parent.mkdir()
    path.write_text(edit(seed_text, "basic: 9830.96", "basic: 9830.955"), encoding="utf-8")
    loaded, _ = load_all([path])
    assert loaded[0].declaration.budget.spending.basic == Decimal("9830.955")


# ---- counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("written, value", [("244", 244), ('"244"', 244), ('"1,024"', 1024), ("0", 0)])
def test_count_accepted(written, value, seed_text):
    loaded = load_text(edit(seed_text, "staff_count: 244", f"staff_count: {written}"), "d.yaml")
    assert loaded.problems == []
    assert loaded.declaration.basic_info.staff_count == value


@pytest.mark.parametrize(
    "written, message",
    [
        ("2,4,4", "「2,4,4」不是非负整数"),
        ("244.5", "「244.5」不是非负整数"),
        ("-1", "「-1」不是非负整数"),
        ("二百四十四", "「二百四十四」不是非负整数"),
        ("12345678901", "「12345678901」不是合理的非负整数（位数过多）"),
        ("true", "「true」不是非负整数"),
    ],
)
def test_count_refused(written, message, seed_text):
    text = edit(seed_text, "staff_count: 244", f"staff_count: {written}")
    assert printed(load_text(text, "d.yaml")) == [
        f"d.yaml:{at(text, written)}: 错误 J011: basic_info.staff_count（财政供养人员数）: {message}"
    ]


# ---- positions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, needle",
    [
        (("title",), "部门整体预算绩效目标申报表\nyear"),
        (("year",), "2024\ndepartment"),
        (("department", "id"), "nansha-dongchong"),
        (("basic_info", "subordinate_units"), "15 "),
        (("budget", "spending", "basic"), "9830.96"),
        (("budget", "income", 1), "{label: 其他资金"),
        (("budget", "income", 1, "amount"), "98.17"),
        (("budget", "by_level", 0, "label"), "镇本级使用资金"),
        (("tasks", 2, "funds"), "2950.20"),
        (("tasks", 5), "name: \"打造人民满意政府"),
        (("indicators", 1, "groups", 1, "items", 0, "annual_value"), "持续完善基础设施配套\n  - level1"),
    ],
)
def test_value_positions_are_where_the_value_is_written(path, needle, seed_text):
    loaded = load_text(seed_text, "d.yaml")
    assert loaded.where(path) == locate(seed_text, needle)


def test_key_positions_and_unwritten_fields(seed_text):
    loaded = load_text(seed_text, "d.yaml")
    assert loaded.where(("overall_goal",), key=True) == locate(seed_text, "overall_goal:")
    assert loaded.where(("budget", "spending", "project"), key=True) == locate(seed_text, "project:")
    # filing is not written: its nearest written ancestor is the whole file
    assert loaded.where(("filing", "date")) == locate(seed_text, "title:")
    # other_tasks is written empty: it still has a place
    assert loaded.where(("other_tasks",)) == (locate(seed_text, "other_tasks:")[0], len("other_tasks:") + 1)


def test_columns_count_characters_not_bytes(seed_text):
    text = edit(seed_text, "{label: 其他事业发展性支出, amount: 21390.66}", "{label: 其他事业发展性支出, amount: 二万}")
    [problem] = load_text(text, "d.yaml").problems
    assert (problem.line, problem.column) == locate(text, "二万")
    assert problem.column == len("    - {label: 其他事业发展性支出, amount: ") + 1


# ---- finding the files ---------------------------------------------------------------------------


def test_find_declarations_walks_folders_in_a_stable_order(tmp_path):
    for name in ["2025/b.yaml", "2024/z.yml", "2024/a.yaml", "2024/sub/c.yaml", "2024/notes.txt",
                 ".hidden/x.yaml", "2024/.cache/y.yaml", "2024/README.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
    files, problems = find_declarations([tmp_path])
    assert problems == []
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "2024/a.yaml", "2024/sub/c.yaml", "2024/z.yml", "2025/b.yaml"
    ]


def test_find_declarations_takes_named_files_once_and_names_missing_paths(tmp_path):
    (tmp_path / "2024").mkdir()
    one = tmp_path / "2024" / "a.yaml"
    one.write_text("x: 1\n", encoding="utf-8")
    odd = tmp_path / "declaration.txt"
    odd.write_text("x: 1\n", encoding="utf-8")
    files, problems = find_declarations([one, tmp_path / "2024", odd, tmp_path / "nope.yaml", tmp_path / "gone"])
    assert files == [one, odd]  # a file named explicitly is read whatever its suffix
    assert [p.format() for p in problems] == [
        f"{tmp_path / 'nope.yaml'}:1:1: 错误 J000: （文件）: 文件或文件夹不存在",
        f"{tmp_path / 'gone'}:1:1: 错误 J000: （文件）: 文件或文件夹不存在",
    ]


def test_empty_folder_finds_nothing_and_says_so(tmp_path):
    files, problems = find_declarations([tmp_path])
    assert files == []
    assert [p.format() for p in problems] == [f"{tmp_path}:1:1: 警告 J005: （文件）: 文件夹里没有申报文件（*.yaml）"]


# ---- absurd input is refused quickly, in bounded memory, without recursion -----------------------


def measured(call):
    """(result, seconds, peak bytes allocated by Python) of call()."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = call()
        return result, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_file_over_2_mb_is_refused_before_reading_it(tmp_path, seed_text):
    path = tmp_path / "big.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write(seed_text)
        while out.tell() <= MAX_BYTES:
            out.write("# 填充\n" * 10_000)
    size = path.stat().st_size
    loaded, seconds, peak = measured(lambda: load_file(path))
    assert printed(loaded) == [f"{path}:1:1: 错误 J004: （文件）: 文件过大（{size:,} 字节），申报文件不应超过 2,097,152 字节"]
    assert seconds < 1 and peak < 256 * 1024


def test_5_mb_single_line_is_refused_quickly(tmp_path):
    path = tmp_path / "line.yaml"
    path.write_bytes(b"title: " + b"x" * (5 * 1024 * 1024) + b"\n")
    loaded, seconds, peak = measured(lambda: load_file(path))
    assert printed(loaded) == [f"{path}:1:1: 错误 J004: （文件）: 文件过大（5,242,888 字节），申报文件不应超过 2,097,152 字节"]
    assert seconds < 1 and peak < 256 * 1024

    text = path.read_text(encoding="utf-8")
    loaded, seconds, peak = measured(lambda: load_text(text, "line.yaml"))
    assert printed(loaded) == ["line.yaml:1:1: 错误 J004: （文件）: 文件过大（5,242,888 个字符），申报文件不应超过 2,097,152 字节"]
    assert seconds < 1 and peak < 256 * 1024


def test_overlong_line_under_the_size_limit_is_refused_by_line(tmp_path, seed_text):
    path = tmp_path / "long.yaml"
    text = edit(seed_text, "other_tasks:   ", "other_tasks: " + "很" * 200_000)
    path.write_text(text, encoding="utf-8")
    loaded, seconds, _ = measured(lambda: load_file(path))
    line = locate(text, "other_tasks:")[0]
    length = len(text.splitlines()[line - 1])
    assert length > 200_000
    assert printed(loaded) == [f"{path}:{line}:1: 错误 J004: （文件）: 第 {line} 行过长（{length:,} 个字符）"]
    assert seconds < 1


def test_big_files_do_not_stop_the_others_being_checked(tmp_path, seed_text, monkeypatch):
    (tmp_path / "a-big.yaml").write_bytes(b"x" * (MAX_BYTES + 1))
    (tmp_path / "nansha-dongchong.yaml").write_text(seed_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = validate(".")
    assert result.exit_code == 1
    assert [line.split(" ")[2] for line in result.stdout.splitlines()[:-1]] == ["J004:", "J202:"]


def test_alias_bomb_is_refused_at_the_first_alias():
    levels = ['a: &a ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 0 else f'l{i - 1}'}"] * 9) + "]" for i in range(30)]
    loaded, seconds, peak = measured(lambda: load_text("\n".join(levels) + "\n", "bomb.yaml"))
    assert printed(loaded) == ["bomb.yaml:2:10: 错误 J001: （文件）: 不支持 YAML 别名（*引用），请把内容直接写出"]
    assert seconds < 1 and peak < 2 * 1024 * 1024


@pytest.mark.parametrize(
    "text, where",
    [
        ("title: " + "[" * 5000 + "]" * 5000 + "\n", "1:40"),  # the 33rd bracket
        ("title: " + "{a: " * 5000 + "}" * 5000 + "\n", "1:129"),  # the 33rd level is the key a
        ("title:\n" + " [\n" * 500_000, "34:2"),
        ("".join(f"{'  ' * i}k{i}:\n" for i in range(100)), "32:63"),
        ("".join(f"{'  ' * i}- \n" for i in range(100)), "33:65"),
    ],
    ids=["flow-sequences", "flow-mappings", "one-bracket-a-line", "block-mappings", "block-sequences"],
)
def test_deep_nesting_is_refused_without_recursion_error(text, where):
    loaded, seconds, _ = measured(lambda: load_text(text, "deep.yaml"))
    assert printed(loaded) == [f"deep.yaml:{where}: 错误 J001: （文件）: 嵌套超过 32 层，申报文件没有这么深的结构"]
    assert seconds < 1
