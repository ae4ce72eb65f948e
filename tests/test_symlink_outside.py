"""A declaration reached through a symbolic link that leads outside the declarations folder (or, in a
git repository, outside the repository) is published like any other: `jixiao validate` warns, naming
the file it publishes (J006). A link within the repository, as examples/ links the seed, is not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from site_fixtures import jixiao

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
PROJECT = ROOT / "examples" / "2024" / "nansha-dongchong" / "projects" / "typical-town.yaml"


def j006(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if " J006: " in line]


def test_a_linked_file_outside_is_named_and_a_linked_folder_is_not_walked(tmp_path):
    outside = tmp_path / "草稿"
    (outside / "projects").mkdir(parents=True)
    shutil.copy(SEED, outside / SEED.name)
    shutil.copy(PROJECT, outside / "projects" / PROJECT.name)
    year = tmp_path / "repo" / "declarations" / "2024"
    (year / "nansha-dongchong").mkdir(parents=True)
    (year / SEED.name).symlink_to(outside / SEED.name)
    (year / "nansha-dongchong" / "projects").symlink_to(outside / "projects", target_is_directory=True)
    done = jixiao("validate", "declarations", cwd=tmp_path / "repo")
    assert done.returncode == 0, done.stdout
    assert j006(done.stdout) == [
        f"declarations/2024/nansha-dongchong.yaml:1:1: 警告 J006: （文件）: 这是一个符号链接，指向申报文件夹以外的 "
        f"{outside / SEED.name}；发布的是那个文件的内容，请确认它应当公开",
    ]
    # a linked folder is not walked into (as `find` does not): its files are neither read nor published
    assert done.stdout.splitlines()[-1].startswith("检查了 1 个申报文件")


def test_in_a_git_repository_only_a_link_leaving_the_repository_is_named(tmp_path):
    repo = tmp_path / "repo"
    (repo / "declarations" / "2024" / "nansha-dongchong" / "projects").mkdir(parents=True)
    (repo / "shared").mkdir()
    shutil.copy(SEED, repo / "shared" / SEED.name)
    (tmp_path / "home").mkdir()
    shutil.copy(PROJECT, tmp_path / "home" / PROJECT.name)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "declarations" / "2024" / SEED.name).symlink_to(Path("../../shared") / SEED.name)
    (repo / "declarations" / "2024" / "nansha-dongchong" / "projects" / PROJECT.name).symlink_to(tmp_path / "home" / PROJECT.name)
    done = jixiao("validate", "declarations", cwd=repo)
    assert [line.split(": 警告")[0] for line in j006(done.stdout)] == ["declarations/2024/nansha-dongchong/projects/typical-town.yaml:1:1"]
    assert str(tmp_path / "home" / PROJECT.name) in done.stdout
    assert j006(jixiao("validate", "examples", cwd=ROOT).stdout) == []
