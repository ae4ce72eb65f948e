"""`jixiao serve`: builds, serves on 127.0.0.1, rebuilds when a declaration changes, tells the page to reload."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = Path(sys.executable).parent / "jixiao"
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def served(tmp_path):
    declarations = tmp_path / "declarations"
    (declarations / "2024").mkdir(parents=True)
    shutil.copy(SEED, declarations / "2024" / SEED.name)
    process = subprocess.Popen(
        [str(JIXIAO), "serve", "--port", "0", "--out", str(tmp_path / "site"), str(declarations)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = wait_for(lambda: process.stdout.readline(), 60)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        yield f"http://127.0.0.1:{match[1]}", declarations / "2024" / SEED.name, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_rebuilds_on_change_and_the_page_reloads(served):
    base, declaration, process = served
    page = fetch(f"{base}/2024/nansha-dongchong/index.html")
    assert "广州市南沙区东涌镇人民政府" in page
    assert "/__jixiao_build" in page  # the reload script is added as the page is served
    assert fetch(f"{base}/__jixiao_build") == "0"

    text = declaration.read_text(encoding="utf-8").replace("name: 广州市南沙区东涌镇人民政府", "name: 广州市南沙区东涌镇政府（预览）")
    declaration.write_text(text, encoding="utf-8")
    wait_for(lambda: fetch(f"{base}/__jixiao_build") == "1", 60)
    assert "广州市南沙区东涌镇政府（预览）" in fetch(f"{base}/2024/nansha-dongchong/index.html")
    assert process.poll() is None


def test_serve_keeps_the_last_good_site_when_a_change_breaks_validation(served):
    base, declaration, process = served
    declaration.write_text(declaration.read_text(encoding="utf-8").replace("year: 2024", "year: 二〇二四"), encoding="utf-8")
    time.sleep(3)  # long enough for a rebuild to have been attempted
    assert fetch(f"{base}/__jixiao_build") == "0"
    assert "广州市南沙区东涌镇人民政府" in fetch(f"{base}/2024/nansha-dongchong/index.html")
    assert process.poll() is None


def test_generated_site_files_carry_no_reload_script(served, tmp_path):
    base, _declaration, _process = served
    fetch(f"{base}/index.html")
    assert "/__jixiao_build" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
