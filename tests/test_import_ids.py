"""Importing the yearly workbook again: the same files updated in place with their ids and comments,
short ids for new projects, and the same warnings as `jixiao validate` over the folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixtures import SEED_YAML
from generator.excel.import_merge import carry_comments, project_id
from generator.input.load import load_file
from test_cli import jixiao

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "examples" / "2024" / "nansha-dongchong" / "projects"


def test_a_new_project_id_is_short():
    assert project_id("东涌镇“百千万工程”典型镇建设（示例）", "440115-2024-0001") == "440115-2024-0001"
    assert project_id("东涌镇“百千万工程”典型镇建设（示例）", None) == "dczbqwgcdxzjs"  # 东涌 read dōng chōng
    long_name = "广州市南沙区东涌镇百千万工程典型镇建设及农村人居环境整治提升与乡村振兴示范带建设项目"
    assert len(project_id(long_name, None)) == 24
    assert project_id(long_name, "ABC/2024 第 12 号") == "abc-2024-12"
    assert project_id(long_name, "4401152024000100020003000400") == project_id(long_name, None)  # a code too long for an id


@pytest.fixture(scope="module")
def year_book(tmp_path_factory) -> Path:
    """The yearly workbook `jixiao build xlsx` writes for the seed and two example projects."""
    work = tmp_path_factory.mktemp("yearbook")
    folder = work / "declarations" / "2024"
    (folder / "nansha-dongchong" / "projects").mkdir(parents=True)
    shutil.copy(SEED_YAML, folder / "nansha-dongchong.yaml")
    for name in ("typical-town", "water-town-culture"):
        shutil.copy(PROJECTS / f"{name}.yaml", folder / "nansha-dongchong" / "projects" / f"{name}.yaml")
    built = jixiao("build", "xlsx", "declarations", cwd=work)
    assert built.returncode == 0, built.stderr
    return work / "output" / "xlsx" / "2024" / "jixiao-2024.xlsx"


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.yaml"))


def test_import_again_keeps_ids_and_comments_and_says_so(year_book, tmp_path):
    first = jixiao("import", str(year_book), "--out", "d", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    files = _files(tmp_path / "d")
    assert files == [
        "2024/nansha-dongchong.yaml",
        "2024/nansha-dongchong/projects/440115-2024-0001.yaml",  # typical-town has a 项目编码
        "2024/nansha-dongchong/projects/dcsxwhlyppjs.yaml",  # 东涌水乡文化旅游品牌建设（示例）: initials
    ]
    # The bureau renames a project's id and writes its own comments.
    old = tmp_path / "d/2024/nansha-dongchong/projects/dcsxwhlyppjs.yaml"
    renamed = old.with_name("water-town.yaml")
    text = old.read_text(encoding="utf-8").replace("  id: dcsxwhlyppjs", "  id: water-town  # 我们起的标识")
    text = text.replace("\nindicators:", "\n# 指标待科室复核\nindicators:")
    renamed.write_text(text, encoding="utf-8")
    old.unlink()

    again = jixiao("import", str(year_book), "--out", "d", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert _files(tmp_path / "d") == sorted(files[:2] + ["2024/nansha-dongchong/projects/water-town.yaml"])
    said = again.stdout.splitlines()
    assert "d/2024/nansha-dongchong/projects/water-town.yaml（项目名称「东涌水乡文化旅游品牌建设（示例）」相同，更新了已有的文件，保留标识「water-town」和注释）" in said
    assert "d/2024/nansha-dongchong/projects/440115-2024-0001.yaml（项目编码「440115-2024-0001」相同，更新了已有的文件，保留标识「440115-2024-0001」和注释）" in said
    kept = renamed.read_text(encoding="utf-8")
    assert "  id: water-town  # 我们起的标识\n" in kept and "\n# 指标待科室复核\nindicators:" in kept
    assert load_file(renamed).declaration.project.id == "water-town"

    # --id naming another id for a project that has a file: refused, not a second file
    book_one = tmp_path / "one.xlsx"
    shutil.copy(year_book.parent / "nansha-dongchong" / "projects" / "water-town-culture.xlsx", book_one)
    refused = jixiao("import", str(book_one), "--out", "d", "--id", "wtc", cwd=tmp_path)
    assert refused.returncode == 1
    assert "J614" in refused.stderr and "已是这份申报（项目名称「东涌水乡文化旅游品牌建设（示例）」相同），标识为「water-town」" in refused.stderr
    assert not (tmp_path / "d/2024/nansha-dongchong/projects/wtc.yaml").exists()


def test_import_reports_what_validate_reports_over_the_folder(year_book, tmp_path):
    """Two projects without their department's form: the cross-form J412 from import as from validate."""
    book = tmp_path / "p.xlsx"
    shutil.copy(year_book.parent / "nansha-dongchong" / "projects" / "typical-town.xlsx", book)
    imported = jixiao("import", str(book), "--out", "d", cwd=tmp_path)
    validate = jixiao("validate", "d", cwd=tmp_path)
    assert "J412" in validate.stdout
    assert imported.stderr.splitlines()[:-1] == validate.stdout.splitlines()[:-1]
    errors_warnings = validate.stdout.splitlines()[-1].split("：")[1]
    assert imported.stderr.splitlines()[-1] == f"导入了 1 份申报：{errors_warnings}"


def test_validate_warns_when_two_files_hold_one_project(tmp_path):
    folder = tmp_path / "declarations" / "2024" / "nansha-dongchong" / "projects"
    folder.mkdir(parents=True)
    shutil.copy(SEED_YAML, folder.parent.parent / "nansha-dongchong.yaml")
    shutil.copy(PROJECTS / "typical-town.yaml", folder / "typical-town.yaml")
    copy = (PROJECTS / "typical-town.yaml").read_text(encoding="utf-8").replace("  id: typical-town", "  id: dczbqwgcdxzjs")
    (folder / "dczbqwgcdxzjs.yaml").write_text(copy.replace('code: "440115-2024-0001"', 'code: "440115-2024-0009"'), encoding="utf-8")
    result = jixiao("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    found = [line for line in result.stdout.splitlines() if " J404: " in line]
    assert found == [
        "declarations/2024/nansha-dongchong/projects/typical-town.yaml:9:9: 警告 J404: project.name（项目名称）: "
        "项目名称「东涌镇“百千万工程”典型镇建设（示例）」与 declarations/2024/nansha-dongchong/projects/dczbqwgcdxzjs.yaml 相同："
        "同一个项目只应有一个文件，请删去或合并其中一个"
    ], result.stdout


def test_comments_follow_their_keys():
    old = "# 头\ntitle: 表\n# 上方注释\nproject:\n  name: 甲  # 名称的注释\n  id: a\nindicators:\n  - level1: 产出指标\n    # 第一组\n    groups: []\n"
    new = "# 新的头\ntitle: 表\nproject:\n  name: 乙\n  id: a\nindicators:\n  - level1: 产出指标\n    groups: []\n"
    assert carry_comments(old, new) == (
        "# 新的头\ntitle: 表\n# 上方注释\nproject:\n  name: 乙  # 名称的注释\n  id: a\nindicators:\n  - level1: 产出指标\n    # 第一组\n    groups: []\n"
    )
