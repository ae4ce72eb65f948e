"""The bureau's desk at bureau size (issue 17), on the generated corpus with planted problems
(tools/corpus.py: 48 departments filing and 2 that never do, 3 error files — one a department form
whose projects would cascade J412 — 3 J410 departments, 差 and 中 self-evaluations, J202 warnings):
triage first and in order, no cascades, scores, links to the line, CI gates, and publishing what
is valid with `build site --skip-invalid`."""

from __future__ import annotations

import json
import re

import pytest

from site_fixtures import jixiao, parse_html

POOR = ("中", "差")


@pytest.fixture(scope="module")
def desk(bureau_corpus_planted, tmp_path_factory):
    """(corpus, the desk folder, its page parsed, the JSON): `jixiao review` run once."""
    out = tmp_path_factory.mktemp("desk") / "review"
    page = jixiao("review", "--out", str(out), cwd=bureau_corpus_planted.root)
    assert page.returncode == 0, page.stderr
    data = jixiao("review", "--format", "json", cwd=bureau_corpus_planted.root)
    assert data.returncode == 0, data.stderr
    return bureau_corpus_planted, out, parse_html((out / "index.html").read_text(encoding="utf-8")), json.loads(data.stdout)


def _year(doc, year: int):
    return next(s for s in doc.iter("section") if s.get("aria-labelledby") == f"year-{year}")


def _triage(doc, year: int):
    return next(s for s in _year(doc, year).iter("div") if "triage" in s.classes)


def _parts(triage) -> list[tuple[str, object]]:
    """The triage's parts in page order: (class, section)."""
    return [(s.classes[0], s) for s in triage.iter("div") if s.parent is triage]


def _department_ids(section) -> list[str]:
    return [node.get("data-department") for node in section.iter() if node.get("data-department")]


def test_the_first_section_lists_exactly_the_planted_problems_in_order(desk):
    corpus, _out, doc, _data = desk
    planted = corpus.planted
    names = {d["id"]: d["name"] for d in corpus.manifest["departments"]}
    by_year = {}
    for year in corpus.manifest["years"]:
        section = _year(doc, year)
        first = next(s for s in section.iter("div"))
        assert "triage" in first.classes, "the year opens with what needs a person"
        by_year[year] = dict(_parts(first))
        order = [name for name, _ in _parts(first)]
        assert order == [name for name in ("errors", "missing", "cross", "poor", "warnings") if name in order]
    # Errors: the three planted files, each under its department, with file:line.
    shown_errors = []
    for year, parts in by_year.items():
        for li in parts["errors"].iter("li"):
            if "error" in li.classes:
                shown_errors.append(li.find("code").text().split(":")[0])
    assert sorted(shown_errors) == sorted(e["file"] for e in planted["error_files"])
    # 缺报: the two roster departments that never file, under each form they owe.
    for year, parts in by_year.items():
        missing = parts["missing"]
        assert sorted(set(_department_ids(missing))) == sorted(planted["missing_departments"])
        assert [li.text().split("（")[0] for li in missing.iter("li")] == ["部门整体预算绩效目标申报表", "项目支出绩效目标申报表"]
    # Cross-form: the three J410 departments, each with both totals and the gap.
    latest = max(corpus.manifest["years"])
    cross = by_year[latest]["cross"]
    assert sorted(_department_ids(cross)) == sorted(o["department"] for o in planted["over_budget"])
    for over in planted["over_budget"]:
        item = next(li for li in cross.iter("li") if li.get("data-department") == over["department"])
        figures = [dd.text() for dd in item.iter("dd")]
        gap = f"{float(over['projects']) - float(over['spending']):,.2f}"
        assert figures == [f"{float(over['projects']):,.2f} 万元", f"{float(over['spending']):,.2f} 万元", f"{gap} 万元"], names[over["department"]]
    assert all("cross" not in parts for year, parts in by_year.items() if year != latest)
    # Self-evaluations graded 中 or 差: every one the rules grade so, with 总分, 执行率 and lost points.
    closed = corpus.manifest["closed_years"]
    for year in closed:
        expected = sorted(e["file"] for e in corpus.manifest["self_evaluations"] if e["year"] == year and e["grade"] in POOR)
        poor = by_year[year]["poor"]
        links = [a.get("href") for a in poor.iter("a") if a.find(cls="grade")]
        assert sorted(re.sub(r"^source/(.*)\.html#L\d+$", r"\1", href) for href in links) == expected
        assert set(planted["poor_evaluations"]) <= set(expected)
        for li in poor.iter("li"):
            assert re.search(r"总分 [\d.]+，等级 [中差]，执行率 [\d.]+%；失分最多：", li.text()), li.text()
    # Warnings: the planted J202s, and nothing else.
    warned = [(year, li.get("data-code")) for year, parts in by_year.items() if "warnings" in parts
              for li in parts["warnings"].iter("li") if li.get("data-code")]
    assert warned == [(min(corpus.manifest["years"]), "J202")]
    j202 = by_year[min(corpus.manifest["years"])]["warnings"]
    assert sorted(a.text().split(":")[0] for a in j202.iter("a")) == sorted(w["file"] for w in planted["income_warnings"])


def test_the_departments_with_nothing_to_do_are_one_count_with_a_link(desk):
    corpus, _out, doc, data = desk
    for year_data in data["years"]:
        triage = _triage(doc, year_data["year"])
        clear = triage.find("p", cls="clear")
        count = year_data["triage"]["clear"]
        assert clear.text() == f"{count} 个部门没有需要处理的问题。"
        assert clear.find("a").get("href") == f"?y{year_data['year']}-status=ok#departments-{year_data['year']}"
        poor = {p["department"] for p in year_data["triage"]["poor"]}
        assert count == sum(1 for d in year_data["departments"] if d["status"] == "合格" and d["id"] not in poor)
        assert count >= 25  # most departments of 50 have nothing to do: one line, not a paragraph each
    assert "没有问题。" not in doc.text().replace("没有需要处理的问题", "")


def test_no_j412_cascade_under_an_erroneous_department_file(desk):
    corpus, _out, doc, data = desk
    broken = next(e for e in corpus.planted["error_files"] if e["code"] == "J011")
    year = int(broken["file"].split("/")[1])
    department = broken["file"].split("/")[2].removesuffix(".yaml")
    projects = corpus.manifest["departments"]
    count = len(next(d for d in projects if d["id"] == department)["projects"][str(year)])
    assert ("J412" in {code for _file, code in corpus.expected}), "the corpus plants the cascade validate reports"
    year_data = next(y for y in data["years"] if y["year"] == year)
    codes = [f["code"] for d in year_data["departments"] for f in d["findings"]]
    assert "J412" not in codes
    [entry] = [e for e in year_data["triage"]["errors"] if e["department"] == department]
    assert [n["text"] for n in entry["notes"]] == [f"此部门整体申报有错误，其 {count} 个项目未与之核对"]
    page = _triage(doc, year).text()
    assert "J412" not in page and f"此部门整体申报有错误，其 {count} 个项目未与之核对" in page


def test_scores_on_the_desk(desk):
    corpus, _out, doc, data = desk
    year = corpus.manifest["closed_years"][-1]
    year_data = next(y for y in data["years"] if y["year"] == year)
    evaluations = [e for e in corpus.manifest["self_evaluations"] if e["year"] == year]
    broken = {e["file"] for e in corpus.planted["error_files"]}
    for department in year_data["departments"]:
        mine = [e for e in evaluations if e["department"] == department["id"] and e["file"] not in broken]
        own = next((e for e in mine if e["form"] == "department-self-evaluation"), None)
        if own:
            assert (department["self_evaluation"]["total"], department["self_evaluation"]["grade"]) == (own["total"], own["grade"])
        grades = {}
        for e in mine:
            if e["form"] == "project-self-evaluation":
                grades[e["grade"]] = grades.get(e["grade"], 0) + 1
        assert department["project_grades"] == grades
    distribution = {g["form"]: g["grades"] for g in year_data["grades"]}
    project_grades = {}
    for e in evaluations:
        if e["form"] == "project-self-evaluation" and e["file"] not in broken:
            project_grades[e["grade"]] = project_grades.get(e["grade"], 0) + 1
    assert {g: n for g, n in distribution["项目支出绩效自评表"].items() if n} == project_grades
    table = next(t for t in _year(doc, year).iter("table") if "grades" in t.classes)
    row = next(tr for tr in table.iter("tr") if tr.find("th").text() == "项目支出绩效自评表")
    rate = next(g["rate"] for g in year_data["grades"] if g["form"] == "项目支出绩效自评表")
    assert re.fullmatch(r"\d+\.\d\d%", rate)
    assert [td.text() for td in row.iter("td")] == [*map(str, distribution["项目支出绩效自评表"].values()), rate]


def test_every_finding_links_to_its_line_in_a_source_view(desk):
    corpus, out, doc, _data = desk
    links = [a.get("href") for a in doc.iter("a") if (a.get("href") or "").startswith("source/")]
    assert links and not [a.get("href") for a in doc.iter("a") if (a.get("href") or "").endswith(".yaml")]
    for href in sorted(set(links)):
        page, _, anchor = href.partition("#")
        view = parse_html((out / page).read_text(encoding="utf-8"))
        if anchor:
            row = view.find("tr", id=anchor)
            assert row is not None and "hit" in row.classes, href
            assert row.find("td", cls="said").text(), href
    # The line is the file's own line.
    error = next(e for e in corpus.planted["error_files"] if e["code"] == "J011")
    href = next(h for h in links if h.startswith(f"source/{error['file']}.html#L"))
    line = int(href.rsplit("#L", 1)[1])
    text = corpus.path(error["file"]).read_text(encoding="utf-8").splitlines()[line - 1]
    view = parse_html((out / href.split("#")[0]).read_text(encoding="utf-8"))
    assert view.find("tr", id=f"L{line}").find("td", cls="code").text() == text


def test_the_project_cell_lists_every_project(desk):
    corpus, _out, doc, data = desk
    year = max(corpus.manifest["years"])
    department = next(d for d in corpus.manifest["departments"] if d["files"] and len(d["projects"][str(year)]) > 3)
    table = _year(doc, year).find(id=f"departments-{year}").find("table")
    row = next(tr for tr in table.iter("tr") if tr.find("th") and tr.find("th").text() == department["name"])
    projects = row.find("td", data_label="项目数")
    assert projects.find("summary").text() == f"{len(department['projects'][str(year)])} 个"
    hrefs = [a.get("href") for a in projects.iter("a")]
    assert len(hrefs) == len(department["projects"][str(year)])
    assert sorted(h.split("/")[-2] for h in hrefs) == sorted(department["projects"][str(year)])


def test_review_gates_ci_and_reports_every_year(small_corpus_planted, small_corpus):
    failing = jixiao("review", "--format", "text", "--fail-on", "error", cwd=small_corpus_planted.root)
    assert failing.returncode == 1
    years = [line.split(" ")[0] for line in failing.stdout.splitlines() if re.match(r"\d{4} 年度：", line)]
    assert years == ["2025", "2024"]
    assert jixiao("review", "--format", "json", cwd=small_corpus_planted.root).returncode == 0
    assert jixiao("review", "--format", "json", "--fail-on", "warning", cwd=small_corpus.root).returncode == 0
    assert jixiao("review", "--format", "json", "--fail-on", "error", cwd=small_corpus.root).returncode == 0


def test_self_evaluations_are_owed_only_for_closed_years(small_corpus, tmp_path):
    import shutil

    root = tmp_path / "bureau"
    shutil.copytree(small_corpus.root / "declarations", root / "declarations")
    roster = root / "declarations" / "departments.yaml"
    text = roster.read_text(encoding="utf-8").replace(
        "owes: [department-target, project-target]", "owes: [department-target, project-target, department-self-evaluation]"
    )
    roster.write_text(text, encoding="utf-8")
    data = json.loads(jixiao("review", "--format", "json", cwd=root).stdout)
    missing = {y["year"]: y["totals"]["missing"] for y in data["years"]}
    assert missing == {2025: 0, 2024: 0}  # 2025 has not closed: its self-evaluations are not due
    # The roster can say so explicitly: closed through 2025 makes them due, and all are missing.
    roster.write_text(text.replace("departments:\n", "closed_through: 2025\ndepartments:\n", 1), encoding="utf-8")
    data = json.loads(jixiao("review", "--format", "json", cwd=root).stdout)
    y2025 = next(y for y in data["years"] if y["year"] == 2025)
    assert y2025["totals"]["missing"] == y2025["totals"]["departments"]
    assert {tuple(d["missing"]) for d in y2025["departments"]} == {("部门整体支出绩效自评表",)}


@pytest.fixture(scope="module")
def published(small_corpus_planted, tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    result = jixiao(
        "build", "site", "--skip-invalid", "-j", "2", "--out", str(out / "site"), "--pdf-cache", str(out), cwd=small_corpus_planted.root,
    )
    return small_corpus_planted, out, result


def test_build_site_skip_invalid_publishes_every_valid_document_and_names_each_withheld_one(published):
    corpus, out, result = published
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    error_files = {e["file"] for e in corpus.planted["error_files"]}
    broken_department = next(e["file"] for e in corpus.planted["error_files"] if e["code"] == "J011")
    files = sorted(p.relative_to(corpus.root).as_posix() for p in corpus.declarations.rglob("*.yaml") if p != corpus.roster)
    assert len(files) == corpus.manifest["files"]
    leaning = {f for f in files if f.startswith(broken_department.removesuffix(".yaml") + "/")}
    withheld = error_files | leaning
    lines = [line for line in result.stderr.splitlines() if line.startswith("declarations/")]
    assert sorted(line.split(": ")[0] for line in lines) == sorted(withheld)
    for line in lines:
        file = line.split(": ")[0]
        if file in error_files:
            code = next(e["code"] for e in corpus.planted["error_files"] if e["file"] == file)
            assert re.match(rf"{re.escape(file)}: 警告 J530: （文件）: 有错误，暂未公开（第一个错误在第 \d+ 行）：{code} ", line), line
        else:
            assert line == f"{file}: 警告 J531: （文件）: 所依赖的 {broken_department} 有错误，无法与之核对，暂未公开"
    # Every other file is published: its page and its PDF.
    site = out / "site"
    for file in files:
        location = file.removeprefix("declarations/").removesuffix(".yaml")
        assert (site / location / "index.html").is_file() != (file in withheld), file
    # The home page says how many per year, without naming them.
    home = (site / "index.html").read_text(encoding="utf-8")
    for year in corpus.manifest["years"]:
        count = sum(1 for f in withheld if f.split("/")[1] == str(year))
        assert f"{count} 份因有错误暂未公开" in parse_html(home).text()
    assert not any(file in home for file in withheld)
    # The same list for the desk.
    listed = json.loads((out / "withheld.json").read_text(encoding="utf-8"))["withheld"]
    assert sorted(w["file"] for w in listed) == sorted(withheld)


def test_without_the_flag_errors_still_stop_everything(small_corpus_planted, tmp_path):
    result = jixiao("build", "xlsx", "--out", str(tmp_path), cwd=small_corpus_planted.root)
    assert result.returncode == 1 and "有错误，没有生成任何文件。" in result.stderr
    assert not (tmp_path / "xlsx").exists()


def test_the_desk_lists_what_the_last_publication_withheld(published):
    corpus, out, result = published
    assert result.returncode == 0, result.stderr
    listed = json.loads((out / "withheld.json").read_text(encoding="utf-8"))["withheld"]
    review = jixiao("review", "--out", str(out / "review"), cwd=corpus.root)
    assert review.returncode == 0, review.stderr
    doc = parse_html((out / "review" / "index.html").read_text(encoding="utf-8"))
    shown = []
    for year in corpus.manifest["years"]:
        heading = next(h for h in doc.iter("h3") if h.get("id") == f"withheld-{year}")
        shown += [li.find("code").text() for li in heading.parent.iter("li")]
        assert f"{sum(1 for w in listed if w['year'] == year)} 个文件" in heading.text()
    assert sorted(shown) == sorted(w["file"] for w in listed)


def test_a_new_repository_says_there_is_nothing_yet(tmp_path):
    assert jixiao("init", str(tmp_path / "bureau")).returncode == 0
    result = jixiao("review", "--format", "text", "--fail-on", "error", cwd=tmp_path / "bureau")
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr.strip() == "declarations：还没有申报（用 --year 列出名册中某一年度应报的表）"
    listed = jixiao("review", "--format", "text", "--year", "2025", cwd=tmp_path / "bureau")
    assert listed.stdout.startswith("2025 年度：")


def test_the_roster_says_which_years_a_form_is_owed_and_a_typo_is_pointed_at(tmp_path):
    from site_fixtures import SEED_YAML

    folder = tmp_path / "declarations" / "2024"
    folder.mkdir(parents=True)
    (folder / SEED_YAML.name).write_text(SEED_YAML.read_text(encoding="utf-8"), encoding="utf-8")
    roster = tmp_path / "declarations" / "departments.yaml"
    roster.write_text(
        "closed_through: 2023\ndepartments:\n  - id: nansha-dongchong\n    name: 东涌镇\n"
        "    owes: [department-target, department-self-evaluation]\n    owes_in:\n      project-target: [2024]\n",
        encoding="utf-8",
    )
    data = json.loads(jixiao("review", "--format", "json", cwd=tmp_path).stdout)
    [department] = data["years"][0]["departments"]
    assert department["missing"] == ["项目支出绩效目标申报表"]  # 2024 has not closed by the roster: no self-evaluation owed
    roster.write_text(roster.read_text(encoding="utf-8").replace("project-target: [2024]", "project-targt: [2024]"), encoding="utf-8")
    checked = jixiao("validate", cwd=tmp_path)
    assert checked.returncode == 1
    assert "declarations/departments.yaml:7:7: 错误 J011: departments[1].owes_in（按年度应报的表）: 「project-targt」不是已知的表" in checked.stdout


def test_build_xlsx_skip_invalid_writes_every_valid_workbook(small_corpus_planted, tmp_path):
    result = jixiao("build", "xlsx", "--skip-invalid", "--out", str(tmp_path), cwd=small_corpus_planted.root)
    assert result.returncode == 0, result.stderr
    withheld = {w["file"] for w in json.loads((tmp_path / "withheld.json").read_text(encoding="utf-8"))["withheld"]}
    assert {e["file"] for e in small_corpus_planted.planted["error_files"]} <= withheld
    assert sorted(line.split(": ")[0] for line in result.stderr.splitlines() if line.startswith("declarations/")) == sorted(withheld)
    for path in small_corpus_planted.declarations.rglob("*.yaml"):
        if path == small_corpus_planted.roster or path.name.endswith(".self-evaluation.yaml") or path.name == "self-evaluation.yaml":
            continue  # the target forms have workbooks
        file = path.relative_to(small_corpus_planted.root).as_posix()
        workbook = tmp_path / "xlsx" / (file.removeprefix("declarations/").removesuffix(".yaml") + ".xlsx")
        assert workbook.is_file() != (file in withheld), file
