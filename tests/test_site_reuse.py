"""A site built over the last one equals the site built from scratch.

After a change a build links every file it can from the site it replaces (generator/site/reuse.py):
a page whose key (the documents it shows) is unchanged, the search index when no page changed.
A key that missed something a page shows would leave that page stale; so after each kind of
change here — a project's text, a department's form, a self-evaluation that a later year's page
quotes, a project removed, one added — the site built over the last equals, byte for byte, the
site built from nothing, and the pages of departments the change does not touch were not
rewritten (the same inode: linked, not written).
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
import sys
from pathlib import Path

import pytest

from site_fixtures import ROOT, jixiao

sys.path.insert(0, str(ROOT / "tools"))
import corpus  # noqa: E402


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def build(declarations: Path, site: Path, cache: Path) -> None:
    done = jixiao("build", "site", "--out", str(site), "--pdf-cache", str(cache), str(declarations))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def edit(path: Path, pattern: str, replacement: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    changed, made = re.subn(pattern, replacement, text, count=count)
    assert made, f"{pattern} not in {path}"
    path.write_text(changed, encoding="utf-8")


def project_goal(declarations: Path) -> str:
    path = sorted((declarations / "2025").glob("*/projects/*.yaml"))[0]
    edit(path, r'annual: "', 'annual: "（调整）')
    return path.parts[-3]


def department_goal(declarations: Path) -> str:
    path = sorted((declarations / "2025").glob("*.yaml"))[1]
    edit(path, r'overall_goal: "', 'overall_goal: "（修订）')
    return path.stem


def evaluation_spending(declarations: Path) -> str:
    """Quoted by the same project's 2025 page (how it scored at the end of the last year)."""
    for path in sorted((declarations / "2024").glob("*/projects/*.self-evaluation.yaml")):
        if (declarations / "2025" / path.parts[-3] / "projects" / path.name.replace(".self-evaluation", "")).exists():
            break
    total = re.search(r"total: \{[^}]*budget: ([0-9.]+), executed: ([0-9.]+)", path.read_text(encoding="utf-8"))
    budget, spent = Decimal(total.group(1)), total.group(2)
    rate = Decimal("0.93") if Decimal(spent) != (budget * Decimal("0.93")).quantize(Decimal("0.01")) else Decimal("0.95")
    edit(path, rf"executed: {re.escape(spent)}\b", f"executed: {(budget * rate).quantize(Decimal('0.01'))}", count=0)
    return path.parts[-3]


def project_removed(declarations: Path) -> str:
    path = sorted((declarations / "2025").glob("*/projects/*.yaml"))[-1]
    path.unlink()
    return path.parts[-3]


def project_added(declarations: Path) -> str:
    source = sorted((declarations / "2025").glob("*/projects/*.yaml"))[2]
    target = source.with_name("added-project.yaml")
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"\n  id: [a-z0-9-]+\n", "\n  id: added-project\n", text, count=1)
    text = re.sub(r'\n  name: "', '\n  name: "新增', text, count=1)
    text = re.sub(r'\n  code: "', '\n  code: "N-', text, count=1)
    target.write_text(text, encoding="utf-8")
    return source.parts[-3]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reuse")
    corpus.build_corpus(root / "corpus", 6, (2024, 2025))
    build(root / "corpus" / "declarations", root / "site", root / "cache")
    return root


def test_a_site_built_over_the_last_equals_one_built_from_scratch(work: Path):
    declarations, site, cache = work / "corpus" / "declarations", work / "site", work / "cache"
    for change in (project_goal, department_goal, evaluation_spending, project_removed, project_added):
        before = inodes(site)
        department = change(declarations)
        build(declarations, site, cache)
        scratch = work / f"scratch-{change.__name__}"
        build(declarations, scratch, cache)
        assert tree(site) == tree(scratch), change.__name__
        shutil.rmtree(scratch)
        after = inodes(site)
        # Pages of departments the change does not touch: linked from the last site, not written.
        documents = {name.rsplit("/", 1)[0] for name in after if name.endswith(".pdf")}
        untouched = [
            f"{folder}/index.html" for folder in sorted(documents) if folder.split("/")[1] != department
        ]
        assert untouched
        if change is not project_removed and change is not project_added:  # these move every later page in search order
            rewritten = [name for name in untouched if before.get(name) != after[name]]
            assert rewritten == [], (change.__name__, rewritten[:5])


def test_a_build_with_nothing_changed_writes_no_file(work: Path):
    site = work / "site-again"
    declarations, cache = work / "corpus" / "declarations", work / "cache"
    build(declarations, site, cache)
    before = inodes(site)
    build(declarations, site, cache)
    after = inodes(site)
    assert after.keys() == before.keys()
    assert [name for name in after if after[name] != before[name]] == []
    assert any(name.startswith("pagefind/") for name in after)  # the search index, linked whole


def test_a_state_naming_other_files_is_not_trusted(work: Path):
    """The state vouches for a file by its inode: a site whose files were replaced by hand (another
    copy of the folder, a restore from backup) has every page made again, and made right."""
    declarations, cache = work / "corpus" / "declarations", work / "cache"
    site = work / "site-copied"
    build(declarations, site, cache)
    page = next(site.glob("2025/*/index.html"))
    page.unlink()
    page.write_text("<p>改过的页面</p>", encoding="utf-8")  # same place, another file: not kept
    build(declarations, site, cache)
    assert "改过的页面" not in page.read_text(encoding="utf-8")
    scratch = work / "scratch-copied"
    build(declarations, scratch, cache)
    assert tree(site) == tree(scratch)


@pytest.mark.parametrize("state", [
    "not json {", "[]", '{"version": 1, "files": []}',
    '{"version": 1, "files": {"2025/index.html": 5, "2024/index.html": ["k"], "pagefind/": ["k", 3, 1, 2, 3]}}',
])
def test_a_broken_state_is_ignored_and_the_site_made_right(work: Path, state: str):
    """A state file that is not what save_state writes (edited, truncated, another program's) vouches
    for nothing: the build neither fails nor trusts it."""
    declarations, cache = work / "corpus" / "declarations", work / "cache"
    site = work / "site-broken"
    build(declarations, site, cache)
    site.parent.joinpath(f".{site.name}.jixiao-state.json").write_text(state, encoding="utf-8")
    build(declarations, site, cache)
    scratch = work / "scratch-broken"
    build(declarations, scratch, cache)
    assert tree(site) == tree(scratch)
    shutil.rmtree(site)
    shutil.rmtree(scratch)
