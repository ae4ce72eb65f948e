"""The seed YAML says exactly what the dumped PDF form (tests/data/seed.txt) says, cell by cell.

The dump is parsed here as /work/shared/design/form-notes.md describes it (tab-separated cells,
merged cells flattened, two indicator rows shifted one cell to the left-hand side), so these tests
prove the transcription instead of repeating it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from generator.forms import taxonomy
from generator.input.load import load_file, load_text
from generator.core.fields import format_money
from generator.forms.department_target.model import Budget, BasicInfo, Spending, Task

ROOT = Path(__file__).resolve().parent.parent
SEED_TXT = ROOT / "tests" / "data" / "seed.txt"
SEED_YAML = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"

AMOUNT_HEADER = "预算金额（万元）"
TASKS_LABEL = "年度重点工作任务"
OTHER_TASKS_LABEL = "其他需完成的任务（可选填）"
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"]


def normalise(text: str | None) -> str:
    """Drop the source system's <p> tags and compare words, not line breaks or paragraph spacing."""
    text = re.sub(r"</?p>", " ", text or "")
    return re.sub(r"\s+", " ", text).strip()


def paragraphs(text: str | None, html: bool) -> list[str]:
    """The source system's <p> paragraphs, or the YAML's Markdown paragraphs (split at blank lines)."""
    pieces = re.findall(r"<p>(.*?)</p>", text or "", re.S) if html else re.split(r"\n\s*\n", text or "")
    return [normalise(piece) for piece in pieces if piece.strip()]


def titles(model) -> dict[str, str]:
    """中文标签 → field name, from the model, so the form's labels are checked against it too."""
    return {info.title: name for name, info in model.model_fields.items()}


class Seed:
    """The dumped form as rows of cells, with a record of which cells have been read."""

    def __init__(self, text: str):
        self.rows = [line.split("\t") for line in text.split("\n")]
        self.used: set[tuple[int, int]] = set()

    def cell(self, r: int, c: int) -> str:
        self.used.add((r, c))
        return self.rows[r][c]

    def find(self, first_cell: str, start: int = 0) -> int:
        for r in range(start, len(self.rows)):
            if self.rows[r][0] == first_cell:
                return r
        raise AssertionError(f"seed has no row starting with {first_cell!r}")

    def unread(self) -> list[tuple[int, int, str]]:
        return [
            (r + 1, c + 1, cell)
            for r, row in enumerate(self.rows)
            for c, cell in enumerate(row)
            if cell.strip() and (r, c) not in self.used
        ]


def compare(seed: Seed, loaded) -> list[str]:
    """Every difference between the dumped form and the loaded declaration, as readable lines."""
    d = loaded.declaration
    assert d is not None, [p.format() for p in loaded.problems]
    diffs: list[str] = []

    def same_text(what: str, cell: str, value: str | None) -> None:
        form, ours = normalise(cell), normalise(value)
        if form != ours:
            at = next((i for i, (a, b) in enumerate(zip(form, ours)) if a != b), min(len(form), len(ours)))
            near = slice(max(at - 15, 0), at + 15)
            diffs.append(f"{what}, character {at + 1}: form has …{form[near]!r}…, YAML has …{ours[near]!r}…")
        elif "<p>" in cell and len(paragraphs(cell, html=True)) != len(paragraphs(value, html=False)):
            diffs.append(f"{what}: form has {len(paragraphs(cell, html=True))} paragraphs, "
                         f"YAML has {len(paragraphs(value, html=False))}")
        elif "<p>" not in cell and len(paragraphs(value, html=False)) > 1:
            diffs.append(f"{what}: form has one paragraph, YAML has {len(paragraphs(value, html=False))}")

    def same_amount(what: str, cell: str, value: Decimal) -> None:
        # The form prints 9,830.96; the YAML's exact Decimal must print the same and be the same number.
        if format_money(value) != cell or value != Decimal(cell.replace(",", "")):
            diffs.append(f"{what}: form has {cell}, YAML has {value}")

    def same_label(what: str, cell: str, value: str) -> None:
        if cell != value:
            diffs.append(f"{what}: form has {cell!r}, YAML has {value!r}")

    # Title: the dump's markdown heading.
    r = next(i for i, row in enumerate(seed.rows) if row[0].startswith("## "))
    same_text("title", seed.cell(r, 0).removeprefix("## "), d.title)

    # 部门名称: one cell spanning the four value columns; the other three are the flattened merge.
    r = seed.find("部门名称")
    seed.cell(r, 0)
    same_text("department.name", seed.cell(r, 1), d.department.name)
    assert seed.rows[r][2:] == ["", "", ""]

    # 基本信息: label, count, label, count.
    r = seed.find("基本信息")
    seed.cell(r, 0)
    fields = titles(BasicInfo)
    for c in (1, 3):
        name = fields[seed.cell(r, c)]
        count = seed.cell(r, c + 1)
        if getattr(d.basic_info, name) != int(count):
            diffs.append(f"basic_info.{name}: form has {count}, YAML has {getattr(d.basic_info, name)}")

    # 预算整体情况: two halves side by side; each header row names the group of the rows below it.
    start = seed.find("预算整体情况")
    end = seed.find("总体绩效目标", start)
    seed.cell(start, 0)
    groups = titles(Budget)
    lines: dict[str, list[tuple[str, str]]] = {}
    for left in (1, 3):
        group = None
        for r in range(start, end):
            label, amount = seed.cell(r, left), seed.cell(r, left + 1)
            if amount == AMOUNT_HEADER:
                group = groups[label]
                lines[group] = []
            else:
                lines[group].append((label, amount))
    spending_fields = titles(Spending)
    for label, amount in lines.pop("spending"):
        name = spending_fields[label]
        same_amount(f"budget.spending.{name}", amount, getattr(d.budget.spending, name))
    assert set(lines) == {"income", "development", "by_level"}
    for group, rows in lines.items():
        declared = getattr(d.budget, group)
        if len(declared) != len(rows):
            diffs.append(f"budget.{group}: form has {len(rows)} lines, YAML has {len(declared)}")
        for i, ((label, amount), line) in enumerate(zip(rows, declared)):
            same_label(f"budget.{group}[{i + 1}].label", label, line.label)
            same_amount(f"budget.{group}[{i + 1}].amount", amount, line.amount)

    # 总体绩效目标: one paragraph in a merged cell.
    r = seed.find("总体绩效目标")
    seed.cell(r, 0)
    same_text("overall_goal", seed.cell(r, 1), d.overall_goal)

    # 年度重点工作任务: a header row, then one row per task. The row label is repeated after the page
    # break, and the dump lost it entirely on the third task's row (its cells moved one to the left).
    header_row = seed.find(TASKS_LABEL)
    seed.cell(header_row, 0)
    task_fields = [titles(Task)[seed.cell(header_row, c)] for c in range(1, 5)]
    assert task_fields == ["name", "content", "funds", "goal"]
    tasks = []
    for r in range(header_row + 1, seed.find(OTHER_TASKS_LABEL)):
        row = seed.rows[r]
        cols = [c for c, cell in enumerate(row) if cell.strip()]
        if not cols:
            continue
        if row[cols[0]] == TASKS_LABEL:
            seed.cell(r, cols.pop(0))
        assert len(cols) == 4, f"seed line {r + 1}: a task row has four cells, found {len(cols)}"
        tasks.append(dict(zip(task_fields, (seed.cell(r, c) for c in cols))))
    if len(tasks) != len(d.tasks):
        diffs.append(f"tasks: form has {len(tasks)}, YAML has {len(d.tasks)}")
    for i, (cells, task) in enumerate(zip(tasks, d.tasks), start=1):
        same_text(f"tasks[{i}].name", cells["name"], task.name)
        same_text(f"tasks[{i}].content", cells["content"], task.content)
        same_amount(f"tasks[{i}].funds", cells["funds"], task.funds)
        same_text(f"tasks[{i}].goal", cells["goal"], task.goal)

    # 其他需完成的任务（可选填）: the label alone, nothing filled in.
    r = seed.find(OTHER_TASKS_LABEL)
    seed.cell(r, 0)
    if len(seed.rows[r]) > 1 or d.other_tasks:
        diffs.append(f"other_tasks: form has {seed.rows[r][1:]}, YAML has {d.other_tasks!r}")

    # 绩效指标: 一级 and 二级 cells merged downwards (empty = same as above). A row whose 三级 cell is
    # a 二级 name is shifted: read it as 二级, 三级, 实施周期指标值; its 年度指标值 fell off the end.
    header = seed.find(INDICATOR_HEADER[0])
    assert [seed.cell(header, c) for c in range(5)] == INDICATOR_HEADER
    form: list[tuple[str, list[tuple[str, list[tuple[str, str, str | None]]]]]] = []
    for r in range(header + 1, len(seed.rows)):
        row = seed.rows[r]
        if not any(cell.strip() for cell in row):
            continue
        level1, level2, level3, period, annual = (seed.cell(r, c) for c in range(5))
        if level1:
            form.append((level1, []))
        if taxonomy.is_level2(level3) and not level2:
            level2, level3, period, annual = level3, period, annual, None
        if level2:
            form[-1][1].append((level2, []))
        form[-1][1][-1][1].append((level3, period, annual))

    yaml = [
        (cat.level1, [(g.level2, [(i.level3, i.period_value, i.annual_value) for i in g.items]) for g in cat.groups])
        for cat in d.indicators
    ]
    for ci, ((f1, fgroups), (y1, ygroups)) in enumerate(zip(form, yaml), start=1):
        same_label(f"indicators[{ci}].level1", f1, y1)
        if len(fgroups) != len(ygroups):
            diffs.append(f"indicators[{ci}]: form has {len(fgroups)} 二级指标, YAML has {len(ygroups)}")
        for gi, ((f2, fitems), (y2, yitems)) in enumerate(zip(fgroups, ygroups), start=1):
            where = f"indicators[{ci}].groups[{gi}]"
            same_label(f"{where}.level2", f2, y2)
            if len(fitems) != len(yitems):
                diffs.append(f"{where}: form has {len(fitems)} 三级指标, YAML has {len(yitems)}")
            for ii, (fitem, yitem) in enumerate(zip(fitems, yitems), start=1):
                f3, fperiod, fannual = fitem
                y3, yperiod, yannual = yitem
                same_label(f"{where}.items[{ii}].level3", f3, y3)
                same_label(f"{where}.items[{ii}].period_value", fperiod, yperiod)
                # A value lost off the end of a shifted row is restored as equal to the other one.
                same_label(f"{where}.items[{ii}].annual_value", fannual if fannual is not None else fperiod, yannual)
    if len(form) != len(yaml):
        diffs.append(f"indicators: form has {len(form)} 一级指标, YAML has {len(yaml)}")
    return diffs


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_TXT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def yaml_text() -> str:
    return SEED_YAML.read_text(encoding="utf-8")


def test_every_cell_of_the_form_is_in_the_yaml(seed_text):
    seed = Seed(seed_text)
    loaded = load_file(SEED_YAML)
    assert compare(seed, loaded) == []
    # Nothing on the form went unread: every non-empty cell was a label checked or a value compared.
    assert seed.unread() == []


def test_form_has_no_filing_block_and_the_yaml_adds_none():
    d = load_file(SEED_YAML).declaration
    assert d.filing is None
    # year and id are not cells of the form: they come from where the file lives.
    assert (str(d.year), d.department.id) == (SEED_YAML.parent.name, SEED_YAML.stem)


def test_shifted_rows_are_the_two_the_notes_name(seed_text):
    """Exactly the 时效指标 and 可持续发展影响指标 rows are read as shifted; all other rows have equal values."""
    seed = Seed(seed_text)
    header = seed.find(INDICATOR_HEADER[0])
    shifted, unequal = [], []
    for row in seed.rows[header + 1 :]:
        if len(row) == 5 and taxonomy.is_level2(row[2]) and not row[1]:
            shifted.append(row[2:])
        elif len(row) == 5 and row[3] != row[4]:
            unequal.append(row)
    assert shifted == [
        ["时效指标", "惠农补贴发放及时率", "100%"],
        ["可持续发展影响指标", "完善城乡基础设施配套", "持续完善基础设施配套"],
    ]
    assert unequal == []


@pytest.mark.parametrize("level2", ["时效指标", "可持续发展影响指标"])
def test_restored_annual_value_is_explained_in_a_yaml_comment(yaml_text, level2):
    lines = yaml_text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == f"- level2: {level2}")
    comment = []
    for line in reversed(lines[:at]):
        if not line.strip().startswith("#"):
            break
        comment.insert(0, line)
    text = "".join(comment)
    assert "错位" in text and "年度指标值" in text and "补为" in text, comment


# Each mutation changes one word or figure of the YAML; the comparison must notice every one.
MUTATIONS = [
    ("title", "title: 部门整体预算绩效目标申报表", "title: 部门整体支出绩效目标申报表"),
    ("department name", "name: 广州市南沙区东涌镇人民政府", "name: 广州市南沙区东涌镇政府"),
    ("staff count", "staff_count: 244", "staff_count: 245"),
    ("basic spending", "basic: 9830.96", "basic: 9830.69"),
    ("income label", "{label: 其他资金,", "{label: 其它资金,"),
    ("by-level amount", "amount: 52906.00}", "amount: 52906.01}"),
    ("overall goal word", "全面迈上新台阶", "全部迈上新台阶"),
    ("task name", 'name: "经济追赶超越“建新功”"', 'name: "经济追赶超越“立新功”"'),
    ("folded task content word", "扭住庆盛先行启动区关键抓手", "扭住庆盛先行启动区重要抓手"),
    ("paragraph task content word", "打造东涌文化IP", "打造东涌文化品牌"),
    ("task funds", "funds: 234.20", "funds: 234.02"),
    ("task goal word", "永葆为民、务实、清廉的政治本色", "永葆为民、务实、廉洁的政治本色"),
    ("level1", "level1: 满意度指标", "level1: 满意度"),
    ("level2 variant spelled officially", "level2: 社会效益\n", "level2: 社会效益指标\n"),
    ("level3", "level3: 行政事项办结率", "level3: 行政审批办结率"),
    ("period value", "period_value: ≥ 30万人次", "period_value: ≥ 20万人次"),
    ("restored annual value", "annual_value: 持续完善基础设施配套", "annual_value: 完善城乡基础设施配套"),
    ("other tasks filled in", "other_tasks:    ", "other_tasks: 无"),
]


@pytest.mark.parametrize("old, new", [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_changing_any_word_of_the_yaml_is_caught(seed_text, yaml_text, old, new):
    assert yaml_text.count(old) == 1, old
    loaded = load_text(yaml_text.replace(old, new), str(SEED_YAML))
    assert compare(Seed(seed_text), loaded) != []


def test_merging_paragraphs_is_caught(seed_text, yaml_text):
    # Task 4 came as three <p> paragraphs; folding them into one keeps every word but not the layout.
    start = yaml_text.index("  - name: \"文旅深度融合")
    end = yaml_text.index("    funds:", start)
    block = yaml_text[start:end]
    merged = yaml_text[:start] + block.replace("content: |-", "content: >-").replace("\n\n", "\n") + yaml_text[end:]
    loaded = load_text(merged, str(SEED_YAML))
    assert normalise(loaded.declaration.tasks[3].content) == normalise(load_file(SEED_YAML).declaration.tasks[3].content)
    assert compare(Seed(seed_text), loaded) == ["tasks[4].content: form has 3 paragraphs, YAML has 1"]


def test_moving_an_indicator_to_another_group_is_caught(seed_text, yaml_text):
    # 接待游客 is declared under 质量指标; filing it under 数量指标 would be a correction, not a transcription.
    moved = yaml_text.replace("- level2: 质量指标", "- level2: 数量指标", 1)
    assert compare(Seed(seed_text), load_text(moved, str(SEED_YAML))) != []
