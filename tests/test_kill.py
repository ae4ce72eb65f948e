"""Builds that survive a kill: `build site`, `build pdf` and `build xlsx` killed with SIGKILL at several
points (as soon as it starts, while PDFs are written, while the site is staged, while it is indexed),
each leaving only files with jixiao's recognisable names; the next run clears them and its result is
byte for byte a clean build's. Two builds into one output at once: the second is refused (J532)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from site_fixtures import JIXIAO, jixiao

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def start(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.Popen(
        [str(JIXIAO), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True
    )


def kill_when(args: tuple, ready, timeout: float = 120) -> int:
    """Start a build, SIGKILL it once `ready()` holds; its exit status (-9 when it was killed)."""
    process = start(*args)
    deadline = time.monotonic() + timeout
    while process.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    return process.returncode


def after(seconds: float):
    moment = time.monotonic() + seconds
    return lambda: time.monotonic() >= moment


def exists(pattern_root: Path, pattern: str):
    return lambda: pattern_root.exists() and any(pattern_root.glob(pattern))


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def jixiao_names(folder: Path) -> list[str]:
    """Every file or folder below `folder` that only a build in progress has: locks, staging, temporary files."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if (".jixiao-" in path.name or path.name.endswith(".tmp")) and not path.name.endswith(".jixiao-state.json")
    )


def assert_recognisable(parent: Path, outputs: set[str]) -> None:
    """What a killed build left is named so that the next knows it: nothing else appears."""
    kept = re.compile(r"\.[^/]+\.jixiao-(staging|old|lock|state\.json)|\.[^/]+\.jixiao-tmp|\.state\.json|\.fingerprints\.json")
    for path in parent.rglob("*"):
        parts = path.relative_to(parent).parts
        if any(re.fullmatch(r"\.[^/]+\.jixiao-(staging|old)", part) for part in parts[:-1]):
            continue  # inside a staging folder
        assert parts[0] in outputs or kept.fullmatch(parts[0]), path
        assert not path.name.startswith(".") or kept.fullmatch(path.name), path


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """A clean build: the site, and in its cache the PDFs and workbooks `build pdf`/`build xlsx` make."""
    clean = tmp_path_factory.mktemp("clean")
    done = jixiao("build", "site", "--out", str(clean / "site"), "--pdf-cache", str(clean / "cache"), str(EXAMPLES))
    assert done.returncode == 0, done.stderr
    return clean


def test_killed_site_builds_leave_nothing_after_the_next_run_and_it_is_a_clean_build(tmp_path, clean):
    work = tmp_path / "work"
    site, cache = work / "web" / "site", work / "cache"
    args = ("build", "site", "--out", str(site), "--pdf-cache", str(cache), str(EXAMPLES))
    staging = work / "web" / ".site.jixiao-staging"
    points = {
        "at once": after(0.3),
        "a PDF written": exists(cache / "pdf", "**/*.pdf"),
        "the site staged": exists(staging, "2024/*"),
        "the search index": exists(staging, "pagefind/*"),
    }
    killed = []
    for name, ready in points.items():
        killed.append((name, kill_when(args, ready)))
        assert_recognisable(work, {"web", "cache"})
    assert sum(status == -signal.SIGKILL for _, status in killed) >= 3, killed

    # Two at once: the second is refused, naming the folder, and leaves the first's work alone.
    first = start(*args)
    lock = work / "web" / ".site.jixiao-lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a killed build's lock file may be there already, with its pid
        if lock.exists() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.01)
    second = jixiao(*args)
    assert first.poll() is None, "the first build ended before the second started"
    assert second.returncode == 1
    # the first folder it would write: the PDFs' (site and cache are both held by the first build)
    assert second.stderr.startswith(
        f"{cache / 'pdf'}: 错误 J532: （文件）: 另一个 jixiao（进程 {first.pid}）正在向这个文件夹生成；请等它结束后再试"
    ), second.stderr
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    first.stderr.close()

    done = jixiao(*args)
    assert done.returncode == 0, done.stderr
    assert jixiao_names(work) == []
    # the site, and what the next build reuses of it (generator/site/reuse.py)
    assert sorted(p.name for p in (work / "web").iterdir()) == [".site.jixiao-state.json", "site"]
    assert tree(site) == tree(clean / "site")
    assert tree(cache) == tree(clean / "cache")


def test_killed_pdf_and_xlsx_builds_then_a_rerun_equal_a_clean_build(tmp_path, clean):
    work = tmp_path / "work"
    killed = []
    pdf = ("build", "pdf", "--out", str(work), str(EXAMPLES))
    for ready in (after(0.3), exists(work / "pdf", "**/*.pdf"), exists(work / "pdf", "2024/nansha-dongchong/projects/*.pdf")):
        killed.append(kill_when(pdf, ready))
        assert_recognisable(work, {"pdf"})
    xlsx = ("build", "xlsx", "--out", str(work), str(EXAMPLES))
    for ready in (after(0.3), exists(work / "xlsx", "**/*.xlsx")):
        killed.append(kill_when(xlsx, ready))
        assert_recognisable(work, {"pdf", "xlsx"})
    assert sum(status == -signal.SIGKILL for status in killed) >= 3, killed
    for kind in ("pdf", "xlsx"):
        done = jixiao("build", kind, "--out", str(work), str(EXAMPLES))
        assert done.returncode == 0, done.stderr
    assert jixiao_names(work) == []
    assert sorted(p.name for p in work.iterdir()) == ["pdf", "xlsx"]
    for kind in ("pdf", "xlsx"):
        made, wanted = tree(work / kind), tree(clean / "cache" / kind)
        assert made.pop(".state.json")  # the run's time and the files' inodes: a site build keeps none
        assert made == wanted, kind
