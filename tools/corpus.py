"""A deterministic bureau-sized corpus: N departments × several years of the four forms, a roster,
and optionally planted problems recorded in a manifest. A test fixture and the bench's input, never
a filing: it is written to a folder you name, not into declarations/ or examples/.

    python tools/corpus.py OUT_DIR --departments 60 --years 2024 2025 [--plant] [--seed 0]

writes OUT_DIR/declarations/<year>/<id>.yaml, <year>/<id>/self-evaluation.yaml,
<year>/<id>/projects/<project>.yaml and <project>.self-evaluation.yaml (self-evaluations only for
years before the latest), OUT_DIR/declarations/departments.yaml (the roster) and
OUT_DIR/corpus-manifest.json (what was generated and planted, and every problem `jixiao validate`
should report). From Python: `build_corpus(out, departments=6, years=(2024, 2025), plant=True)`
returns the same manifest as a dict. Same arguments → byte-identical tree.

It also holds the synthetic single declarations the tests use (`synthetic_declaration`,
`declaration_yaml`; tests/fixtures.py re-exports them), so valid department forms are made one way.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the generator's scoring rules grade the self-evaluations

# ---- synthetic declarations -------------------------------------------------------------------

# The legacy scheme's (一级, 二级) pairs, in the order a form lists them.
DEFAULT_GROUPS: tuple[tuple[str, str], ...] = (
    ("产出指标", "数量指标"),
    ("产出指标", "质量指标"),
    ("产出指标", "时效指标"),
    ("产出指标", "成本指标"),
    ("效益指标", "经济效益指标"),
    ("效益指标", "社会效益指标"),
    ("效益指标", "生态效益指标"),
    ("效益指标", "可持续影响指标"),
    ("满意度指标", "服务对象满意度指标"),
)

# Plain words to build sentences from: common characters every CJK face has, nothing Markdown reads.
_WORDS = (
    "统筹推进", "基层治理", "公共服务", "民生保障", "产业发展", "生态环境", "安全生产", "乡村振兴",
    "营商环境", "文化旅游", "教育事业", "医疗卫生", "养老服务", "交通设施", "水利工程", "数字政府",
    "财政资金", "绩效管理", "监督检查", "宣传培训", "队伍建设", "制度完善", "项目建设", "服务质量",
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


class _Rng:
    """A tiny linear congruential generator: deterministic on every Python, no global state."""

    def __init__(self, seed: int):
        self.state = (seed * 2654435761 + 12345) % 2**32

    def next(self, n: int) -> int:
        self.state = (self.state * 1103515245 + 12345) % 2**31
        return (self.state >> 8) % n


def _sentence(rng: _Rng, words: int) -> str:
    parts = [_WORDS[rng.next(len(_WORDS))] for _ in range(words)]
    return "，".join(parts) + "。"


@dataclass(frozen=True)
class IndicatorRow:
    level1: str
    level2: str
    level3: str
    period_value: str | None
    annual_value: str | None
    value: str | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for v in (self.period_value, self.annual_value, self.value) if v is not None)


@dataclass(frozen=True)
class SyntheticTask:
    name: str
    content: str  # Markdown: paragraphs separated by a blank line
    funds: Decimal
    goal: str

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.content.split("\n\n") if p]


@dataclass(frozen=True)
class Synthetic:
    """A generated declaration: its YAML text and everything a test may look for in the output."""

    text: str
    year: int
    dept_id: str
    department: str
    title: str
    overall_goal: str
    tasks: tuple[SyntheticTask, ...]
    indicators: tuple[IndicatorRow, ...]
    sentinels: tuple[str, ...]  # tokens in the long task's content, each exactly once in the declaration
    amounts: dict = field(default_factory=dict)  # field name → Decimal, as filed

    @property
    def relative_path(self) -> Path:
        return Path(str(self.year)) / f"{self.dept_id}.yaml"

    def write(self, root: Path) -> Path:
        """Write to root/<year>/<id>.yaml (the layout `jixiao` expects) and return the path."""
        path = Path(root) / self.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.text.encode("utf-8"))
        return path

    @property
    def level1_names(self) -> list[str]:
        return list(dict.fromkeys(row.level1 for row in self.indicators))

    @property
    def level2_groups(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys((row.level1, row.level2) for row in self.indicators))


def _q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one), characters kept as they are."""
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: str) -> str:
    """A literal block scalar (|-) holding `text` exactly; blank lines stay blank."""
    lines = text.split("\n")
    return "|-\n" + "\n".join(f"{indent}{line}" if line else "" for line in lines)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _spread(total: int, parts: int) -> list[int]:
    """`total` items over `parts` groups as evenly as possible, the first groups taking the extra ones."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _pick_groups(groups: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    """At most `count` groups in form order, the first of each 一级 taken first: with three or more
    indicators a declaration has 产出, 效益 and 满意度, as the checks require."""
    if count >= len(groups):
        return groups
    firsts = [i for i, (level1, _) in enumerate(groups) if level1 not in {g[0] for g in groups[:i]}]
    order = firsts + [i for i in range(len(groups)) if i not in firsts]
    return [groups[i] for i in sorted(order[:count])]


def synthetic_declaration(
    tasks: int = 3,
    indicators: int = 6,
    *,
    year: int = 2025,
    dept_id: str = "test-dept",
    department: str = "测试市示范区综合事务管理局",
    title: str = "部门整体预算绩效目标申报表",
    groups: Sequence[tuple[str, str]] | None = None,
    group_sizes: Sequence[int] | None = None,
    long_task: int | None = None,
    long_paragraphs: int = 36,
    single_value: bool = False,
    other_tasks: str | None = None,
    seed: int = 0,
    tag: str = "",
    project: Decimal | None = None,
    income_gap: Decimal = Decimal(0),
    comment: str | None = None,
) -> Synthetic:
    """A valid declaration with `tasks` tasks and `indicators` 三级指标.

    groups: the (一级, 二级) pairs to spread the indicators over (default: the nine legacy ones;
    fewer indicators than groups use only the first groups). group_sizes: how many indicators each
    group gets (default: as even as possible). long_task: index of a task whose 主要实施内容 is
    `long_paragraphs` paragraphs (about 130 characters each; 36 is over three A4 landscape pages)
    carrying the sentinels. tag: a short string put into every generated name, so that two
    synthetic declarations in one build are told apart. project: the 项目支出 (default: the tasks'
    funds plus 1,234.56). income_gap: added to 其他资金 only, so the income no longer adds up to the
    spending (a J202 warning). comment: the first line's comment. Same arguments, same text.
    """
    if tasks < 1 or indicators < 1:
        raise ValueError("a declaration has at least one task and one indicator")
    rng = _Rng(seed)
    groups = list(groups or DEFAULT_GROUPS)
    if group_sizes is None:
        used = _pick_groups(groups, indicators)
        sizes = _spread(indicators, len(used))
    else:
        if sum(group_sizes) != indicators or len(group_sizes) > len(groups) or min(group_sizes) < 1:
            raise ValueError("group_sizes must be positive and add up to `indicators`")
        used, sizes = groups[: len(group_sizes)], list(group_sizes)

    sentinels: list[str] = []
    task_list: list[SyntheticTask] = []
    for i in range(tasks):
        number = i + 1
        name = f"{tag}重点任务第{number}项{_WORDS[i % len(_WORDS)]}"
        if i == long_task:
            paragraphs = []
            for p in range(long_paragraphs):
                token = f"哨兵{tag}{p + 1:03d}号"
                sentinels.append(token)
                head = _sentence(rng, 6)
                paragraphs.append(
                    f"{_CIRCLED[p % len(_CIRCLED)]}第{p + 1}段。{head}{token}{_sentence(rng, 12)}{_sentence(rng, 9)}"
                )
            content = "\n\n".join(paragraphs)
        else:
            content = "\n\n".join(
                f"{_CIRCLED[k]}{_sentence(rng, 3 + rng.next(6))}" for k in range(1 + (i % 3))
            )
        funds = Decimal(10 + (number * 37) % 500) + Decimal(number % 4) / 4
        goal = f"{tag}任务{number}目标：{_sentence(rng, 2 + rng.next(4))}"
        task_list.append(SyntheticTask(name, content, funds.quantize(Decimal("0.01")), goal))

    rows: list[IndicatorRow] = []
    n = 0
    for (level1, level2), size in zip(used, sizes):
        for _ in range(size):
            n += 1
            level3 = f"{tag}测评事项{n:04d}号"
            if single_value:
                rows.append(IndicatorRow(level1, level2, level3, None, None, f"≥ {n}件"))
            else:
                rows.append(IndicatorRow(level1, level2, level3, f"≥ {n}件", f"≤ {n}天"))

    # Amounts that add up: tasks within 项目支出, 事业发展性支出 within it, income and levels equal to spending.
    task_total = sum((t.funds for t in task_list), Decimal(0))
    project = task_total + Decimal("1234.56") if project is None else project
    basic = Decimal("5830.96") + Decimal(year % 100)
    spending = basic + project
    other_income = Decimal("98.17")
    filed_other = other_income + income_gap
    own_level = (spending * Decimal("0.6")).quantize(Decimal("0.01"))
    special = (project / 8).quantize(Decimal("0.01"))
    amounts = {
        "basic": basic,
        "project": project,
        "财政拨款": spending - other_income,
        "其他资金": filed_other,
        "财政专项资金": special,
        "其他事业发展性支出": (project / 4).quantize(Decimal("0.01")),
        "本级使用资金": own_level,
        "上级转移支付支出": spending - own_level,
    }
    overall_goal = f"{tag}围绕年度工作目标，{_sentence(rng, 10)}"

    out = [
        f"# {comment or '合成的测试申报（tests/fixtures.py）'}：{tasks} 项任务，{indicators} 个三级指标。",
        f"title: {_q(title)}",
        f"year: {year}",
        "department:",
        f"  name: {_q(department)}",
        f"  id: {dept_id}",
        "basic_info:",
        f"  staff_count: {100 + tasks}",
        f"  subordinate_units: {1 + indicators % 20}",
        "budget:",
        "  spending:",
        f"    basic: {_money(basic)}",
        f"    project: {_money(project)}",
        "  income:",
        f"    - {{label: 财政拨款, amount: {_money(amounts['财政拨款'])}}}",
        f"    - {{label: 其他资金, amount: {_money(filed_other)}}}",
        "  development:",
        f"    - {{label: 财政专项资金, amount: {_money(special)}}}",
        f"    - {{label: 其他事业发展性支出, amount: {_money(amounts['其他事业发展性支出'])}}}",
        "  by_level:",
        f"    - {{label: 本级使用资金, amount: {_money(own_level)}}}",
        f"    - {{label: 上级转移支付支出, amount: {_money(amounts['上级转移支付支出'])}}}",
        f"overall_goal: {_q(overall_goal)}",
        "tasks:",
    ]
    for task in task_list:
        out += [
            f"  - name: {_q(task.name)}",
            f"    content: {_block(task.content, '      ')}",
            f"    funds: {_money(task.funds)}",
            f"    goal: {_q(task.goal)}",
        ]
    out.append(f"other_tasks: {_q(other_tasks)}" if other_tasks is not None else "other_tasks:")
    out.append("indicators:")
    last1 = last2 = None
    for row in rows:
        if row.level1 != last1:
            out += [f"  - level1: {row.level1}", "    groups:"]
            last1, last2 = row.level1, None
        if row.level2 != last2:
            out += [f"      - level2: {row.level2}", "        items:"]
            last2 = row.level2
        out.append(f"          - level3: {_q(row.level3)}")
        if single_value:
            out.append(f"            value: {_q(row.value)}")
        else:
            out.append(f"            period_value: {_q(row.period_value)}")
            out.append(f"            annual_value: {_q(row.annual_value)}")
    text = "\n".join(out) + "\n"
    return Synthetic(
        text=text,
        year=year,
        dept_id=dept_id,
        department=department,
        title=title,
        overall_goal=overall_goal,
        tasks=tuple(task_list),
        indicators=tuple(rows),
        sentinels=tuple(sentinels),
        amounts=amounts,
    )


def declaration_yaml(tasks: int = 3, indicators: int = 6, **options) -> str:
    """Just the YAML text of `synthetic_declaration(tasks, indicators, **options)`."""
    return synthetic_declaration(tasks, indicators, **options).text



# ---- a bureau's corpus ------------------------------------------------------------------------

DISTRICT = "青溪区"  # invented: no real district's filings
_BUREAUS = (
    "财政局", "教育局", "民政局", "司法局", "审计局", "统计局", "水务局", "科技局", "商务局",
    "卫生健康局", "交通运输局", "农业农村局", "应急管理局", "医疗保障局", "住房和城乡建设局",
    "人力资源和社会保障局", "文化广电旅游体育局", "市场监督管理局", "退役军人事务局", "城市管理和综合执法局",
    "发展和改革局", "工业和信息化局", "政务服务数据管理局", "林业和园林局", "生态环境分局", "规划和自然资源分局",
    "档案局", "机关事务管理局", "信访局", "国有资产监督管理局",
)
_CENTRES = (
    "融媒体中心", "疾病预防控制中心", "公共资源交易中心", "政务服务中心", "社会福利中心", "城市更新服务中心",
    "投资促进中心", "不动产登记中心", "土地开发储备中心", "劳动人事争议仲裁中心", "应急指挥中心", "青少年活动中心",
)
_PLACES = (
    "东湖", "西岭", "南塘", "北岗", "龙溪", "石桥", "白沙", "青山", "金田", "杨柳", "梅林", "桃源", "松岗", "竹园",
    "荷塘", "凤凰", "云台", "月湖", "星河", "清泉", "碧水", "红岭", "翠屏", "长乐", "永安", "新丰", "太平", "和平",
    "安定", "兴隆", "丰收", "望江", "临溪", "横沥", "沙湾", "鹤山",
)
# (name, ASCII id) of the projects a department runs; each department takes some, names prefixed.
_THEMES = (
    ("基层治理能力提升", "governance"), ("公共服务设施维护", "facilities"), ("民生保障专项", "livelihood"),
    ("乡村振兴示范建设", "rural-revival"), ("人居环境整治", "living-env"), ("安全生产监管", "work-safety"),
    ("应急物资储备", "emergency-stock"), ("信息化系统运维", "it-ops"), ("档案数字化", "archives"),
    ("宣传教育培训", "training"), ("河涌水环境治理", "river-clean"), ("道路养护", "road-upkeep"),
    ("绿化管护", "greening"), ("垃圾分类推进", "waste-sorting"), ("社区养老服务", "elderly-care"),
    ("就业服务站运营", "job-centre"), ("群众文化活动", "culture-events"), ("全民健身设施", "fitness"),
    ("食品安全抽检", "food-safety"), ("消防安全隐患整治", "fire-safety"), ("农田水利维修", "irrigation"),
    ("村（社区）服务站建设", "service-stations"), ("困难群众救助", "relief"), ("公共卫生服务", "public-health"),
    ("学校设施改造", "school-upgrade"), ("法律援助服务", "legal-aid"), ("营商环境优化", "business-env"),
    ("产业园区配套", "industrial-park"), ("历史文化保护", "heritage"), ("数字政府建设", "e-gov"),
    ("交通秩序整治", "traffic-order"), ("防汛设施维护", "flood-control"),
)
# Project indicators: (一级, 二级, 三级, operator, base value, unit); operator "" is a 定性 value (效益 only).
_POOL = (
    ("产出指标", "数量指标", "服务人次", "≥", 1200, "人次"),
    ("产出指标", "数量指标", "完成建设里程", "≥", 12, "公里"),
    ("产出指标", "数量指标", "覆盖村（社区）数", "≥", 18, "个"),
    ("产出指标", "数量指标", "开展培训场次", "≥", 24, "场"),
    ("产出指标", "数量指标", "新建或改造设施", "≥", 8, "处"),
    ("产出指标", "质量指标", "验收合格率", "≥", 95, "%"),
    ("产出指标", "质量指标", "资金使用合规率", "≥", 100, "%"),
    ("产出指标", "质量指标", "问题整改完成率", "≥", 90, "%"),
    ("产出指标", "时效指标", "任务按时完成率", "≥", 95, "%"),
    ("产出指标", "时效指标", "资金拨付及时率", "≥", 90, "%"),
    ("产出指标", "时效指标", "平均办结时限", "≤", 15, "天"),
    ("产出指标", "成本指标", "单位服务成本", "≤", 3, "万元"),
    ("效益指标", "社会效益指标", "受益群众人数", "≥", 5000, "人"),
    ("效益指标", "社会效益指标", "群众生活条件", "", "持续改善", ""),
    ("效益指标", "经济效益指标", "带动就业人数", "≥", 60, "人"),
    ("效益指标", "生态效益指标", "绿化覆盖率", "≥", 40, "%"),
    ("效益指标", "可持续影响指标", "长效管护机制", "", "建立健全", ""),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, "%"),
)
_GRADE_QUALITY = {"优": ("0.95", "1.00"), "良": ("0.84", "0.88"), "中": ("0.66", "0.72"), "差": ("0.42", "0.50")}
_SPLIT = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}  # the default scoring split; 10 for the execution rate
_REASON = "受实施条件变化影响，部分任务未按计划完成；已调整实施计划，下一年度加快推进。"
_LATE = "部分项目因招标延后，支付进度滞后；已督促加快执行。"
CENT = Decimal("0.01")
MANIFEST = "corpus-manifest.json"


def _dec(rng: _Rng, low: str, high: str) -> Decimal:
    """A two-place Decimal in [low, high]."""
    lo, hi = int(Decimal(low) * 100), int(Decimal(high) * 100)
    return Decimal(lo + rng.next(hi - lo + 1)) / 100


def _num(value: Decimal) -> str:
    text = format(value.quantize(CENT, ROUND_HALF_UP).normalize(), "f")
    return text


def _pinyin_id(name: str, suffix: str) -> str:
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(name)
    word = "".join(syllables) if len(name) <= 4 else "".join(s[0] for s in syllables)
    return f"{word}-{suffix}" if suffix else word


@dataclass(frozen=True)
class Department:
    number: int
    id: str
    name: str
    short: str  # the name without the district, put before its projects' names
    level: str


def departments(count: int) -> list[Department]:
    """`count` departments with distinct names and ids, the kinds interleaved so that a small corpus
    has every kind: 局, 镇, 街道, 中心."""
    places = list(_PLACES)
    towns, streets = places[0::2], places[1::2]
    supply = {"局": list(_BUREAUS), "镇": towns, "街道": streets, "中心": list(_CENTRES)}
    cycle = ("局", "镇", "局", "街道", "中心", "局", "镇", "街道")
    taken = {kind: 0 for kind in supply}
    out: list[Department] = []
    ids: set[str] = set()
    turn = 0
    while len(out) < count:
        if turn > 8 * count + 100:
            raise ValueError(f"至多能生成 {len(out)} 个部门")
        kind = cycle[turn % len(cycle)]
        turn += 1
        if taken[kind] >= len(supply[kind]):
            continue
        base = supply[kind][taken[kind]]
        taken[kind] += 1
        if kind == "局":
            short, level, ident = base, "区直", _pinyin_id(base.removesuffix("局").removesuffix("分"), "")
        elif kind == "中心":
            short, level, ident = base, "区直", _pinyin_id(base.removesuffix("中心"), "zx")
        elif kind == "镇":
            short, level, ident = base + "镇", "镇本级", _pinyin_id(base, "zhen")
        else:
            short, level, ident = base + "街道", "街道", _pinyin_id(base, "jd")
        while ident in ids:
            ident += "x"
        ids.add(ident)
        name = f"{DISTRICT}{short}办事处" if kind == "街道" else (
            f"{DISTRICT}{short}人民政府" if kind == "镇" else f"{DISTRICT}{short}")
        out.append(Department(len(out) + 1, ident, name, short, level))
    return out


@dataclass
class Project:
    theme: int
    id: str
    name: str
    code: str
    first_year: int
    indicators: list[tuple]  # rows of _POOL with this project's values


@dataclass
class Evaluation:
    file: str
    form: str
    department: str
    year: int
    total: str
    grade: str


@dataclass
class Corpus:
    """What build_corpus wrote: files by relative path → text, and the manifest."""

    files: dict[str, str] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)


def _indicator_values(rng: _Rng, rows: Sequence[tuple]) -> list[tuple]:
    """Each pool row with a value of this project's scale: (一级, 二级, 三级, operator, number or text, unit)."""
    out = []
    for level1, level2, level3, op, base, unit in rows:
        if op and unit != "%":
            base = Decimal(base) * (Decimal(50 + rng.next(150)) / 100)
            base = base.quantize(Decimal(1), ROUND_HALF_UP) if base >= 10 else base.quantize(Decimal("0.1"))
            base = max(base, Decimal(1))
        out.append((level1, level2, level3, op, Decimal(base) if op else base, unit))
    return out


def _target_text(op: str, value, unit: str) -> str:
    return f"{op} {_num(value)}{unit}" if op else value


def _pick_indicators(rng: _Rng) -> list[tuple]:
    """5–10 rows of the pool in its order, always some 产出, 效益 and 满意度 (the checks want all three)."""
    must = {0, 5, 8, 12, 17}  # 数量, 质量, 时效, 效益, 满意度
    extra = [i for i in range(len(_POOL)) if i not in must]
    chosen = set(must)
    for _ in range(rng.next(6)):
        chosen.add(extra[rng.next(len(extra))])
    return [_POOL[i] for i in sorted(chosen)]


def _project_target(year: int, dept: Department, project: Project, annual: Decimal, years: Sequence[int],
                    other: Decimal, rng: _Rng) -> str:
    start = project.first_year
    end = max(years[-1], start + 2)
    period = (annual * (end - start + 1)).quantize(CENT)
    other_period = (other * (end - start + 1)).quantize(CENT)
    attribute = "新增" if year == start else "延续"
    out = [
        "# 生成的测试语料（tools/corpus.py）：虚构的项目，不是公开的申报。",
        "form: project-target",
        "title: 项目支出绩效目标申报表",
        f"year: {year}",
        "project:",
        f"  name: {_q(project.name)}",
        f"  id: {project.id}",
        f"  code: {_q(project.code)}",
        f"  attribute: {attribute}",
        "  attribute_options: [新增, 延续]",
        f"  period: {{start: {start}, end: {end}}}",
        f"  manager: 项目负责人{dept.number:02d}{project.theme:02d}",
        f"  phone: 020-8{dept.number:03d} {project.theme:04d}",
        "department:",
        f"  name: {_q(dept.name)}",
        f"  id: {dept.id}",
        f"implementer: {_q(dept.name + '（本级）')}",
        "funds:",
        f"  total: {{period: {_money(period)}, annual: {_money(annual)}}}",
        "  sources:",
        f"    - {{label: 财政拨款, period: {_money(period - other_period)}, annual: {_money(annual - other)}}}",
    ]
    if other:
        out.append(f"    - {{label: 其他资金, period: {_money(other_period)}, annual: {_money(other)}}}")
    out += [
        "goals:",
        f"  period: {_q(f'{start}—{end} 年持续推进{project.name}，' + _sentence(rng, 3))}",
        f"  annual: {_q(f'{year} 年完成{project.name}年度任务，' + _sentence(rng, 2))}",
        "indicators:",
    ]
    out += _indicator_lines(project.indicators, lambda _index, op, value, unit: [
        f"            period_value: {_q(_target_text(op, value, unit))}",
        f"            annual_value: {_q(_target_text(op, value, unit))}",
    ])
    return "\n".join(out) + "\n"


def _indicator_lines(rows: Sequence[tuple], values) -> list[str]:
    """The indicators block: values(index, operator, value, unit) gives each 三级指标's own lines."""
    out: list[str] = []
    last1 = last2 = None
    for index, (level1, level2, level3, op, value, unit) in enumerate(rows):
        if level1 != last1:
            out += [f"  - level1: {level1}", "    groups:"]
            last1, last2 = level1, None
        if level2 != last2:
            out += [f"      - level2: {level2}", "        items:"]
            last2 = level2
        out.append(f"          - level3: {_q(level3)}")
        out += values(index, op, value, unit)
    return out


def _evaluate(rows: Sequence[tuple], budget: Decimal, grade_wanted: str, rng: _Rng):
    """(funds lines' executed figure, per-row YAML lines, total, grade) for a self-evaluation aiming
    at `grade_wanted`; the total and grade come from jixiao's own scoring rules."""
    from generator.forms.self_evaluation import scoring

    low, high = _GRADE_QUALITY[grade_wanted]
    quality = _dec(rng, low, high)
    rate = min(Decimal(1), quality + Decimal(rng.next(4)) / 100)
    executed = (budget * rate).quantize(CENT)
    by_level1: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_level1.setdefault(row[0], []).append(index)
    points: dict[int, Decimal] = {}
    for level1, indexes in by_level1.items():
        for index, share in zip(indexes, _spread(_SPLIT[level1], len(indexes))):
            points[index] = Decimal(share)
    scores = []
    lines: dict[int, list[str]] = {}
    for index, (level1, level2, level3, op, value, unit) in enumerate(rows):
        met = quality >= Decimal("0.95") or (quality >= Decimal("0.8") and rng.next(10) < 2)
        tier = None
        if not op:
            tier = "达成" if met or quality >= Decimal("0.8") else ("部分达成" if quality >= Decimal("0.6") else "未达成")
            actual = {"达成": "已完成年度目标", "部分达成": "部分完成", "未达成": "未完成"}[tier]
        else:
            share = Decimal(1) if met else max(Decimal("0.3"), quality - Decimal(rng.next(8)) / 100)
            number = value * share if op == "≥" else value / share
            actual = f"{_num(number)}{unit}"
        score = scoring.indicator_score(_target_text(op, value, unit), actual, points[index], tier)
        scores.append((points[index], score.value, True))
        item = [f"            target: {_q(_target_text(op, value, unit))}", f"            actual: {_q(actual)}"]
        if tier:
            item.append(f"            tier: {tier}")
        item.append(f"            points: {points[index]}")
        if score.value < points[index]:
            item.append(f"            reason: {_q(_REASON)}")
        lines[index] = item
    execution = scoring.execution_score(scoring.execution_rate(budget, executed), Decimal(10))
    total = scoring.total_score([(Decimal(10), execution, True), *scores])
    got = scoring.grade(total)
    return executed, lines, scoring.round2(total), got


def _funds_lines(budget: Decimal, executed: Decimal, label: str) -> list[str]:
    rate = executed / budget
    out = [
        "funds:",
        f"  total: {{initial: {_money(budget)}, budget: {_money(budget)}, executed: {_money(executed)}}}",
    ]
    if rate < Decimal("0.9"):
        out[-1] = out[-1][:-1] + f", reason: {_q(_LATE)}}}"
    out += [
        "  sources:",
        f"    - {{label: {label}, initial: {_money(budget)}, budget: {_money(budget)}, executed: {_money(executed)}}}",
    ]
    return out


def _self_evaluation(year: int, dept: Department, rows: Sequence[tuple], budget: Decimal,
                     grade_wanted: str, rng: _Rng, project: Project | None = None):
    executed, lines, total, grade = _evaluate(rows, budget, grade_wanted, rng)
    head = ["# 生成的测试语料（tools/corpus.py）：虚构的自评，不是公开的自评。"]
    if project is None:
        head += [
            "form: department-self-evaluation", "title: 部门整体支出绩效自评表", f"year: {year}",
            "department:", f"  name: {_q(dept.name)}", f"  id: {dept.id}",
        ]
    else:
        head += [
            "form: project-self-evaluation", "title: 项目支出绩效自评表", f"year: {year}",
            "project:", f"  name: {_q(project.name)}", f"  id: {project.id}",
            "department:", f"  name: {_q(dept.name)}", f"  id: {dept.id}",
            f"implementer: {_q(dept.name + '（本级）')}",
            f"manager: 项目负责人{dept.number:02d}{project.theme:02d}",
        ]
    head += _funds_lines(budget, executed, "本年财政拨款")
    head += [
        "goals:",
        f"  expected: {_q('完成年度绩效目标：' + _sentence(rng, 3))}",
        f"  actual: {_q('年度工作完成情况：' + _sentence(rng, 3))}",
        "indicators:",
    ]
    head += _indicator_lines(rows, lambda index, op, value, unit: lines[index])
    head += ["signoff:", f"  evaluator: 自评人{dept.number:02d}", f"  reviewer: 审核人{dept.number:02d}",
             f"  date: {year + 1}-03-{10 + rng.next(18):02d}"]
    return "\n".join(head) + "\n", total, grade


def _dept_rows(synthetic: Synthetic) -> list[tuple]:
    """A department form's indicators as pool-like rows (its values are ≥ n件 / ≤ n天)."""
    rows = []
    for row in synthetic.indicators:
        op, rest = row.annual_value.split(" ", 1)
        number = Decimal("".join(ch for ch in rest if ch.isdigit()))
        rows.append((row.level1, row.level2, row.level3, op, number, rest[len(str(number)):]))
    return rows


def build_corpus(out: Path | str | None = None, departments_count: int = 6, years: Sequence[int] = (2024, 2025),
                 plant: bool = False, seed: int = 0) -> dict:
    """Generate the corpus; write it under `out` (if given) and return the manifest.

    The manifest (also written to OUT/corpus-manifest.json) holds: departments (id, name, level,
    on the roster, files), years, closed_years, files (count), self_evaluations (file, form,
    department, year, total, grade — every one, graded by jixiao's rules), and with plant=True
    `planted`: missing_departments (on the roster, no file), error_files ({file, code}), over_budget
    ({year, department, file, projects, spending} — J410), income_warnings ({file} — J202),
    poor_evaluations (project self-evaluations graded 差) and fair_evaluations (中); and `expected`:
    every (file, code) `jixiao validate` reports, sorted. Without plant, `expected` is empty.
    """
    corpus = generate(departments_count, years, plant, seed)
    if out is not None:
        write(corpus, Path(out))
    return corpus.manifest


def write(corpus: Corpus, out: Path) -> None:
    for relative, text in corpus.files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    (out / MANIFEST).write_bytes(
        (json.dumps(corpus.manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def generate(departments_count: int = 6, years: Sequence[int] = (2024, 2025), plant: bool = False,
             seed: int = 0) -> Corpus:
    years = sorted(set(int(y) for y in years))
    if len(years) < 2:
        raise ValueError("至少要两个年度")
    if departments_count < 6:
        raise ValueError("至少要 6 个部门（埋设的问题各占不同的部门）")
    closed = years[:-1]
    latest = years[-1]
    depts = departments(departments_count + (2 if plant else 0))
    filing, missing = depts[:departments_count], depts[departments_count:]
    corpus = Corpus()
    files = corpus.files
    evaluations: list[Evaluation] = []
    expected: list[tuple[str, str]] = []

    # Who gets which problem: distinct departments, spread over the list.
    def spot(k: int) -> Department:
        return filing[(k * 7 + 3) % len(filing)]

    order = []
    for k in range(len(filing) * 2):
        d = spot(k)
        if d not in order:
            order.append(d)
    order += [d for d in filing if d not in order]
    error_dept, bad_project_dept, bad_eval_dept = order[0], order[1], order[2]
    over_depts = order[3:6]
    # Income warnings in the year before the latest, on departments of their own where there are enough.
    income_depts = [order[(6 + k) % len(order)] for k in range(4)]
    income_year = years[-2]
    # The poor and fair project self-evaluations: chosen among all (closed year, department, project).
    poor_slots: set[tuple[int, str, int]] = set()
    fair_slots: set[tuple[int, str, int]] = set()

    planted: dict = {"missing_departments": [d.id for d in missing], "error_files": [], "over_budget": [],
                     "income_warnings": [], "poor_evaluations": [], "fair_evaluations": []}

    # Projects of each department over the years: most recur with the same id and code.
    projects: dict[str, dict[int, list[Project]]] = {}
    for dept in filing:
        rng = _Rng(seed * 1_000_003 + dept.number * 7919)
        themes = list(range(len(_THEMES)))
        # a deterministic shuffle
        for i in range(len(themes) - 1, 0, -1):
            j = rng.next(i + 1)
            themes[i], themes[j] = themes[j], themes[i]
        count = 3 + rng.next(8) + (rng.next(10) if rng.next(3) == 0 else 0)
        used = themes[:count]
        spare = themes[count:]
        by_year: dict[int, list[Project]] = {}
        known: dict[int, Project] = {}
        for year in years:
            if year != years[0]:
                kept = [t for t in used if rng.next(100) < 85]
                fresh = [spare.pop(0) for _ in range(rng.next(3)) if spare]
                used = (kept + fresh)[:20]
                if len(used) < 3:
                    used += [spare.pop(0) for _ in range(3 - len(used))]
            listing = []
            for theme in used:
                if theme not in known:
                    name, slug = _THEMES[theme]
                    known[theme] = Project(
                        theme=theme, id=slug, name=f"{dept.short}{name}项目",
                        code=f"QX-{year}-{dept.number:03d}-{theme + 1:02d}", first_year=year,
                        indicators=_indicator_values(rng, _pick_indicators(rng)))
                listing.append(known[theme])
            by_year[year] = sorted(listing, key=lambda p: p.id)
        projects[dept.id] = by_year

    all_slots = [(year, dept.id, i) for year in closed for dept in filing for i in range(len(projects[dept.id][year]))]
    step = max(1, len(all_slots) // 12)
    for k in range(5):
        poor_slots.add(all_slots[(k * step * 2 + 1) % len(all_slots)])
    for k in range(6):
        slot = all_slots[(k * step * 2 + step) % len(all_slots)]
        if slot not in poor_slots:
            fair_slots.add(slot)

    over_year = latest
    for dept in filing:
        for year in years:
            rng = _Rng(seed * 1_000_003 + dept.number * 7919 + year * 31)
            base = f"declarations/{year}/{dept.id}"
            listing = projects[dept.id][year]
            amounts: list[tuple[Decimal, Decimal]] = []  # (年度资金, of which 其他资金) per project
            for project in listing:
                scale = (20, 50, 100, 200, 400, 800, 1500)[rng.next(7)]
                annual = (Decimal(scale) * Decimal(100 + rng.next(100)) / 100).quantize(CENT)
                amounts.append((annual, (annual * Decimal(rng.next(3) * 5) / 100).quantize(CENT)))
            tasks = 3 + rng.next(4)
            task_total = sum((Decimal(10 + (n * 37) % 500) + Decimal(n % 4) / 4 for n in range(1, tasks + 1)), Decimal(0))
            over = plant and year == over_year and dept in over_depts
            short = task_total + 300 - sum(a for a, _ in amounts)
            if over and short > 0:
                # Room for a gap of up to 230 with the tasks' funds still within 项目支出 (else J204, an error).
                amounts[0] = (amounts[0][0] + short, amounts[0][1])
            annuals = [a for a, _ in amounts]
            project_texts: list[tuple[Project, str, Decimal]] = [
                (project, _project_target(year, dept, project, annual, years, other, rng), annual)
                for project, (annual, other) in zip(listing, amounts)
            ]
            projects_sum = sum(annuals, Decimal(0))
            spending = max(projects_sum, task_total) + Decimal(50 + rng.next(500)) + Decimal(rng.next(100)) / 100
            if over:
                gap = Decimal(30 + rng.next(200)) + Decimal(rng.next(100)) / 100
                spending = projects_sum - gap
            gap_income = Decimal("12.50") if plant and year == income_year and dept in income_depts else Decimal(0)
            synthetic = synthetic_declaration(
                tasks, 6 + rng.next(7), year=year, dept_id=dept.id, department=dept.name, seed=dept.number * 31 + year,
                project=spending, income_gap=gap_income, comment="生成的测试语料（tools/corpus.py），虚构的部门")
            text = synthetic.text
            dept_file = f"{base}.yaml"
            if plant and year == latest and dept is error_dept:
                text = replace_once(text, f"  staff_count: {100 + tasks}\n", "  staff_count: 约一百人\n")
                planted["error_files"].append({"file": dept_file, "code": "J011"})
                expected.append((dept_file, "J011"))
                expected += [(f"{base}/projects/{p.id}.yaml", "J412") for p, _t, _a in project_texts]
            if over:
                planted["over_budget"].append({"year": year, "department": dept.id, "file": dept_file,
                                               "projects": _money(projects_sum), "spending": _money(spending)})
                expected.append((dept_file, "J410"))
            if gap_income:
                planted["income_warnings"].append({"file": dept_file})
                expected.append((dept_file, "J202"))
            files[dept_file] = text
            for index, (project, ptext, annual) in enumerate(project_texts):
                pfile = f"{base}/projects/{project.id}.yaml"
                if plant and year == latest and dept is bad_project_dept and index == 0:
                    old = "  total: {period: "
                    line = next(l for l in ptext.split("\n") if l.startswith(old))
                    ptext = replace_once(ptext, line, line.replace(f"annual: {_money(annual)}", f"annual: {_money(annual + 1)}"))
                    planted["error_files"].append({"file": pfile, "code": "J221"})
                    expected.append((pfile, "J221"))
                files[pfile] = ptext
            if year not in closed:
                continue
            wanted = "良" if rng.next(3) == 0 else "优"
            if dept.number % 9 == 4:
                wanted = "中"
            etext, total, grade = _self_evaluation(
                year, dept, _dept_rows(synthetic), synthetic.amounts["basic"] + spending, wanted, rng)
            efile = f"{base}/self-evaluation.yaml"
            files[efile] = etext
            evaluations.append(Evaluation(efile, "department-self-evaluation", dept.id, year, _money(total), grade))
            for index, (project, _ptext, annual) in enumerate(project_texts):
                slot = (year, dept.id, index)
                wanted = "差" if slot in poor_slots else "中" if slot in fair_slots else ("良" if rng.next(4) == 0 else "优")
                etext, total, grade = _self_evaluation(
                    year, dept, project.indicators, annual, wanted, rng, project)
                efile = f"{base}/projects/{project.id}.self-evaluation.yaml"
                if plant and dept is bad_eval_dept and index == 0:
                    etext = replace_once(etext, f"implementer: {_q(dept.name + '（本级）')}\n", "")
                    planted["error_files"].append({"file": efile, "code": "J010"})
                    expected.append((efile, "J010"))
                files[efile] = etext
                evaluations.append(Evaluation(efile, "project-self-evaluation", dept.id, year, _money(total), grade))
                if grade != wanted and wanted in ("中", "差"):
                    raise AssertionError(f"{efile}: aimed at {wanted}, scored {total} {grade}")
                if plant and grade == "差":
                    planted["poor_evaluations"].append(efile)
                if plant and grade == "中":
                    planted["fair_evaluations"].append(efile)

    roster = ["# 部门名册（生成的测试语料，tools/corpus.py）：虚构的部门。", "departments:"]
    for dept in depts:
        roster += [f"  - id: {dept.id}", f"    name: {_q(dept.name)}", f"    level: {dept.level}",
                   "    owes: [department-target, project-target]"]
    files["declarations/departments.yaml"] = "\n".join(roster) + "\n"

    corpus.files = dict(sorted(files.items()))
    corpus.manifest = {
        "generator": "tools/corpus.py",
        "arguments": {"departments": departments_count, "years": years, "plant": plant, "seed": seed},
        "root": "declarations",
        "roster": "declarations/departments.yaml",
        "years": years,
        "closed_years": closed,
        "files": len(corpus.files) - 1,
        "departments": [
            {"id": d.id, "name": d.name, "level": d.level, "files": d in filing,
             "projects": {str(y): [p.id for p in projects[d.id][y]] for y in years} if d in filing else {}}
            for d in depts
        ],
        "self_evaluations": [e.__dict__ for e in evaluations],
        "planted": planted if plant else {},
        "expected": [{"file": f, "code": c} for f, c in sorted(set(expected))],
    }
    return corpus


@dataclass(frozen=True)
class BuiltCorpus:
    """A corpus on disk: OUT (root), OUT/declarations (what `jixiao validate|build|review` take) and
    the manifest read back from OUT/corpus-manifest.json."""

    root: Path
    manifest: dict

    @property
    def declarations(self) -> Path:
        return self.root / "declarations"

    @property
    def roster(self) -> Path:
        return self.root / self.manifest["roster"]

    @property
    def planted(self) -> dict:
        return self.manifest["planted"]

    @property
    def expected(self) -> list[tuple[str, str]]:
        """(file relative to root, code) of every problem `jixiao validate` should report."""
        return [(e["file"], e["code"]) for e in self.manifest["expected"]]

    def path(self, relative: str) -> Path:
        return self.root / relative


def load(root: Path | str) -> BuiltCorpus:
    root = Path(root)
    return BuiltCorpus(root, json.loads((root / MANIFEST).read_text(encoding="utf-8")))


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成一个确定的、局级规模的申报语料（测试和 make bench 用）")
    parser.add_argument("out", type=Path, help="输出文件夹")
    parser.add_argument("--departments", type=int, default=60)
    parser.add_argument("--years", type=int, nargs="+", default=[2024, 2025])
    parser.add_argument("--plant", action="store_true", help="埋设问题（见 corpus-manifest.json 的 planted）")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    manifest = build_corpus(args.out, args.departments, args.years, args.plant, args.seed)
    print(f"{manifest['files']} 份文件，{len(manifest['departments'])} 个部门（名册），写入 {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
