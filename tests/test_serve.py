"""`jixiao serve`: builds, serves on 127.0.0.1, rebuilds when a declaration changes, tells the page to
reload; a failed rebuild keeps the last good site and the page shows its problems. The last test
does it all in Chromium, with the pages' Content-Security-Policy enforced."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import json
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


def status(base: str) -> dict:
    return json.loads(fetch(f"{base}/__jixiao_status"))


def test_serve_rebuilds_on_change_and_the_page_reloads(served):
    base, declaration, process = served
    page = fetch(f"{base}/2024/nansha-dongchong/index.html")
    assert "广州市南沙区东涌镇人民政府" in page
    # the reload script is added as the page is served, as a same-origin file the CSP allows
    assert page.count('<script src="/__jixiao_reload.js"></script></body>') == 1
    assert "fetch(" in fetch(f"{base}/__jixiao_reload.js")
    assert status(base) == {"build": 0, "problems": []}

    text = declaration.read_text(encoding="utf-8").replace("name: 广州市南沙区东涌镇人民政府", "name: 广州市南沙区东涌镇政府（预览）")
    declaration.write_text(text, encoding="utf-8")
    wait_for(lambda: status(base)["build"] == 1, 60)
    assert "广州市南沙区东涌镇政府（预览）" in fetch(f"{base}/2024/nansha-dongchong/index.html")
    assert process.poll() is None


def test_serve_keeps_the_last_good_site_when_a_change_breaks_validation(served):
    base, declaration, process = served
    declaration.write_text(declaration.read_text(encoding="utf-8").replace("year: 2024", "year: 二〇二四"), encoding="utf-8")
    # Waits for the build of the whole edit: a build that caught the file half-written reports that instead.
    problems = wait_for(
        lambda: [line for line in status(base)["problems"] if "J011" in line and "二〇二四" in line], 60
    )
    assert problems, status(base)
    assert status(base)["build"] == 0
    assert "广州市南沙区东涌镇人民政府" in fetch(f"{base}/2024/nansha-dongchong/index.html")
    assert process.poll() is None


def test_generated_site_files_carry_no_reload_script(served, tmp_path):
    base, _declaration, _process = served
    fetch(f"{base}/index.html")
    for path in (tmp_path / "site").rglob("*.html"):
        assert "__jixiao" not in path.read_text(encoding="utf-8"), path
    assert not list((tmp_path / "site").rglob("__jixiao*"))


OLD_TASK = "经济追赶超越“建新功”"
NEW_TASK = "经济追赶超越“预览改名”"
BANNER = "#jixiao-preview-problems"


def test_the_open_page_reloads_shows_a_broken_build_and_recovers_in_chromium(served, browser):
    """Edit → the open page reloads with the change; a YAML error → a banner lists the problem (as
    text) over the last good page; fixed → the page reloads and the banner is gone. All under the
    page's own Content-Security-Policy, with no violation reported."""
    base, declaration, process = served
    good = declaration.read_text(encoding="utf-8")
    assert OLD_TASK in good
    context = browser.new_context()  # CSP enforced
    try:
        page = context.new_page()
        console, errors = [], []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        loads = []
        page.on("load", lambda p: loads.append(p.url))
        page.goto(f"{base}/2024/nansha-dongchong/index.html", wait_until="load")
        assert page.locator("table.form-tasks, article.form").first.is_visible()
        assert page.locator("article.form", has_text=OLD_TASK).count() == 1
        # the script is running: it has fetched the status at least once
        wait_for(lambda: page.evaluate("performance.getEntriesByType('resource').some(e => e.name.endsWith('/__jixiao_status'))"), 10)

        # 1. an edit: the page reloads by itself and shows it
        declaration.write_text(good.replace(OLD_TASK, NEW_TASK), encoding="utf-8")
        page.wait_for_selector(f"article.form >> text={NEW_TASK}", timeout=90_000)
        assert len(loads) >= 2
        assert page.locator(BANNER).count() == 0

        # 2. a YAML error with markup in it: a banner lists the problem as text, the page stays
        broken = good.replace(OLD_TASK, NEW_TASK).replace("year: 2024", "year: 2024\n\tbad: <img src=x onerror=alert(1)>", 1)
        declaration.write_text(broken, encoding="utf-8")
        banner = page.wait_for_selector(BANNER, timeout=90_000)
        text = banner.text_content()
        assert "J001" in text and declaration.name in text, text
        assert banner.get_attribute("role") == "alert"
        assert page.locator(f"{BANNER} img, {BANNER} script").count() == 0
        assert page.locator("article.form", has_text=NEW_TASK).count() == 1  # the last good site
        assert status(base)["build"] == 1
        # the banner is on screen, not hidden away
        box = banner.bounding_box()
        assert box and box["height"] > 20 and box["y"] < 100

        # 3. fixed: the page reloads and the banner goes
        loads_before = len(loads)
        declaration.write_text(good, encoding="utf-8")
        page.wait_for_selector(BANNER, state="detached", timeout=90_000)
        page.wait_for_selector(f"article.form >> text={OLD_TASK}", timeout=90_000)
        assert len(loads) > loads_before
        assert status(base) == {"build": 2, "problems": []}

        assert page.evaluate("window.__violations") == []
        assert not [line for line in console if line.startswith("error")], console
        assert errors == []
        assert process.poll() is None
    finally:
        context.close()
