"""The figures the site's overview pages show: each department's year (支出, 项目数 and 项目资金, 指标数,
self-evaluation 总分/等级/执行率), its projects with their self-evaluations, a year's totals. Worked
out once from the site's entries; the listing pages only lay them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from generator.core.fields import format_rate, format_score, format_total


def amount_text(value: Decimal | None) -> str:
    return "—" if value is None else format_total(value)


@dataclass
class Score:
    """A self-evaluation's result as the listings show it."""

    entry: object  # site.Entry of the self-evaluation
    total: Decimal | None
    grade: str
    rate: Decimal | None

    @property
    def total_text(self) -> str:
        return format_score(self.total) or "—"

    @property
    def rate_text(self) -> str:
        return format_rate(self.rate) or "—"

    @property
    def weak(self) -> bool:
        """A grade a reader must see marked (not by colour alone): the form's two lowest (中, 差)."""
        return self.grade in self.entry.form.grades[-2:]


def score_of(entry) -> Score:
    """As the document states it, else as its form's rules give it."""
    card = entry.form.scorecard(entry.d)
    total = card.filed_total if card.filed_total is not None else card.total
    return Score(entry, total, card.filed_grade or card.grade or "", card.execution_rate)


def indicator_count(entry) -> int | None:
    """Its 三级 indicators; None for a form without indicators (a plug-in's)."""
    from generator.forms.indicators import indicator_rows

    indicators = getattr(entry.d, "indicators", None)
    return None if indicators is None else sum(1 for _ in indicator_rows(indicators))


@dataclass
class Project:
    """One project of a department's year: its target form and, at year end, its self-evaluation."""

    key: str  # its id: the last part of its folder
    target: object | None = None  # site.Entry
    score: Score | None = None

    @property
    def entry(self):
        return self.target or self.score.entry

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def funds(self) -> Decimal | None:
        if self.target is None or self.target.form.headline is None:
            return None
        return self.target.form.headline(self.target.d)[1]

    @property
    def code(self) -> str | None:
        project = getattr(self.entry.d, "project", None)
        code = getattr(project, "code", None)
        return str(code) if code else None


@dataclass
class DepartmentYear:
    """A department's forms of one year and their key figures."""

    year: int
    department: object  # fields.Department
    target: object | None = None  # the department's own target form (site.Entry)
    score: Score | None = None  # its self-evaluation
    projects: list[Project] = field(default_factory=list)
    others: list = field(default_factory=list)  # forms that are neither (a plug-in's): site.Entry

    @property
    def spending(self) -> Decimal | None:
        if self.target is None or self.target.form.headline is None:
            return None
        return self.target.form.headline(self.target.d)[1]

    @property
    def project_funds(self) -> Decimal:
        return sum((p.funds for p in self.projects if p.funds is not None), Decimal(0))

    @property
    def project_count(self) -> int:
        return sum(1 for p in self.projects if p.target is not None)

    @property
    def indicators(self) -> int | None:
        return indicator_count(self.target) if self.target is not None else None

    @property
    def project_scores(self) -> list[Score]:
        return [p.score for p in self.projects if p.score is not None]

    @property
    def weak_projects(self) -> int:
        return sum(1 for s in self.project_scores if s.weak)

    @property
    def entries(self) -> list:
        found = [e for e in (self.target, self.score and self.score.entry) if e is not None] + self.others
        for project in self.projects:
            found += [e for e in (project.target, project.score and project.score.entry) if e is not None]
        return found


@dataclass
class YearTotals:
    year: int
    departments: int
    projects: int
    spending: Decimal
    project_funds: Decimal
    evaluations: int
    weak: int
    documents: int


def department_years(entries: list) -> dict[tuple[int, str], DepartmentYear]:
    """(year, department id) → its DepartmentYear, from every entry of the site."""
    found: dict[tuple[int, str], DepartmentYear] = {}
    projects: dict[tuple[int, str, str], Project] = {}
    for entry in entries:
        key = (entry.year, entry.department.id)
        row = found.setdefault(key, DepartmentYear(entry.year, entry.department))
        evaluated = entry.evaluated
        if entry.is_department_form:
            row.target = entry
        elif evaluated is not None and evaluated == f"{entry.year}/{entry.department.id}":
            row.score = score_of(entry)
        elif evaluated is None and entry.form.headline is None:
            row.others.append(entry)  # no amount to list beside the projects
        else:
            folder = evaluated or entry.folder
            project_key = folder.rsplit("/", 1)[-1]
            project = projects.get((*key, folder))
            if project is None:
                project = projects[(*key, folder)] = Project(project_key)
                row.projects.append(project)
            if evaluated is None:
                project.target = entry
            else:
                project.score = score_of(entry)
    for row in found.values():
        row.projects.sort(key=lambda p: (p.name, p.key))
    return found


def year_totals(year: int, rows: list[DepartmentYear]) -> YearTotals:
    return YearTotals(
        year=year,
        departments=len(rows),
        projects=sum(r.project_count for r in rows),
        spending=sum((r.spending for r in rows if r.spending is not None), Decimal(0)),
        project_funds=sum((r.project_funds for r in rows), Decimal(0)),
        evaluations=sum(len(r.project_scores) + (r.score is not None) for r in rows),
        weak=sum(r.weak_projects + bool(r.score and r.score.weak) for r in rows),
        documents=sum(len(r.entries) for r in rows),
    )
