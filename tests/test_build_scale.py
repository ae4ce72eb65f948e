"""Building many forms: --jobs gives the same bytes as one process (PDFs and the site), --shard I/N
splits the outputs stably and completely, build site --pdf-from publishes what the shards made, a
build with nothing changed decides without loading any YAML (and a changed or broken file is still
seen), and git is asked once for all files' dates and histories, with the same answers as one call
per file.
Speed itself is measured by `make bench`, not here.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures import synthetic_declaration
from test_build_pdf import files_under, jixiao, summary

DECLARATIONS = {
    f"{year}/{dept}": synthetic_declaration(2, 3, year=year, dept_id=dept, department=f"测试{tag}部门", tag=tag)
    for year, dept, tag in ((2024, "dept-a", "甲"), (2024, "dept-b", "乙"), (2025, "dept-c", "丙"), (2025, "dept-d", "丁"))
}


def write_all(root: Path) -> dict[str, Path]:
    return {key: s.write(root) for key, s in DECLARATIONS.items()}


def pdfs_under(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in files_under(out) if name.endswith(".pdf")}


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("jobs1")
    write_all(root / "declarations")
    result = jixiao("build", "pdf", "--jobs", "1", "--out", str(root / "out"), str(root / "declarations"))
    assert result.returncode == 0, result.stderr
    return root, pdfs_under(root / "out")


def test_jobs_write_the_same_bytes_as_one_process(one_process, tmp_path):
    root, expected = one_process
    result = jixiao("build", "pdf", "--jobs", "3", "--out", str(tmp_path / "out"), str(root / "declarations"))
    assert result.returncode == 0, result.stderr
    assert summary(result) == (4, 0, 4)
    assert pdfs_under(tmp_path / "out") == expected and len(expected) == 4


def test_shards_split_the_outputs_completely_without_overlap(one_process, tmp_path):
    root, expected = one_process
    made = []
    for index in (1, 2, 3):
        out = tmp_path / f"shard{index}"
        result = jixiao("build", "pdf", "--shard", f"{index}/3", "--out", str(out), str(root / "declarations"))
        assert result.returncode == 0, result.stderr
        assert f"第 {index}/3 片" in result.stdout
        made.append(pdfs_under(out))
    names = [set(part) for part in made]
    assert sum(len(part) for part in names) == len(set().union(*names)) == 4  # no overlap, nothing missing
    merged = {name: data for part in made for name, data in part.items()}
    assert merged == expected  # the same bytes as one build of everything


def test_the_shard_split_is_stable_and_a_partition():
    from generator.core.files import in_shard

    locations = [f"{year}/dept-{n}" for year in (2024, 2025) for n in range(200)]
    for count in (1, 2, 3, 7):
        owners = [[i for i in range(1, count + 1) if in_shard(loc, (i, count))] for loc in locations]
        assert all(len(found) == 1 for found in owners)  # every output in exactly one shard
        assert owners == [[i for i in range(1, count + 1) if in_shard(loc, (i, count))] for loc in locations]
        if count > 1:
            assert all(any(found == [i] for found in owners) for i in range(1, count + 1))  # none empty
    # A new declaration moves no other.
    assert [in_shard(loc, (1, 3)) for loc in locations] == [in_shard(loc, (1, 3)) for loc in [*locations, "2026/new"]][:-1]


def test_a_bad_shard_is_refused(tmp_path):
    for bad in ("0/3", "4/3", "2", "a/b"):
        result = jixiao("build", "pdf", "--shard", bad, "--out", str(tmp_path / "out"), str(tmp_path))
        assert result.returncode == 2 and "I/N" in result.stderr, result.stderr


def test_xlsx_jobs_write_the_same_bytes_as_one_process(tmp_path):
    write_all(tmp_path / "declarations")
    made = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        result = jixiao("build", "xlsx", "--jobs", jobs, "--out", str(out), str(tmp_path / "declarations"))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1].startswith(f"Excel：{len(DECLARATIONS)} 份申报，写出工作簿 {len(DECLARATIONS) + 2} 本")  # and a workbook a year
        made[jobs] = {n: (out / n).read_bytes() for n in files_under(out) if n.endswith(".xlsx")}
    assert len(made["1"]) == len(DECLARATIONS) + 2 and made["1"] == made["2"]


def test_xlsx_shards_split_the_workbooks(tmp_path):
    write_all(tmp_path / "declarations")
    whole = tmp_path / "whole"
    assert jixiao("build", "xlsx", "--out", str(whole), str(tmp_path / "declarations")).returncode == 0
    parts = []
    for index in (1, 2):
        out = tmp_path / f"part{index}"
        result = jixiao("build", "xlsx", "--shard", f"{index}/2", "--out", str(out), str(tmp_path / "declarations"))
        assert result.returncode == 0, result.stderr
        parts.append({n: (out / n).read_bytes() for n in files_under(out) if n.endswith(".xlsx")})
    assert not set(parts[0]) & set(parts[1])
    assert {**parts[0], **parts[1]} == {n: (whole / n).read_bytes() for n in files_under(whole) if n.endswith(".xlsx")}


def test_the_site_publishes_the_pdfs_the_shards_made(one_process, tmp_path):
    root, expected = one_process
    gathered = tmp_path / "gathered"
    for index in (1, 2):
        out = tmp_path / f"shard{index}"
        assert jixiao("build", "pdf", "--shard", f"{index}/2", "--out", str(out), str(root / "declarations")).returncode == 0
        shutil.copytree(out / "pdf", gathered / "pdf", dirs_exist_ok=True)
    site = tmp_path / "site"
    result = jixiao("build", "site", "--no-search", "--pdf-from", str(gathered), "--out", str(site), str(root / "declarations"))
    assert result.returncode == 0, result.stderr
    for key in DECLARATIONS:
        year, dept = key.split("/")
        assert (site / year / dept / f"{dept}.pdf").read_bytes() == expected[f"pdf/{key}.pdf"]
        assert (site / year / dept / "index.html").is_file()
    # A PDF missing from the folder: named, nothing published.
    (gathered / "pdf" / "2025" / "dept-c.pdf").unlink()
    result = jixiao("build", "site", "--no-search", "--pdf-from", str(gathered), "--out", str(tmp_path / "site2"), str(root / "declarations"))
    assert result.returncode == 1
    assert "错误 J520" in result.stderr and "dept-c.pdf" in result.stderr
    assert not (tmp_path / "site2").exists()


def test_site_jobs_write_the_same_bytes_as_one_process(one_process, tmp_path):
    """Pages and downloads shared out among workers, the search index built beside the downloads:
    every file, modes and the index included, is the one a single process writes."""
    root, _ = one_process
    sites = {}
    for jobs in ("1", "3"):
        site = tmp_path / f"site-{jobs}"
        result = jixiao("build", "site", "--jobs", jobs, "--pdf-from", str(root / "out"), "--out", str(site), str(root / "declarations"))
        assert result.returncode == 0, result.stderr
        sites[jobs] = {name: ((site / name).read_bytes(), (site / name).stat().st_mode) for name in files_under(site)}
    assert sites["3"] == sites["1"]
    names = set(sites["1"])
    assert {"2024/jixiao-2024.zip", "2025/dept-c/dept-c.xlsx", "2025/dept-d/index.html"} <= names
    assert any(name.startswith("pagefind/fragment/") for name in names)


# ---- nothing changed: decided before loading -------------------------------------------------------


def test_a_build_with_nothing_changed_loads_nothing(one_process, tmp_path, monkeypatch):
    from generator.input import load
    from generator.core.fonts import FontSettings
    from generator.pipeline import PdfOutput, build

    root, _ = one_process
    folder = tmp_path / "declarations"
    shutil.copytree(root / "declarations", folder)
    shutil.copytree(root / "out", tmp_path / "out")
    (tmp_path / "out" / "pdf" / ".state.json").unlink()
    output = PdfOutput(tmp_path / "out", FontSettings(), jobs=1)
    first = build([folder], pdf=output)  # loads everything, renders nothing (fingerprints match), saves the state
    assert not first.failed and len(first.pdf.skipped) == 4 and first.documents

    def refuse(*args, **kwargs):
        raise AssertionError("a YAML file was loaded")

    monkeypatch.setattr(load, "load_file", refuse)
    second = build([folder], pdf=output)
    assert not second.failed and second.count == 4 and len(second.pdf.skipped) == 4 and not second.pdf.written
    assert second.documents == []


def test_after_a_no_op_a_changed_file_is_rebuilt_and_a_broken_one_reported(one_process, tmp_path):
    root, expected = one_process
    folder = tmp_path / "declarations"
    paths = write_all(folder)
    for path in paths.values():
        os.utime(path, ns=(10**18, 10**18))  # long before the state is saved: its digest is trusted
    out = tmp_path / "out"
    assert summary(jixiao("build", "pdf", "--out", str(out), str(folder))) == (4, 0, 4)
    assert summary(jixiao("build", "pdf", "--out", str(out), str(folder))) == (0, 4, 4)
    # A change of the same size, the file's modification time put back: still seen.
    target = paths["2024/dept-b"]
    text = target.read_text(encoding="utf-8")
    stat = target.stat()
    name = DECLARATIONS["2024/dept-b"].tasks[0].name
    changed = text.replace(name, name[::-1], 1)
    assert changed != text and len(changed.encode()) == len(text.encode())
    target.write_text(changed, encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert summary(jixiao("build", "pdf", "--out", str(out), str(folder))) == (1, 3, 4)
    # A broken file is reported, nothing written; mended, the build goes on.
    good = paths["2025/dept-d"].read_text(encoding="utf-8")
    paths["2025/dept-d"].write_text(good.replace("year: 2025", "year: 二〇二五"), encoding="utf-8")
    result = jixiao("build", "pdf", "--out", str(out), str(folder))
    assert result.returncode == 1 and "dept-d.yaml" in result.stderr and "J011" in result.stderr
    result = jixiao("build", "pdf", "--out", str(out), str(folder))
    assert result.returncode == 1  # still reported: a failed build leaves no state to skip by
    paths["2025/dept-d"].write_text(good, encoding="utf-8")
    assert summary(jixiao("build", "pdf", "--out", str(out), str(folder))) == (0, 4, 4)
    assert summary(jixiao("build", "pdf", "--out", str(out), str(folder))) == (0, 4, 4)
    # A file added, a PDF deleted: the ordinary build again.
    synthetic_declaration(2, 3, year=2024, dept_id="dept-e", department="测试戊部门", tag="戊").write(folder)
    assert summary(jixiao("build", "pdf", "--out", str(out), str(folder))) == (1, 4, 5)
    (out / "pdf" / "2024" / "dept-a.pdf").unlink()
    assert summary(jixiao("build", "pdf", "--out", str(out), str(folder)))[0] == 1


def test_xlsx_with_nothing_changed_skips_everything(tmp_path):
    write_all(tmp_path / "declarations")
    args = ("build", "xlsx", "--out", str(tmp_path / "out"), str(tmp_path / "declarations"))
    assert jixiao(*args).returncode == 0
    result = jixiao(*args)
    assert result.returncode == 0 and "4 份申报，写出工作簿 0 本，未改动跳过 6 本" in result.stdout, result.stdout


# ---- git: once for all files ----------------------------------------------------------------------


def _git(repo: Path, *args: str, date: str = "2024-01-01T00:00:00+08:00") -> str:
    env = {
        **os.environ, "GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "测试",
        "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> tuple[Path, list[Path]]:
    """Commits on two branches and a merge, a rename, a file never committed, a file changed since."""
    repo = tmp_path_factory.mktemp("repo")
    _git(repo, "init", "-q", "-b", "main")
    paths = write_all(repo / "declarations")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "首次录入", date="2024-01-10T09:00:00+08:00")
    a = paths["2024/dept-a"]
    a.write_text(a.read_text(encoding="utf-8") + "# 注释\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "甲改", date="2024-02-10T09:00:00+08:00")
    _git(repo, "checkout", "-qb", "side")
    b = paths["2024/dept-b"]
    b.write_text(b.read_text(encoding="utf-8") + "# 侧枝\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "乙改（侧枝）", date="2024-03-10T09:00:00+08:00")
    _git(repo, "checkout", "-q", "main")
    c = paths["2025/dept-c"]
    c.write_text(c.read_text(encoding="utf-8") + "# 主干\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "丙改", date="2024-04-10T09:00:00+08:00")
    _git(repo, "merge", "-q", "--no-ff", "side", "-m", "合并", date="2024-05-10T09:00:00+08:00")
    renamed = repo / "declarations" / "2025" / "dept-z.yaml"
    _git(repo, "mv", str(paths["2025/dept-d"]), str(renamed))
    _git(repo, "commit", "-qm", "丁改名", date="2024-06-10T09:00:00+08:00")
    untracked = DECLARATIONS["2024/dept-a"].write(repo / "loose")
    a.write_text(a.read_text(encoding="utf-8") + "# 未提交\n", encoding="utf-8")
    return repo, [paths["2024/dept-a"], b, c, renamed, untracked]


def test_one_git_call_gives_every_file_the_date_one_call_per_file_gives(repository):
    from generator.core.history import commit_dates

    repo, files = repository
    dates = commit_dates(files)
    for path in files:
        out = _git(path.parent, "log", "-1", "--format=%cI", "--", path.name).strip()
        expected = dt.datetime.fromisoformat(out).astimezone(dt.timezone.utc) if out else None
        assert dates[os.path.abspath(path)] == expected, path
    assert dates[os.path.abspath(files[4])] is None  # never committed
    assert dates[os.path.abspath(files[1])].month == 3  # the branch's commit, not the merge


def test_one_git_call_gives_every_file_the_history_follow_gives(repository):
    from generator.core.history import histories

    repo, files = repository
    found = histories(files)
    for path in files:
        out = _git(path.parent, "log", "--follow", "--format=%H%x1f%cI%x1f%s", "--", path.name)
        expected = [(p[1][:10], p[0][:10], p[2]) for p in (line.split("\x1f") for line in out.splitlines())]
        assert [(c.date, c.revision, c.message) for c in found[os.path.abspath(path)]] == expected, path
    assert [c.message for c in found[os.path.abspath(files[3])]] == ["丁改名", "首次录入"]  # through the rename


def test_outside_git_there_are_no_dates_and_no_history(tmp_path):
    from generator.core.history import commit_dates, histories

    path = DECLARATIONS["2024/dept-a"].write(tmp_path)
    assert commit_dates([path]) == {os.path.abspath(path): None}
    assert histories([path]) == {os.path.abspath(path): []}
