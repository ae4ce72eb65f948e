"""The listing tables of the overview pages (home, year, department across years, a department's
projects) as plain data: columns and cells with their text, link, sort key and mark. The templates
lay them out through one macro; Python decides what each cell says."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from generator.site.figures import DepartmentYear, Score, YearTotals, amount_text

# Rows of a paged listing per static page: a page stays far below the size limit at any scale.
PAGE_SIZE = 100


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    filter: bool = False  # offered as a choice (department, form, grade) besides the text filter


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None  # relative to the site's root
    sort: str | None = None  # numeric sort key where the text is not one (amounts with commas, —)
    mark: str | None = None  # a visible sign beside the text: ▲中 / ▼差, 缺
    note: str | None = None  # visually hidden words read after the text


@dataclass
class Listing:
    key: str  # unique on its page: the listing's id
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    row_marks: list[bool] = field(default_factory=list)  # rows to show as problems
    sortable: bool = True  # a table of figures by year is read across, not sorted
    # A listing cut into static pages (pages_of): every page's file name in order, this one's number
    # (1-based), and the whole listing, whose values the filters offer; listing.js takes the other
    # pages' rows in when a reader filters or sorts, so that none is left out.
    pages: list[str] = field(default_factory=list)
    number: int = 1
    whole: "Listing | None" = None


FLAG = "需关注"  # the text a problem row starts with (a sign and words, not colour alone)


def as_shared(listing: Listing, root: str) -> dict:
    """The listing as the shared component (templates/_listing.html, generator/listing.py) takes it:
    links made relative to the page (`root`), numbers sorted as numbers and names by pinyin, a
    filter for each column marked `filter`, weak grades as badges and problem rows flagged."""
    from generator.site import listing as shared

    columns = [
        shared.Column(c.key, c.label, numeric=c.numeric, sortable=listing.sortable, row_header=index == 0)
        for index, c in enumerate(listing.columns)
    ]
    rows = []
    for cells, marked in zip(listing.rows, listing.row_marks):
        mapping, facets = {}, {}
        for column, cell in zip(listing.columns, cells):
            sort = shared.number_key(cell.sort) if column.numeric else shared.text_key(cell.text)
            weak = cell.mark is not None
            mapping[column.key] = shared.Cell(
                text=cell.text, sort=sort, href=f"{root}{cell.href}" if cell.href else None,
                badge=(cell.text if not column.numeric else "需关注") if weak else None, tone="bad" if weak else None,
            )
            if column.filter:
                facets[column.key] = cell.text
        rows.append(shared.Row(mapping, facets, FLAG if marked else None))
    offered = rows
    if listing.whole is not None:  # a page of a longer listing: the filters offer every page's values
        filtered = [(index, c.key) for index, c in enumerate(listing.columns) if c.filter]
        offered = [shared.Row({}, {key: cells[index].text for index, key in filtered}) for cells in listing.whole.rows]
    facets = [shared.Facet(c.key, c.label, shared.options_from(offered, c.key)) for c in listing.columns if c.filter]
    return {"columns": columns, "rows": rows, "facets": facets, "search": listing.sortable and len(offered) > 5}


def _number(value) -> str | None:
    return None if value is None else str(value)


def amount_cell(value: Decimal | None) -> Cell:
    return Cell(amount_text(value), sort=_number(value))


def exact_cell(value: Decimal | None) -> Cell:
    """One document's amount as its form prints it (421.910000 stays so); sums use amount_cell."""
    from generator.core.fields import format_amount

    return Cell("—" if value is None else format_amount(value), sort=_number(value))


def count_cell(value: int | None) -> Cell:
    return Cell("—" if value is None else str(value), sort=_number(value))


def grade_cell(score: Score | None) -> Cell:
    if score is None:
        return Cell("—")
    return Cell(score.grade or "—", mark="⚠" if score.weak else None, note="（需关注）" if score.weak else None)


def total_cell(score: Score | None) -> Cell:
    return Cell("—") if score is None else Cell(score.total_text, href=f"{score.entry.folder}/index.html", sort=_number(score.total))


def rate_cell(score: Score | None) -> Cell:
    return Cell("—") if score is None else Cell(score.rate_text, sort=_number(score.rate))


def years_listing(totals: list[YearTotals]) -> Listing:
    listing = Listing("years", "各年度合计", [
        Column("year", "年度"), Column("departments", "部门", True), Column("projects", "项目", True),
        Column("spending", "部门预算支出合计（万元）", True), Column("funds", "项目资金（万元）", True),
        Column("evaluations", "自评表", True), Column("weak", "自评为中、差", True),
    ])
    for t in totals:
        listing.rows.append([
            Cell(f"{t.year}年度", href=f"{t.year}/index.html", sort=str(t.year)), count_cell(t.departments),
            count_cell(t.projects), amount_cell(t.spending), amount_cell(t.project_funds), count_cell(t.evaluations),
            Cell(str(t.weak), sort=str(t.weak), mark="⚠" if t.weak else None),
        ])
        listing.row_marks.append(False)
    return listing


def departments_home(departments: list[tuple[object, dict[int, DepartmentYear]]]) -> Listing:
    """The home page's departments: one row each, its years, the latest year's 支出 and 项目数."""
    listing = Listing("departments", f"部门（{len(departments)} 个）", [
        Column("name", "部门"), Column("years", "年度"), Column("spending", "最近年度支出（万元）", True),
        Column("projects", "最近年度项目", True),
    ])
    for department, years in departments:
        latest = years[max(years)]
        listing.rows.append([
            Cell(department.name, href=f"{department.id}/index.html"),
            Cell("、".join(str(y) for y in sorted(years)), sort=str(max(years))),
            amount_cell(latest.spending), count_cell(latest.project_count),
        ])
        listing.row_marks.append(False)
    return listing


def departments_of_year(year: int, rows: list[DepartmentYear]) -> Listing:
    listing = Listing("departments", f"{year}年度各部门（{len(rows)} 个）", [
        Column("name", "部门"), Column("spending", "部门预算支出合计（万元）", True), Column("projects", "项目", True),
        Column("funds", "项目资金（万元）", True), Column("indicators", "指标", True), Column("total", "自评总分", True),
        Column("grade", "等级", filter=True), Column("rate", "执行率", True), Column("weak", "项目自评为中、差", True),
    ])
    for row in rows:
        page = row.target or (row.score and row.score.entry) or row.entries[0]
        listing.rows.append([
            Cell(row.department.name, href=f"{page.folder}/index.html"), amount_cell(row.spending),
            count_cell(row.project_count), amount_cell(row.project_funds if row.projects else None),
            count_cell(row.indicators), total_cell(row.score), grade_cell(row.score), rate_cell(row.score),
            Cell(str(row.weak_projects), sort=str(row.weak_projects), mark="⚠" if row.weak_projects else None),
        ])
        listing.row_marks.append(bool(row.weak_projects or (row.score and row.score.weak)))
    return listing


def projects_of_department(row: DepartmentYear) -> Listing:
    listing = Listing("projects", f"{row.department.name} {row.year}年度的项目（{len(row.projects)} 个）", [
        Column("name", "项目"), Column("funds", "年度资金（万元）", True), Column("indicators", "指标", True),
        Column("total", "自评总分", True), Column("grade", "等级", filter=True), Column("rate", "执行率", True),
    ])
    for project in row.projects:
        listing.rows.append([
            Cell(project.name, href=f"{project.entry.folder}/index.html"), exact_cell(project.funds),
            count_cell(len_indicators(project)), total_cell(project.score), grade_cell(project.score),
            rate_cell(project.score),
        ])
        listing.row_marks.append(bool(project.score and project.score.weak))
    return listing


def len_indicators(project) -> int | None:
    from generator.site.figures import indicator_count

    return indicator_count(project.target) if project.target is not None else None


def evaluations_of_year(year: int, rows: list[DepartmentYear]) -> Listing:
    """Every self-evaluation of a year, lowest score first: what a reviewer looks at first."""
    listing = Listing("evaluations", f"{year}年度自评结果", [
        Column("name", "名称"), Column("department", "部门", filter=True), Column("form", "表", filter=True),
        Column("total", "总分", True), Column("grade", "等级", filter=True), Column("rate", "执行率", True),
    ])
    scores = []
    for row in rows:
        scores += [(row, s) for s in ([row.score] if row.score else []) + row.project_scores]
    scores.sort(key=lambda rs: (rs[1].total if rs[1].total is not None else Decimal(-1), rs[1].entry.folder))
    for row, score in scores:
        listing.rows.append([
            Cell(score.entry.name, href=f"{score.entry.folder}/index.html"), Cell(row.department.name),
            Cell(score.entry.form.title), total_cell(score), grade_cell(score), rate_cell(score),
        ])
        listing.row_marks.append(score.weak)
    return listing


def pages_of(listing: Listing, size: int = PAGE_SIZE) -> list[Listing]:
    """A long listing cut into static pages of `size` rows (one page when it fits): index.html,
    2.html, 3.html … in one folder."""
    if len(listing.rows) <= size:
        return [listing]
    starts = range(0, len(listing.rows), size)
    names = ["index.html"] + [f"{number}.html" for number in range(2, len(starts) + 1)]
    return [
        Listing(
            listing.key, f"{listing.caption}（第 {start + 1}–{min(start + size, len(listing.rows))} 条，共 {len(listing.rows)} 条）",
            listing.columns, listing.rows[start:start + size], listing.row_marks[start:start + size],
            pages=names, number=number, whole=listing,
        )
        for number, start in enumerate(starts, start=1)
    ]



def across_years(years: dict[int, DepartmentYear]) -> Listing:
    """A department's key figures side by side, a column per year."""
    order = sorted(years)
    listing = Listing("figures", "各年度主要数字", [Column("figure", "项目")] + [Column(f"y{y}", f"{y}年度", True) for y in order], sortable=False)
    lines = [
        ("部门预算支出合计（万元）", lambda r: amount_cell(r.spending)),
        ("项目数", lambda r: count_cell(r.project_count)),
        ("项目资金（万元）", lambda r: amount_cell(r.project_funds if r.projects else None)),
        ("绩效指标数", lambda r: count_cell(r.indicators)),
        ("部门自评总分", lambda r: total_cell(r.score)),
        ("部门自评等级", lambda r: grade_cell(r.score)),
        ("预算执行率", lambda r: rate_cell(r.score)),
        ("项目自评为中、差", lambda r: count_cell(r.weak_projects if r.project_scores else None)),
    ]
    for label, cell in lines:
        listing.rows.append([Cell(label)] + [cell(years[y]) for y in order])
        listing.row_marks.append(False)
    return listing


def projects_across_years(years: dict[int, DepartmentYear]) -> Listing:
    """Each project of a department (by id) and its 年度资金 and grade in each year."""
    order = sorted(years)
    listing = Listing("projects", "各年度的项目", [Column("name", "项目")] + [Column(f"y{y}", f"{y}年度（万元）", True) for y in order])
    by_key: dict[str, dict[int, object]] = {}
    for year in order:
        for project in years[year].projects:
            by_key.setdefault(project.key, {})[year] = project
    for key, found in sorted(by_key.items(), key=lambda item: (item[1][max(item[1])].name, item[0])):
        latest = found[max(found)]
        cells = [Cell(latest.name)]
        for year in order:
            project = found.get(year)
            if project is None:
                cells.append(Cell("—"))
                continue
            grade = f"（自评 {project.score.grade}）" if project.score and project.score.grade else ""
            cells.append(Cell(exact_cell(project.funds).text + grade, href=f"{project.entry.folder}/index.html",
                              sort=_number(project.funds), mark="⚠" if project.score and project.score.weak else None))
        listing.rows.append(cells)
        listing.row_marks.append(any(p.score and p.score.weak for p in found.values()))
    return listing


def other_forms_of_year(year: int, rows: list[DepartmentYear]) -> list[Listing]:
    """A listing per other form (a plug-in's) of the year: name, department and the form's columns."""
    by_form: dict[str, list] = {}
    for row in rows:
        for entry in row.others:
            by_form.setdefault(entry.form.kind, []).append(entry)
    found = []
    for kind, entries in by_form.items():
        form = entries[0].form
        listing = Listing(f"form-{kind}", f"{year}年度{form.title}（{len(entries)} 份）", [
            Column("name", "名称"), Column("department", "部门", filter=True),
        ] + [Column(f"c{index}", column.heading, column.numeric) for index, column in enumerate(form.columns)])
        for entry in entries:
            listing.rows.append(
                [Cell(entry.name, href=f"{entry.folder}/index.html"), Cell(entry.department.name)]
                + [Cell(value, sort=value if column.numeric else None) for column, value in zip(form.columns, entry.cells)]
            )
            listing.row_marks.append(False)
        found.append(listing)
    return found
