"""`jixiao init DIR`: a bureau's repository that checks and publishes itself — the roster, the editor
schema, CI for GitHub and GitLab, a pre-commit hook and a README, from the templates in templates/init/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2

from generator import __version__
from generator.core import registry
from generator.core.files import TEMPLATES as SHARED_TEMPLATES

TEMPLATES = SHARED_TEMPLATES / "init"

# Template in templates/init/ → where it is written in the new repository.
FILES = {
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "departments.yaml": "declarations/departments.yaml",
    "github-workflow.yml": ".github/workflows/jixiao.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
}
SCHEMA = "declarations/declaration.schema.json"

# What may go between double quotes in YAML and in a shell line unchanged: a pip requirement or URL.
SOURCE_PATTERN = r"^[A-Za-z0-9][^\s\"'`$\\]*$"


class InitError(Exception):
    """Why nothing was written, in Chinese, for the command line to print."""


def git_source(source: str) -> tuple[str, str] | None:
    """git+https://host/owner/jixiao@v0.2.0 → (https://host/owner/jixiao, v0.2.0): the repository
    pre-commit installs the hook from. Without @rev, the tag of this version."""
    if not source.startswith("git+"):
        return None
    url = source[len("git+"):].split("#")[0]
    repo, at, rev = url.rpartition("@")
    if not at or "/" in rev:  # no @rev, or the @ of user@host
        return url, f"v{__version__}"
    return repo, rev


def render(source: str) -> dict[str, str]:
    """Every file of the new repository, by its path there."""
    if not re.match(SOURCE_PATTERN, source):
        raise InitError(f"--source「{source}」不像 pip 的安装参数（不能含空格、引号、$ 或反斜杠）")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        autoescape=False,
    )
    repo, rev = git_source(source) or ("", "")
    values = {"source": source, "repo": repo, "rev": rev, "forms": list(registry.forms().values())}
    files = {target: environment.get_template(name).render(values) for name, target in FILES.items()}
    from generator.scaffold.schema import json_schema

    files[SCHEMA] = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    return files


def init_repository(directory: Path, source: str) -> tuple[list[Path], list[Path]]:
    """Write the files missing from `directory` (made if missing); (written, left as they were).
    A file already there (`jixiao new` writes the schema, a bureau its own README) is never touched."""
    files = render(source)
    if directory.exists() and not directory.is_dir():
        raise InitError(f"{directory}: 不是文件夹")
    written, left = [], []
    for name, text in files.items():
        target = directory / name
        if target.exists() or target.is_symlink():
            left.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
                handle.write(text)
        except FileExistsError:
            left.append(target)
            continue
        written.append(target)
    return written, left
