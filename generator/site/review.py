"""The bureau's desk: the state of a year at a glance — which departments have filed which forms,
which filings fail review, the year's totals, the findings grouped by department and by code."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from generator.core import catalogue, registry
from generator.forms import taxonomy
from generator.core.fields import format_total
from generator.core.history import histories
from generator.forms.indicators import indicator_rows
from generator.core.problems import Problem
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
    kind: str
    title: str
    status: str  # 合格 / 有警告 / 有错误 / 缺报
    files: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    links: list[str] = field(default_factory=list)  # site pages, relative to output/


@dataclass
class DepartmentRow:
    id: str
    name: str
    level: str
    forms: list[FormStatus]
    projects: int = 0
    last_change: str = ""
    findings: list[Problem] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [f.title for f in self.forms if f.status == "缺报"]


@dataclass
class YearReview:
    year: int
    departments: list[DepartmentRow]
    totals: dict
    by_code: list[tuple[str, str, int]]  # code, title, count
    by_aspect: dict[str, int]


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


@dataclass(frozen=True)
class Filed:
    """A file on the desk: whose it is and which form, read from the model, or for a file too broken
    to load, from what it says and where it lies (a broken form has been filed, with errors)."""

    item: object
    year: int
    dept_id: str
    dept_name: str
    form: object  # core.form.Form

    @property
    def kind(self) -> str:
        return self.form.kind

    @property
    def valid(self) -> bool:
        return self.item.declaration is not None


def _filed(item) -> Filed | None:
    if item.declaration is not None:
        return Filed(item, item.year, item.department.id, item.department.name, item.form)
    data = item.data if isinstance(item.data, dict) else {}
    department = data.get("department") if isinstance(data.get("department"), dict) else {}
    named = data.get("form")
    # What it says it is, else where it lies: <年>/<部门>.yaml, <年>/<部门>/projects/<项目>.yaml …
    form = registry.forms()[named] if isinstance(named, str) and named in registry.forms() else registry.form_at(item.path)
    parts = item.path.with_suffix("").parts
    depth = form.path.count("/") + 1
    owner = parts[-depth:] if len(parts) >= depth else ()
    year = str(data.get("year") or (owner[0] if owner else ""))
    dept_id = str(department.get("id") or (owner[1] if len(owner) > 1 else parts[-1] if parts else ""))
    if not year.isdigit() or not dept_id:
        return None
    return Filed(item, int(year), dept_id, str(department.get("name") or dept_id), form)


def review(documents: list, problems: list[Problem], roster: Roster | None, years: list[int] | None = None) -> list[YearReview]:
    filed = [f for f in map(_filed, documents) if f is not None]
    # The department forms' last changes: one git call for all of them.
    changes = histories([f.item.path for f in filed if f.form.heads_department])
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_file[problem.file].append(problem)
    all_years = sorted({f.year for f in filed} | set(years or []), reverse=True)
    result = []
    for year in (sorted(years, reverse=True) if years else all_years):
        in_year = [f for f in filed if f.year == year]
        departments: dict[str, DepartmentRow] = {}
        owed: dict[str, list[str]] = {}
        if roster is not None:
            for entry in roster.departments:
                if entry.active(year):
                    departments[entry.id] = DepartmentRow(entry.id, entry.name, entry.level or "", [])
                    owed[entry.id] = list(entry.owes)
        for f in in_year:
            if f.dept_id not in departments:
                departments[f.dept_id] = DepartmentRow(f.dept_id, f.dept_name, "（不在名册中）" if roster else "", [])
                owed[f.dept_id] = []
        for dept_id, row in departments.items():
            mine = [f for f in in_year if f.dept_id == dept_id]
            kinds = list(dict.fromkeys([*owed[dept_id], *(f.kind for f in mine)]))
            for kind in sorted(kinds, key=list(registry.forms()).index):
                items = [f for f in mine if f.kind == kind]
                found = [p for f in items for p in by_file.get(f.item.display, [])]
                errors = sum(p.is_error for p in found)
                status = FormStatus(
                    kind, registry.forms()[kind].title, "缺报" if not items else _status(errors, len(found) - errors),
                    [f.item.display for f in items], errors, len(found) - errors,
                    [f"site/{f.item.location}/index.html" for f in items if f.valid],
                )
                row.forms.append(status)
                row.findings += found
            row.projects = sum(f.form.scope == "project" and f.form.is_target for f in mine)
            department_file = next((f.item for f in mine if f.form.heads_department), None)
            history = changes.get(os.path.abspath(department_file.path), []) if department_file else []
            row.last_change = history[0].date if history else ""
        rows = sorted(departments.values(), key=lambda r: (r.name, r.id))
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
        result.append(YearReview(year, rows, totals, by_code, by_aspect))
    return result


def load_roster_of(paths: list[str | Path]) -> tuple[Roster | None, list[Problem]]:
    for raw in paths:
        candidate = Path(raw) / "departments.yaml" if Path(raw).is_dir() else Path(raw)
        if candidate.is_file() and is_roster(candidate, paths):
            return load_roster(candidate)
    return None, []


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
                "departments": [
                    {
                        "id": row.id, "name": row.name, "level": row.level, "projects": row.projects,
                        "last_change": row.last_change, "missing": row.missing,
                        "forms": [
                            {"form": f.kind, "title": f.title, "status": f.status, "files": f.files,
                             "errors": f.errors, "warnings": f.warnings}
                            for f in row.forms
                        ],
                        "findings": [
                            {"file": p.file, "line": p.line, "column": p.column, "code": p.code,
                             "severity": p.severity.value, "field": p.field, "message": p.message}
                            for p in row.findings
                        ],
                    }
                    for row in r.departments
                ],
            }
            for r in reviews
        ],
    }


def as_text(reviews: list[YearReview]) -> list[str]:
    lines = []
    for r in reviews:
        t = r.totals
        lines.append(f"{r.year} 年度：{t['departments']} 个部门，{t['filed']} 个报齐，{t['missing']} 个缺报，{t['with_errors']} 个有错误")
        lines.append(f"  部门预算支出合计 {t['spending']} 万元；项目年度资金合计 {t['project_funds']} 万元；绩效指标 {t['indicators']} 项；"
                     f"产出指标量化 {t['quantified_outputs']}（{t['quantified_share']}）")
        lines.append("  " + "、".join(f"{name} {count} 处" for name, count in r.by_aspect.items()))
        for row in r.departments:
            states = "；".join(f"{f.title} {f.status}" for f in row.forms) or "（无应报的表）"
            lines.append(f"  {row.name}（{row.id}）：{states}")
            for problem in row.findings:
                lines.append(f"    {problem.format()}")
    return lines


def write_page(reviews: list[YearReview], out: Path) -> Path:
    """output/review/index.html: the desk as a page beside, never inside, the public site."""
    import os

    from generator import __version__
    from generator.core.files import write_atomically
    from generator.render.templates import environment

    files = {p.file for r in reviews for row in r.departments for p in row.findings}
    target = out / "index.html"
    links = {name: os.path.relpath(Path(name).resolve(), out.resolve()).replace(os.sep, "/") for name in files}
    html = environment().get_template("review/index.html").render(
        reviews=reviews, years=[r.year for r in reviews], version=__version__, file_links=links
    )
    write_atomically(target, html.encode("utf-8"))
    return target
