"""The guide in docs/, followed as a user follows it: every command block run in one scratch folder,
page after page in the order of the site's menu, so the guide cannot drift from what jixiao does.

How a block is treated is said by its fence:
- ```bash: commands run in order (with `jixiao` from this environment on PATH); each must succeed.
- ```console: lines after `$ ` are run; the lines below each are its output, compared word for word.
  A console block without `$ ` shows the shape of an output and is not run.
- ```yaml whose first line is `# 文件：<path>（…）`: the file the reader writes; it is written there.
- ```sh and ```powershell: steps that cannot run here (installing, a server that does not end, Windows);
  any jixiao command in them must be run by a bash or console block somewhere in the guide.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site.build import HELP_ORDER

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BIN = Path(sys.executable).parent
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
FILE_MARK = re.compile(r"# 文件：(\S+?)（")
NOT_RUN = {"sh", "powershell"}


def pages() -> list[Path]:
    found = sorted(DOCS.glob("*.md"), key=lambda p: (HELP_ORDER.index(p.stem) if p.stem in HELP_ORDER else len(HELP_ORDER), p.stem))
    return found


def blocks(page: Path) -> list[tuple[str, str]]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def _commands(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _run_commands() -> set[str]:
    ran = set()
    for page in pages():
        for lang, body in blocks(page):
            if lang == "bash":
                ran.update(_commands(body))
            elif lang == "console":
                ran.update(line[2:].strip() for line in body.splitlines() if line.startswith("$ "))
    return ran


def test_every_block_says_how_it_is_treated():
    for page in pages():
        for lang, body in blocks(page):
            assert lang in {"bash", "console", "yaml", "json", "sh", "powershell"}, (page.name, lang, body[:80])


def test_commands_in_blocks_that_are_not_run_are_run_elsewhere():
    ran = _run_commands()
    for page in pages():
        for lang, body in blocks(page):
            if lang not in NOT_RUN:
                continue
            for command in _commands(body):
                if command.startswith("jixiao") and not command.startswith("jixiao serve"):
                    assert command in ran, (page.name, command)


def follow(scratch: Path, bin_dir: Path, chapters: list[Path]) -> list[tuple[str, str, list[str], list[str]]]:
    """Do what `chapters` say in `scratch`, with the jixiao of `bin_dir`: (page, command, expected, printed)
    for every console command."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1",
        "GIT_AUTHOR_NAME": "示例", "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "示例", "GIT_COMMITTER_EMAIL": "a@example.org",
    }
    subprocess.run(["git", "init", "-q"], cwd=scratch, check=True, env=env)
    printed: list[tuple[str, str, list[str], list[str]]] = []
    for page in chapters:
        for lang, body in blocks(page):
            if lang == "yaml":
                mark = FILE_MARK.match(body)
                if mark:
                    target = scratch / mark.group(1)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(body, encoding="utf-8")
            elif lang == "bash":
                result = subprocess.run(["bash", "-e", "-c", body], cwd=scratch, env=env, capture_output=True,
                                        text=True, encoding="utf-8", timeout=600)
                assert result.returncode == 0, (page.name, body, result.stdout, result.stderr)
                assert "Traceback" not in result.stdout + result.stderr, (page.name, body, result.stderr)
            elif lang == "console":
                runs: list[tuple[str, list[str]]] = []
                for line in body.splitlines():
                    if line.startswith("$ "):
                        runs.append((line[2:], []))
                    elif runs:
                        runs[-1][1].append(line)
                for command, expected in runs:
                    result = subprocess.run(["bash", "-c", command + " 2>&1"], cwd=scratch, env=env, capture_output=True,
                                            text=True, encoding="utf-8", timeout=600)
                    printed.append((page.name, command, expected, result.stdout.splitlines()))
    return printed


FORM_PDFS = ("nansha-dongchong.pdf", "nansha-dongchong/self-evaluation.pdf", "nansha-dongchong/projects/river-cleanup.pdf",
             "nansha-dongchong/projects/river-cleanup.self-evaluation.pdf")


@pytest.fixture(scope="module")
def followed(tmp_path_factory):
    """The scratch folder after every page's blocks ran, and what each console command printed."""
    scratch = tmp_path_factory.mktemp("guide")
    return scratch, follow(scratch, BIN, pages())


def test_console_blocks_show_what_jixiao_prints(followed):
    _, printed = followed
    assert printed, "no console block was run"
    for page, command, expected, got in printed:
        assert got == expected, (page, command)


def test_the_guide_leads_to_a_pdf_of_each_form(followed):
    scratch, _ = followed
    for name in FORM_PDFS:
        path = scratch / "output" / "pdf" / "2025" / name
        assert path.is_file() and path.read_bytes().startswith(b"%PDF-"), path
    assert (scratch / "output" / "site" / "index.html").is_file()  # publishing.md
    assert (scratch / ".github" / "workflows" / "jixiao.yml").is_file()  # bureau.md: init after new


def test_first_filing_teaches_the_block_style_the_skeleton_writes():
    skeleton = (ROOT / "generator" / "forms" / "department_target" / "skeleton.yaml").read_text(encoding="utf-8")
    guide = (DOCS / "first-filing.md").read_text(encoding="utf-8")
    assert "overall_goal: >-" in skeleton and "overall_goal: >-" in guide


def test_codes_md_shows_no_key_the_forms_refuse():
    """Every key a codes.md example names in its field path is one some form accepts."""
    from generator.core import registry
    from generator.input.mistakes import _all_field_names

    known = _all_field_names()
    text = (DOCS / "codes.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?:…|\.)([a-z_]+)（", text))
    assert registry.forms() and named - known == set(), named - known


def test_every_example_in_codes_md_is_what_that_code_prints():
    """Each code's example line carries the code's severity and fits its message template (the
    catalogue's wording, with any value where the template has a placeholder)."""
    from generator.core.registry import all_codes

    CODES = all_codes()  # the forms' own codes included

    text = (DOCS / "codes.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (J\d{3}) .*?\n(.*?)(?=^### |^## |\Z)", text, re.M | re.S))
    wrong = []
    for name, body in sections.items():
        example = re.search(r"例：`(.*?)`", body).group(1)
        shape = re.match(rf".*?: (错误|警告) {name}: (.*)$", example)
        assert shape, (name, example)
        entry = CODES[name]
        if shape.group(1) != entry.severity.label:
            wrong.append((name, "severity", shape.group(1)))
            continue
        pattern = "".join(".+" if part.startswith("{") else re.escape(part)
                          for part in re.split(r"(\{[a-z_0-9]+\})", entry.message.replace("{{", "{").replace("}}", "}")))
        field_and_message = shape.group(2)
        if not re.search(rf"(^|: ){pattern}$", field_and_message):
            wrong.append((name, entry.message, field_and_message))
    assert not wrong, "\n".join(map(str, wrong))


def test_codes_md_examples_are_labelled_as_the_checks_report():
    """For every code the checks' own table raises from a real file (tests/test_checks.py CASES), the
    codes.md example has that severity; and every example's field is written as jixiao writes fields:
    list positions from 1, the key's own Chinese label."""
    from generator.core import registry
    from generator.input.mistakes import _field_table
    from generator.input.checks import run_checks
    from test_checks import BALANCED, CASES, load

    titles = {(path[-1], info.title) for form in registry.forms().values()
              for path, (info, _) in _field_table(form.model)[0].items() if info.title}
    text = (DOCS / "codes.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (J\d{3}) .*?\n(.*?)(?=^### |^## |\Z)", text, re.M | re.S))
    wrong = []
    for code, body in sections.items():
        example = re.search(r"例：`(.*?)`", body).group(1)
        severity, field = re.match(rf".*?: (错误|警告) {code}: (.*?): ", example).groups()
        if "[0]" in field:
            wrong.append((code, "positions count from 1", field))
        named = re.search(r"([a-z_0-9]+)(?:\[\d+\])?（(.+)）$", field)
        if named and named.group(1) in {key for key, _ in titles} and (named.group(1), named.group(2)) not in titles:
            wrong.append((code, "label", field))
        if code in CASES:
            raised = [p for p in run_checks(load(CASES[code](BALANCED))) if p.code == code]
            assert raised, code
            if severity != raised[0].severity.label:
                wrong.append((code, "severity", severity))
    assert not wrong, "\n".join(map(str, wrong))
