"""The bureau's desk: `jixiao review` over a year with a roster — who has filed, who has not (缺报),
what is wrong, the year's totals — as text, JSON and the page; the roster validated like a file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from site_fixtures import jixiao, parse_html

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
EXAMPLES = ROOT / "examples" / "2024" / "nansha-dongchong"

ROSTER = """# 名册：部门与每年应报的表
departments:
  - id: nansha-dongchong
    name: 广州市南沙区东涌镇人民政府
    level: 镇本级
    owes: [department-target, department-self-evaluation]
  - id: nansha-huangge
    name: 广州市南沙区黄阁镇人民政府
    level: 镇本级
  - id: nansha-old-office
    name: 已撤并的办公室
    until: 2022
"""


@pytest.fixture
def bureau(tmp_path) -> Path:
    """A repository: the seed with its examples (projects, self-evaluations) and a roster of three."""
    declarations = tmp_path / "declarations"
    (declarations / "2024").mkdir(parents=True)
    shutil.copy(SEED, declarations / "2024" / SEED.name)
    shutil.copytree(EXAMPLES, declarations / "2024" / "nansha-dongchong")
    (declarations / "departments.yaml").write_text(ROSTER, encoding="utf-8")
    return tmp_path


def test_a_department_that_has_not_filed_is_listed_as_missing(bureau):
    result = jixiao("review", "--format", "text", cwd=bureau)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2024 年度：2 个部门，1 个报齐，1 个缺报，0 个有错误"
    assert "  广州市南沙区黄阁镇人民政府（nansha-huangge）：部门整体预算绩效目标申报表 缺报" in lines
    dongchong = next(line for line in lines if line.startswith("  广州市南沙区东涌镇人民政府"))
    assert "部门整体预算绩效目标申报表 有警告" in dongchong and "部门整体支出绩效自评表 合格" in dongchong
    assert not any("已撤并" in line for line in lines)  # left the roster in 2022


def test_json_carries_the_missing_department_and_the_totals(bureau):
    result = jixiao("review", "--format", "json", cwd=bureau)
    data = json.loads(result.stdout)
    [year] = data["years"]
    assert year["year"] == 2024 and data["version"] == 1
    departments = {d["id"]: d for d in year["departments"]}
    assert departments["nansha-huangge"]["missing"] == ["部门整体预算绩效目标申报表"]
    assert departments["nansha-huangge"]["forms"] == [
        {"form": "department-target", "title": "部门整体预算绩效目标申报表", "status": "缺报", "files": [], "errors": 0, "warnings": 0}
    ]
    dongchong = departments["nansha-dongchong"]
    assert dongchong["projects"] == 3
    assert [f["form"] for f in dongchong["forms"]] == [
        "department-target", "project-target", "department-self-evaluation", "project-self-evaluation"
    ]
    assert dongchong["findings"][0]["code"] == "J202"
    totals = year["totals"]
    assert totals["spending"] == "92,967.09" and totals["project_funds"] == "12,073.72"
    assert totals["missing"] == 1 and totals["filed"] == 1
    assert year["by_code"] == [{"code": "J202", "title": "收入来源合计 ≠ 基本支出 + 项目支出（写出两个合计和差额）", "count": 1}]
    assert year["by_aspect"] == {"规范性": 1, "全面性": 1, "可衡量性": 0}


def test_without_a_roster_every_department_found_is_listed(bureau):
    (bureau / "declarations" / "departments.yaml").unlink()
    data = json.loads(jixiao("review", "--format", "json", cwd=bureau).stdout)
    assert [d["id"] for d in data["years"][0]["departments"]] == ["nansha-dongchong"]


def test_the_desk_page_is_written_outside_the_site_and_links_files_and_forms(bureau):
    result = jixiao("review", cwd=bureau)
    assert result.returncode == 0 and result.stdout.strip() == "审核台 → output/review/index.html"
    page = (bureau / "output" / "review" / "index.html").read_text(encoding="utf-8")
    doc = parse_html(page)
    assert 'content="noindex, nofollow"' in page
    links = [a.get("href") for a in doc.iter("a")]
    # A finding links to its line in the desk's own view of the file, never to the raw YAML.
    assert "source/declarations/2024/nansha-dongchong.yaml.html#L16" in links
    assert not [link for link in links if link.endswith(".yaml")]
    view = (bureau / "output" / "review" / "source" / "declarations" / "2024" / "nansha-dongchong.yaml.html").read_text(encoding="utf-8")
    assert 'content="noindex, nofollow"' in view
    assert "../site/2024/nansha-dongchong/index.html" in links
    missing = doc.find("div", cls="missing")
    assert missing.find("li").text() == "部门整体预算绩效目标申报表（1 个部门）：广州市南沙区黄阁镇人民政府"


def test_no_noindex_reaches_the_public_site(bureau):
    assert jixiao("build", "site", cwd=bureau).returncode == 0
    for page in (bureau / "output" / "site").rglob("*.html"):
        assert "noindex" not in page.read_text(encoding="utf-8"), page


def test_a_roster_with_a_typo_is_reported_like_any_file(bureau):
    roster = bureau / "declarations" / "departments.yaml"
    roster.write_text(ROSTER.replace("owes: [department-target, department-self-evaluation]", "owes: [department-targt]"), encoding="utf-8")
    result = jixiao("validate", cwd=bureau)
    assert result.returncode == 1
    assert (
        "declarations/departments.yaml:6:11: 错误 J011: departments[1].owes（应报的表）: "
        "「department-targt」不是已知的表；可写的有：department-target、project-target、department-self-evaluation、project-self-evaluation"
    ) in result.stdout.splitlines()


def test_a_form_too_broken_to_load_counts_as_filed_with_errors_not_as_missing(bureau):
    seed = bureau / "declarations" / "2024" / SEED.name
    seed.write_text(seed.read_text(encoding="utf-8").replace("staff_count: 244", "staff_count: 二百"), encoding="utf-8")
    data = json.loads(jixiao("review", "--format", "json", cwd=bureau).stdout)
    dongchong = next(d for d in data["years"][0]["departments"] if d["id"] == "nansha-dongchong")
    target = dongchong["forms"][0]
    assert (target["form"], target["status"], target["errors"]) == ("department-target", "有错误", 1)
    assert dongchong["missing"] == []
    assert [f["code"] for f in dongchong["findings"]][:1] == ["J011"]


def test_a_broken_roster_or_a_missing_folder_is_said_and_fails_the_review(bureau):
    roster = bureau / "declarations" / "departments.yaml"
    roster.write_text(ROSTER.replace("id: nansha-huangge", "id: Nansha_Huangge"), encoding="utf-8")
    result = jixiao("review", "--format", "text", cwd=bureau)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("declarations/departments.yaml:7:9: 错误 J011: departments[2].id（部门标识）")
    missing = jixiao("review", "nope", cwd=bureau)
    assert missing.returncode == 1 and missing.stderr.splitlines() == ["nope:1:1: 错误 J000: （文件）: 文件或文件夹不存在"]


def test_a_broken_target_form_folds_what_leans_on_it_into_one_note(bureau):
    """No cascades: the department form broken → its projects' J412 and its self-evaluation's J723
    become notes under its error; a project form broken → its self-evaluation's J723 likewise."""
    seed = bureau / "declarations" / "2024" / SEED.name
    seed.write_text(seed.read_text(encoding="utf-8").replace("staff_count: 244", "staff_count: 二百"), encoding="utf-8")
    project = bureau / "declarations" / "2024" / "nansha-dongchong" / "projects" / "typical-town.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("period: 28500.00,", "period: 很多,"), encoding="utf-8")
    assert {"J412", "J723"} <= {line.split(" ")[2].rstrip(":") for line in jixiao("validate", cwd=bureau).stdout.splitlines()[:-1]}
    data = json.loads(jixiao("review", "--format", "json", cwd=bureau).stdout)
    dongchong = next(d for d in data["years"][0]["departments"] if d["id"] == "nansha-dongchong")
    assert not {"J412", "J723"} & {f["code"] for f in dongchong["findings"]}
    [errors] = data["years"][0]["triage"]["errors"]
    assert [(n["file"], n["text"]) for n in errors["notes"]] == [
        ("declarations/2024/nansha-dongchong.yaml", "此部门整体申报有错误，其 3 个项目未与之核对"),
        ("declarations/2024/nansha-dongchong.yaml", "此部门整体申报有错误，其 1 个自评表未与之核对"),
        ("declarations/2024/nansha-dongchong/projects/typical-town.yaml", "此项目申报有错误，其 1 个自评表未与之核对"),
    ]
