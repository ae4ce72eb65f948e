"""Shared by the test files: the repository's folders, the seed, and the --update-golden flag."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
CORPUS = ROOT / "tests" / "corpus" / "broken"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/corpus/broken/expected.txt from what jixiao prints now; read the diff before committing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so paths print as a user typing them there would see them."""
    monkeypatch.chdir(ROOT)
    return ROOT


# ---- generated bureau corpora (tools/corpus.py), each built once per session --------------------


def _bureau_corpus(tmp_path_factory, name: str, departments: int, plant: bool):
    """A generated corpus under the session's temporary root, shared by xdist workers (file lock)."""
    import fcntl
    import os
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import corpus

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "jixiao-corpora"
    shared.mkdir(parents=True, exist_ok=True)
    root = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / corpus.MANIFEST).exists():
                corpus.build_corpus(root, departments, (2024, 2025), plant=plant)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return corpus.load(root)


@pytest.fixture(scope="session")
def bureau_corpus(tmp_path_factory):
    """48 departments × 2024/2025 (about 1,300 files), valid: no error, no warning. A BuiltCorpus:
    .root, .declarations (pass it to jixiao), .roster, .manifest (see tools/corpus.py)."""
    return _bureau_corpus(tmp_path_factory, "bureau-48", 48, plant=False)


@pytest.fixture(scope="session")
def bureau_corpus_planted(tmp_path_factory):
    """The same 48 departments with the planted problems (.planted, .expected) and 2 departments on
    the roster that file nothing."""
    return _bureau_corpus(tmp_path_factory, "bureau-48-planted", 48, plant=True)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    """6 departments × 2024/2025 (about 170 files), valid: for fast tests."""
    return _bureau_corpus(tmp_path_factory, "bureau-6", 6, plant=False)


@pytest.fixture(scope="session")
def small_corpus_planted(tmp_path_factory):
    """6 departments × 2024/2025 with the planted problems: for fast tests."""
    return _bureau_corpus(tmp_path_factory, "bureau-6-planted", 6, plant=True)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the browser tests, started once per test process."""
    from site_fixtures import chromium

    with chromium() as browser:
        yield browser
