"""The bureau's desk: the state of a year at a glance — which departments have filed which forms,
which filings fail review, the year's totals, the findings grouped by department and by code."""

from __future__ import annotations

import os
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from generator.core import catalogue, registry
from generator.forms import taxonomy
from generator.core.fields import format_rate, format_score, format_total
from generator.core.history import histories
from generator.forms.indicators import indicator_rows
from generator.core.problems import Problem
from generator.site.dependents import Placed, place
from generator.core.files import is_roster
from generator.input.roster import Roster, load_roster

# How a reviewer sorts findings (南沙区财政局's target reviews look at 规范性、全面性、可衡量性).
ASPECTS = {
    "全面性": {"J310", "J311", "J721", "J723"},
    "可衡量性": {"J306", "J312", "J313", "J704", "J708"},
}
OTHER_ASPECT = "规范性"


def aspect(code: str) -> str:
    return next((name for name, codes in ASPECTS.items() if code in codes), OTHER_ASPECT)


@dataclass
class FormStatus:
    form: object  # core.form.Form
    title: str
    status: str  # 合格 / 有警告 / 有错误 / 缺报
    files: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    links: list[str] = field(default_factory=list)  # site pages, relative to output/

    @property
    def kind(self) -> str:
        return self.form.kind


@dataclass
class Link:
    """A file or a line of it on the desk: its source view, and what to print."""

    file: str
    line: int = 0
    text: str = ""

    @property
    def href(self) -> str:
        return source_href(self.file) + (f"#L{self.line}" if self.line else "")


@dataclass
class DeskScore:
    """A self-evaluation's scores as the rules give them."""

    file: str
    name: str  # the department's or the project's
    title: str  # the form's
    total: str  # 总分 as the form prints it (two decimals at most)
    grade: str
    rate: str  # 执行率
    lost: list[tuple[str, str, str, str, int]] = field(default_factory=list)  # 指标, 得分, 分值, 失分, line
    line: int = 0  # of the 总分 (or of the file's start)
    value: Decimal = Decimal(0)  # the 总分, to sort by


@dataclass
class DepartmentRow:
    id: str
    name: str
    level: str
    forms: list[FormStatus]
    projects: int = 0
    last_change: str = ""
    findings: list[Problem] = field(default_factory=list)
    spending: Decimal | None = None  # 部门整体申报的支出合计
    project_funds: Decimal = Decimal(0)  # 各项目年度资金之和
    project_links: list[tuple[str, str, str]] = field(default_factory=list)  # (项目名称, 链接, 文件)
    score: DeskScore | None = None  # 部门整体支出绩效自评
    project_grades: dict[str, int] = field(default_factory=dict)  # 等级 → 项目自评表数

    @property
    def missing(self) -> list[str]:
        return [f.title for f in self.forms if f.status == "缺报"]

    @property
    def status(self) -> str:
        states = {f.status for f in self.forms}
        return next((s for s in ("有错误", "缺报", "有警告") if s in states), "合格")

    @property
    def codes(self) -> list[str]:
        return sorted({p.code for p in self.findings})


@dataclass
class Note:
    """Dependent files not checked against an erroneous one, said once instead of a cascade."""

    file: str
    text: str
    files: list[str]


@dataclass
class DepartmentErrors:
    row: DepartmentRow
    errors: list[Problem]
    notes: list[Note]


@dataclass
class CrossForm:
    """A finding that compares forms, with the figures compared (J410: both totals and the gap)."""

    row: DepartmentRow
    problem: Problem
    figures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Triage:
    errors: list[DepartmentErrors]
    missing: list[tuple[str, list[DepartmentRow]]]  # by form
    cross: list[CrossForm]
    poor: list[tuple[DepartmentRow, DeskScore]]
    warnings: list[tuple[str, str, list[tuple[DepartmentRow, Problem]]]]  # by code
    clear: int  # departments with nothing to do

    @property
    def empty(self) -> bool:
        return not (self.errors or self.missing or self.cross or self.poor or self.warnings)


@dataclass
class YearReview:
    year: int
    departments: list[DepartmentRow]
    totals: dict
    by_code: list[tuple[str, str, int]]  # code, title, count
    by_aspect: dict[str, int]
    triage: Triage | None = None
    grades: list[tuple[str, dict[str, int], str]] = field(default_factory=list)  # form title, 等级 → 份数, overall rate
    withheld: list = field(default_factory=list)  # dependents.Withheld of this year


def source_href(file: str) -> str:
    """The desk's view of a file: source/<its path>.html, inside output/review."""
    parts = [("__" if part == ".." else part) for part in Path(file).as_posix().split("/") if part not in ("", ".")]
    return "source/" + "/".join(parts) + ".html"


def _status(errors: int, warnings: int) -> str:
    return "有错误" if errors else "有警告" if warnings else "合格"


def _quantified_share(documents) -> tuple[int, int]:
    """(quantified, all) 产出 indicators of the year's target forms: a value with a number counts."""
    quantified = total = 0
    for item in documents:
        for _path, category, _group, indicator in indicator_rows(getattr(item.declaration, "indicators", [])):
            if taxonomy.canonical(category.level1) != "产出指标" or not hasattr(indicator, "values"):
                continue
            total += 1
            values = [v for _k, v in indicator.values() if v]
            quantified += bool(values) and all(taxonomy.parse_value(v) is not None for v in values)
    return quantified, total


# Cross-form findings shown beside the errors, before the other warnings.
CROSS_CODES = ("J410", "J412", "J723")
LOST_SHOWN = 3  # the indicators that lost most points, per poor self-evaluation


def desk_score(item, name: str, card) -> DeskScore:
    """A scored document on the desk: what its form's rules make of it (`card`, its core.form.Scorecard),
    with the lines to link to."""
    return DeskScore(
        item.display, name, item.form.title, format_score(card.total), card.grade, format_rate(card.execution_rate),
        [(loss.name, format_score(loss.score), format_score(loss.points), format_score(loss.lost), item.where(loss.path)[0])
         for loss in card.losses[:LOST_SHOWN]],
        item.where(card.total_path)[0],
        card.total if card.total is not None else Decimal(0),
    )


def _fold(placed: list[Placed], problems: list[Problem]) -> tuple[list[Problem], dict[str, list[Note]]]:
    """(the findings left, notes by erroneous file): a dependent file's cross-form findings about a
    file with an error are folded into one note under that file's error."""
    from generator.site.dependents import erroneous

    first = erroneous(problems)
    by_location = {p.location: p for p in placed}
    leaning: dict[str, list[Placed]] = defaultdict(list)
    for here in placed:
        other = by_location.get(here.leans_on) if here.leans_on else None
        if other is not None and other.item.display in first:
            leaning[other.item.display].append(here)
    folded = {(here.item.display, code) for files in leaning.values() for here in files for code in here.form.leaning_codes}
    # J410 is said on the department form itself, about its projects: folded too when a project errs.
    kept = [p for p in problems if (p.file, p.code) not in folded]
    notes: dict[str, list[Note]] = {}
    for file, dependents in leaning.items():
        form = next(p.form for p in placed if p.item.display == file)
        for word in dict.fromkeys(d.form.counted_as for d in dependents):
            mine = sorted(d.item.display for d in dependents if d.form.counted_as == word)
            text = catalogue.code("J414").text(what=form.short_title, count=len(mine), others=word)
            notes.setdefault(file, []).append(Note(file, text, mine))
    return kept, notes


def _owed(roster: Roster | None, entry, year: int, latest: int) -> list[str]:
    closed = roster.closed_through if roster is not None and roster.closed_through is not None else latest - 1
    return entry.owed(year, closed)


def review(documents: list, problems: list[Problem], roster: Roster | None, years: list[int] | None = None,
           withheld: list | None = None) -> list[YearReview]:
    placed = [p for p in map(place, documents) if p is not None]
    problems, notes = _fold(placed, problems)
    # The department forms' last changes: one git call for all of them.
    changes = histories([f.item.path for f in placed if f.form.heads_department])
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_file[problem.file].append(problem)
    present = {f.year for f in placed}
    latest = max(present) if present else max(years or [0])
    all_years = sorted(present | set(years or []), reverse=True)
    withheld_files = {w.file for w in withheld or []}
    result = []
    for year in (sorted(years, reverse=True) if years else all_years):
        in_year = [f for f in placed if f.year == year]
        departments: dict[str, DepartmentRow] = {}
        owed: dict[str, list[str]] = {}
        if roster is not None:
            for entry in roster.departments:
                if entry.active(year):
                    departments[entry.id] = DepartmentRow(entry.id, entry.name, entry.level or "", [])
                    owed[entry.id] = _owed(roster, entry, year, latest)
        for f in in_year:
            if f.dept_id not in departments:
                departments[f.dept_id] = DepartmentRow(f.dept_id, f.dept_name, "（不在名册中）" if roster else "", [])
                owed[f.dept_id] = []
        scorecards: list[tuple[DepartmentRow, DeskScore]] = []
        computed: dict = {}  # each scored document's core.form.Scorecard, by file: the rules run once
        for dept_id, row in departments.items():
            mine = [f for f in in_year if f.dept_id == dept_id]
            kinds = list(dict.fromkeys([*owed[dept_id], *(f.kind for f in mine)]))
            for kind in sorted(kinds, key=list(registry.forms()).index):
                items = [f for f in mine if f.kind == kind]
                found = [p for f in items for p in by_file.get(f.item.display, [])]
                errors = sum(p.is_error for p in found)
                status = FormStatus(
                    registry.form(kind), registry.form(kind).title, "缺报" if not items else _status(errors, len(found) - errors),
                    [f.item.display for f in items], errors, len(found) - errors,
                    [f"site/{f.item.location}/index.html" for f in items if f.valid and f.item.display not in withheld_files],
                )
                row.forms.append(status)
                row.findings += found
            row.projects = sum(_is_project(f.form) for f in mine)
            department_file = next((f.item for f in mine if f.form.heads_department), None)
            history = changes.get(os.path.abspath(department_file.path), []) if department_file else []
            row.last_change = history[0].date if history else ""
            if department_file is not None and department_file.declaration is not None:
                row.spending = department_file.form.figures(department_file.declaration).get("spending")
            for f in sorted(mine, key=lambda f: f.item.display):
                if _is_project(f.form):
                    if f.valid:
                        row.project_funds += f.form.figures(f.item.declaration).get("project_funds", Decimal(0))
                    public = f.valid and f.item.display not in withheld_files
                    name = f.item.form.name(f.item.declaration) if f.valid else Path(f.item.display).stem
                    row.project_links.append(
                        (name, f"../site/{f.location}/index.html" if public else source_href(f.item.display), f.item.display)
                    )
                elif f.valid and f.form.scored:
                    computed[f.item.display] = f.form.scorecard(f.item.declaration)
                    card = desk_score(f.item, f.item.form.name(f.item.declaration), computed[f.item.display])
                    if not card.grade:
                        continue
                    scorecards.append((row, card))
                    if f.form.scope == "department":
                        row.score = card
                    else:
                        row.project_grades[card.grade] = row.project_grades.get(card.grade, 0) + 1
        rows = sorted(departments.values(), key=lambda r: (r.name, r.id))
        order = list(dict.fromkeys(grade for form in registry.forms().values() for grade in form.grades))
        for row in rows:  # 优 良 中 差, any other grade after them
            row.project_grades = dict(sorted(row.project_grades.items(), key=lambda g: (order.index(g[0]) if g[0] in order else len(order), g[0])))
        targets = [f.item for f in in_year if f.valid and f.form.is_target]
        figures: Counter = Counter()
        for f in in_year:
            if f.valid:
                figures.update(f.form.figures(f.item.declaration))
        quantified, outputs = _quantified_share(targets)
        findings = [p for row in rows for p in row.findings]
        codes = Counter(p.code for p in findings)
        totals = {
            "departments": len(rows),
            "filed": sum(1 for row in rows if not row.missing),
            "missing": sum(1 for row in rows if row.missing),
            "with_errors": sum(1 for row in rows if any(f.status == "有错误" for f in row.forms)),
            "spending": format_total(figures.get("spending", Decimal(0))),
            "project_funds": format_total(figures.get("project_funds", Decimal(0))),
            "indicators": sum(sum(1 for _ in indicator_rows(getattr(d.declaration, "indicators", []))) for d in targets),
            "quantified_outputs": f"{quantified}/{outputs}",
            "quantified_share": f"{(Decimal(quantified) * 100 / outputs).quantize(Decimal('0.1'))}%" if outputs else "—",
            "missing_dimension": sorted({row.name for row in rows for p in row.findings if p.code in ("J310", "J311")}),
        }
        by_code = [(code, catalogue.code(code).title, count) for code, count in sorted(codes.items())]
        by_aspect = {name: 0 for name in (OTHER_ASPECT, *ASPECTS)}
        for problem in findings:
            by_aspect[aspect(problem.code)] += 1
        by_aspect["全面性"] += sum(len(row.missing) for row in rows)  # a missing form is the plainest gap
        review_year = YearReview(year, rows, totals, by_code, by_aspect)
        review_year.triage = _triage(rows, in_year, notes, scorecards)
        review_year.grades = _grades(in_year, scorecards, computed)
        review_year.withheld = [w for w in withheld or [] if w.year == year]
        result.append(review_year)
    return result


def _triage(rows: list[DepartmentRow], in_year: list[Placed], notes: dict[str, list[Note]], scorecards) -> Triage:
    """What needs a person, in the order a reviewer works: errors, 缺报, cross-form, poor scores, warnings."""
    errors = []
    for row in rows:
        mine = [p for p in row.findings if p.is_error]
        if mine:
            files = dict.fromkeys(p.file for p in mine)
            errors.append(DepartmentErrors(row, mine, [n for f in files for n in notes.get(f, [])]))
    missing = []
    for kind, form in registry.forms().items():
        owing = [row for row in rows if any(f.kind == kind and f.status == "缺报" for f in row.forms)]
        if owing:
            missing.append((form.title, owing))
    by_display = {f.item.display: f for f in in_year}
    cross = []
    for row in rows:
        for p in row.findings:
            if p.code in CROSS_CODES and not p.is_error:
                cross.append(CrossForm(row, p, _figures(p, by_display, in_year)))
    grades_shown = _poor_grades()
    poor = sorted(((row, card) for row, card in scorecards if card.grade in grades_shown), key=lambda rc: (rc[1].value, rc[1].file))
    warned: dict[str, list] = defaultdict(list)
    for row in rows:
        for p in row.findings:
            if not p.is_error and p.code not in CROSS_CODES:
                warned[p.code].append((row, p))
    warnings = [(code, catalogue.code(code).title, warned[code]) for code in sorted(warned)]
    poor_rows = {id(row) for row, _card in poor}
    clear = sum(1 for row in rows if row.status == "合格" and id(row) not in poor_rows)
    return Triage(errors, missing, cross, poor, warnings, clear)


def _poor_grades() -> set[str]:
    """Each scored form's two lowest grades (中 and 差 under the default rules)."""
    return {grade for form in registry.forms().values() for grade in form.grades[-2:]}


def _is_project(form) -> bool:
    """A project's target form: what the 项目数 and 项目资金 columns count."""
    return form.scope == "project" and form.is_target


def _figures(problem: Problem, by_display: dict, in_year: list[Placed]) -> list[tuple[str, str]]:
    """J410's two totals and the gap, computed again from the forms (the message says them too)."""
    if problem.code != "J410":
        return []
    department = by_display.get(problem.file)
    if department is None or not department.valid:
        return []
    projects = [f for f in in_year if _is_project(f.form) and f.valid and f.dept_id == department.dept_id]
    total = sum((f.form.figures(f.item.declaration).get("project_funds", Decimal(0)) for f in projects), Decimal(0))
    spending = department.form.figures(department.item.declaration).get("project_spending", Decimal(0))
    return [
        (f"{len(projects)} 个项目年度资金合计", format_total(total)),
        ("部门整体申报的项目支出", format_total(spending)),
        ("超出", format_total(total - spending)),
    ]


def _grades(in_year: list[Placed], scorecards, computed: dict) -> list[tuple[str, dict[str, int], str]]:
    """Per self-evaluation form: how many got each grade, and the execution rate of all of them together
    (`computed`: each scored document's core.form.Scorecard, by file)."""
    found = []
    for kind, form in registry.forms().items():
        if not form.scored:
            continue
        cards = [card for _row, card in scorecards if card.title == form.title]
        mine = [computed[f.item.display] for f in in_year if f.kind == kind and f.item.display in computed]
        if not mine:
            continue
        counts = {name: 0 for name in form.grades}
        for card in cards:
            counts[card.grade] = counts.get(card.grade, 0) + 1
        budget = sum((card.budget for card in mine), Decimal(0))
        executed = sum((card.executed for card in mine), Decimal(0))
        found.append((form.title, counts, format_rate(executed / budget) if budget else "—"))
    return found


def load_roster_of(paths: list[str | Path]) -> tuple[Roster | None, list[Problem]]:
    for raw in paths:
        candidate = Path(raw) / "departments.yaml" if Path(raw).is_dir() else Path(raw)
        if candidate.is_file() and is_roster(candidate, paths):
            return load_roster(candidate)
    return None, []


def _finding(p: Problem) -> dict:
    return {"file": p.file, "line": p.line, "column": p.column, "code": p.code, "severity": p.severity.value,
            "field": p.field, "message": p.message}


def _card(card: DeskScore | None) -> dict | None:
    if card is None:
        return None
    return {"file": card.file, "name": card.name, "form": card.title, "total": card.total, "grade": card.grade,
            "rate": card.rate, "lost": [{"indicator": n, "score": s, "points": pts, "lost": lost, "line": line}
                                        for n, s, pts, lost, line in card.lost]}


def as_json(reviews: list[YearReview]) -> dict:
    """The desk as data: `jixiao review --format json` (fields documented in README)."""
    return {
        "version": 1,
        "years": [
            {
                "year": r.year,
                "totals": r.totals,
                "by_aspect": r.by_aspect,
                "by_code": [{"code": c, "title": t, "count": n} for c, t, n in r.by_code],
                "grades": [{"form": title, "grades": counts, "rate": rate} for title, counts, rate in r.grades],
                "triage": {
                    "errors": [
                        {"department": e.row.id, "findings": [_finding(p) for p in e.errors],
                         "notes": [{"file": n.file, "text": n.text, "files": n.files} for n in e.notes]}
                        for e in r.triage.errors
                    ],
                    "missing": [{"form": title, "departments": [row.id for row in rows]} for title, rows in r.triage.missing],
                    "cross": [{"department": c.row.id, "finding": _finding(c.problem), "figures": dict(c.figures)} for c in r.triage.cross],
                    "poor": [{"department": row.id, **_card(card)} for row, card in r.triage.poor],
                    "warnings": [{"code": code, "title": title, "findings": [_finding(p) for _row, p in found]}
                                 for code, title, found in r.triage.warnings],
                    "clear": r.triage.clear,
                },
                "withheld": [{"file": w.file, "reason": w.reason, "because_of": w.because_of} for w in r.withheld],
                "departments": [
                    {
                        "id": row.id, "name": row.name, "level": row.level, "projects": row.projects,
                        "last_change": row.last_change, "missing": row.missing, "status": row.status,
                        "spending": format_total(row.spending) if row.spending is not None else None,
                        "project_funds": format_total(row.project_funds),
                        "self_evaluation": _card(row.score), "project_grades": row.project_grades,
                        "forms": [
                            {"form": f.kind, "title": f.title, "status": f.status, "files": f.files,
                             "errors": f.errors, "warnings": f.warnings}
                            for f in row.forms
                        ],
                        "findings": [_finding(p) for p in row.findings],
                    }
                    for row in r.departments
                ],
            }
            for r in reviews
        ],
    }


def as_text(reviews: list[YearReview]) -> list[str]:
    """What needs a person first, then each department that is not 合格."""
    lines = []
    for r in reviews:
        t, triage = r.totals, r.triage
        lines.append(f"{r.year} 年度：{t['departments']} 个部门，{t['filed']} 个报齐，{t['missing']} 个缺报，{t['with_errors']} 个有错误")
        lines.append(f"  部门预算支出合计 {t['spending']} 万元；项目年度资金合计 {t['project_funds']} 万元；绩效指标 {t['indicators']} 项；"
                     f"产出指标量化 {t['quantified_outputs']}（{t['quantified_share']}）")
        lines.append("  " + "、".join(f"{name} {count} 处" for name, count in r.by_aspect.items()))
        for title, counts, rate in r.grades:
            lines.append(f"  {title}：" + "、".join(f"{g} {n} 份" for g, n in counts.items()) + f"；总执行率 {rate}")
        for e in triage.errors:
            lines.append(f"  错误 {e.row.name}（{e.row.id}）")
            lines += [f"    {p.format()}" for p in e.errors]
            lines += [f"    {n.file}: 警告 J414: {n.text}" for n in e.notes]
        for title, rows in triage.missing:
            lines.append(f"  缺报 {title}：" + "、".join(f"{row.name}（{row.id}）" for row in rows))
        for c in triage.cross:
            figures = "；".join(f"{k} {v}" for k, v in c.figures)
            lines.append(f"  表间 {c.row.name}：{c.problem.format()}" + (f"（{figures}）" if figures else ""))
        for row, card in triage.poor:
            lost = "、".join(f"{n} 失 {lost} 分" for n, _s, _p, lost, _l in card.lost)
            lines.append(f"  自评{card.grade} {card.name}（{row.name}）：总分 {card.total}，执行率 {card.rate}" + (f"；{lost}" if lost else "") + f" {card.file}")
        for code, title, found in triage.warnings:
            lines.append(f"  警告 {code} {title}：{len(found)} 处")
            lines += [f"    {p.format()}" for _row, p in found]
        for w in r.withheld:
            lines.append(f"  暂未公开 {w.line()}")
        for row in r.departments:
            if row.status == "合格":
                continue
            states = "；".join(f"{f.title} {f.status}" for f in row.forms) or "（无应报的表）"
            lines.append(f"  {row.name}（{row.id}）：{states}")
        lines.append(f"  {triage.clear} 个部门没有需要处理的问题")
    return lines


def read_withheld(folder: Path) -> list:
    """What the last `build --skip-invalid` withheld (<output>/withheld.json), for the desk."""
    import json

    from generator.site.dependents import Withheld

    path = folder / "withheld.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Withheld(w["file"], int(w["year"]), w["reason"], w.get("because_of", "")) for w in data["withheld"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _sources(reviews: list[YearReview]) -> dict[str, dict[int, list[str]]]:
    """Every file the desk links to → its lines with what is said about them."""
    shown: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in reviews:
        for row in r.departments:
            for p in row.findings:
                shown[p.file][p.line].append(f"{p.severity.label} {p.code} {p.field or '（文件）'}：{p.message}")
        for e in r.triage.errors:
            for n in e.notes:
                first = next(p for p in e.errors if p.file == n.file)
                shown[n.file][first.line].append(n.text)
        for row, card in r.triage.poor:
            shown[card.file][card.line].append(f"总分 {card.total}（{card.grade}），执行率 {card.rate}")
            for name, score, points, lost, line in card.lost:
                shown[card.file][line].append(f"「{name}」得 {score} / {points} 分，失 {lost} 分")
        for w in r.withheld:
            shown[w.file]  # noqa: B018 — linked even with nothing said on a line
        for row in r.departments:
            unpublished = [f.files[0] for f in row.forms if f.files and not f.links]  # linked to their source
            for file in unpublished:
                shown[file]  # noqa: B018
            if row.score is not None and row.score.file in unpublished:
                shown[row.score.file][row.score.line].append(f"总分 {row.score.total}（{row.score.grade}），执行率 {row.score.rate}")
            for _name, href, file in row.project_links:
                if href.startswith("source/"):
                    shown[file]  # noqa: B018
    return shown


def write_page(reviews: list[YearReview], out: Path, documents: list | None = None) -> Path:
    """output/review/index.html and a source view per linked file: the desk beside, never inside,
    the public site."""
    from generator import __version__
    from generator.core.files import write_atomically
    from generator.render.templates import environment

    env = environment()
    env.filters["source_href"] = source_href
    env.filters["format_total"] = format_total
    texts = {item.display: item.text for item in documents or []}
    shown = _sources(reviews)
    shutil.rmtree(out / "source", ignore_errors=True)  # views of files no longer linked
    for file, notes in sorted(shown.items()):
        text = texts.get(file)
        if text is None:
            try:
                text = Path(file).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
        target = out / source_href(file)
        depth = source_href(file).count("/")
        html = env.get_template("review/source.html").render(
            file=file, lines=text.splitlines() or [""], notes=notes, root="../" * depth, version=__version__,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, html.encode("utf-8"))
    from generator.site.desk_listing import code_link, department_listing, status_link
    from generator.render.templates import TEMPLATES

    for name in ("listing.js", "listing.css"):  # the listing shared with the public site
        write_atomically(out / "static" / name, (TEMPLATES / "static" / name).read_bytes())
    target = out / "index.html"
    html = env.get_template("review/index.html").render(
        reviews=reviews, years=[r.year for r in reviews], version=__version__,
        tables={r.year: department_listing(r, source_href) for r in reviews}, status_link=status_link, code_link=code_link,
    )
    write_atomically(target, html.encode("utf-8"))
    return target
