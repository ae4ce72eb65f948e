"""The desk's department table as a shared listing (templates/_listing.html): sortable by name, 层级,
status, 项目数, 支出, 项目资金 and 总分, filtered by status, 层级, form and code, the state in the URL
(one listing per year, its parameters prefixed y2025-)."""

from __future__ import annotations

from dataclasses import replace

from generator.core import catalogue, registry
from generator.core.fields import format_total
from generator.site.listing import Column, Facet, Row, cell, number_cell, options_from

STATUSES = {"有错误": ("error", "bad"), "缺报": ("missing", "bad"), "有警告": ("warning", "warn"), "合格": ("ok", "good")}
COLUMNS = [
    Column("name", "部门", row_header=True),
    Column("level", "层级"),
    Column("status", "状态"),
    Column("forms", "各表", sortable=False),
    Column("projects", "项目数", numeric=True),
    Column("spending", "支出（万元）", numeric=True),
    Column("funds", "项目资金（万元）", numeric=True),
    Column("score", "自评总分", numeric=True),
    Column("grades", "项目自评", sortable=False),
    Column("changed", "最后修改"),
]


def prefix(year: int) -> str:
    return f"y{year}-"


def status_link(year: int, status: str) -> str:
    """The table of a year filtered to one status, e.g. the departments with nothing to do."""
    return f"?{prefix(year)}status={STATUSES[status][0]}#departments-{year}"


def code_link(year: int, code: str) -> str:
    return f"?{prefix(year)}code={code}#departments-{year}"


def _forms_cell(row, source_href):
    links = []
    for f in row.forms:
        if f.form.scope == "project" and f.form.is_target:
            continue  # the 项目数 cell lists the projects
        counts = f"（{f.errors} 错 {f.warnings} 警）" if f.errors or f.warnings else ""
        href = f"../{f.links[0]}" if f.links else source_href(f.files[0]) if f.files else None
        links.append((f"{f.title}：{f.status}{counts}", href))
    return replace(cell(""), links=links)


def _projects_cell(row):
    project = next((f for f in row.forms if f.form.scope == "project" and f.form.is_target), None)
    counts = f"，{project.status}" if project is not None and project.status != "合格" else ""
    base = number_cell(row.projects, f"{row.projects} 个{counts}", money=False)
    return replace(base, links=[(name, href) for name, href, _file in row.project_links]) if row.project_links else base


def _score_href(row, source_href) -> str | None:
    """The department's self-evaluation: its page on the site, or where it is not published, its source."""
    if row.score is None:
        return None
    form = next(f for f in row.forms if f.form.scored and f.form.scope == "department")
    return f"../{form.links[0]}" if form.links else source_href(row.score.file) + f"#L{row.score.line}"


def department_listing(r, source_href) -> dict:
    """columns, rows and facets of a year's department table."""
    rows = []
    for row in r.departments:
        status, tone = STATUSES[row.status]
        own = next((f for f in row.forms if f.form.heads_department and f.files), None)
        href = (f"../{own.links[0]}" if own.links else source_href(own.files[0])) if own else None
        score = row.score
        rows.append(Row(
            {
                "name": cell(row.name, href=href),
                "level": cell(row.level),
                "status": replace(cell(row.status), sort=str(list(STATUSES).index(row.status)), badge=row.status, tone=tone),
                "forms": _forms_cell(row, source_href),
                "projects": _projects_cell(row),
                "spending": number_cell(row.spending, format_total(row.spending) if row.spending is not None else ""),
                "funds": number_cell(row.project_funds, format_total(row.project_funds)) if row.projects else cell(""),
                "score": number_cell(score.total if score else None, f"{score.total}（{score.grade}）" if score else "", money=False,
                                     href=_score_href(row, source_href)),
                "grades": cell("、".join(f"{grade} {count}" for grade, count in row.project_grades.items())),
                "changed": cell(row.last_change),
            },
            facets={
                "status": status,
                "level": row.level,
                "form": [f.kind for f in row.forms if f.status != "合格"],
                "code": row.codes,
            },
        ))
    titles = {kind: form.title for kind, form in registry.forms().items()}
    facets = [
        Facet("status", "状态", [(value, name) for name, (value, _tone) in STATUSES.items()]),
        Facet("level", "层级", options_from(rows, "level")),
        Facet("form", "有问题的表", options_from(rows, "form", labels=titles, order=list(registry.forms()))),
        Facet("code", "问题代码", [(code, f"{code} {catalogue.code(code).title}") for code, _t, _n in r.by_code]),
    ]
    return {"columns": COLUMNS, "rows": rows, "facets": facets}
