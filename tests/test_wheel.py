"""jixiao as a user installs it: the wheel built from this repository, installed into a fresh virtual
environment outside it, run in an empty folder — new, validate, build pdf, build site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
PROJECT = ROOT / "examples" / "2024" / "nansha-dongchong" / "projects" / "water-town-culture.yaml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of the repository, so that the build leaves nothing behind in the working tree.
    source = out / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "output", "__pycache__", ".*cache"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    [built] = out.glob("jixiao-*.whl")
    return built


def test_the_wheel_carries_the_templates_and_every_form(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"generator/templates/print.html", "generator/templates/static/print.css", "generator/templates/site/base.html"} <= names
    assert {"generator/templates/init/github-workflow.yml", "generator/templates/init/gitignore"} <= names  # jixiao init
    assert {"generator/docs/index.md", "generator/docs/codes.md"} <= names  # the guide the site renders at help/
    for form in ("department_target", "project_target", "department_self_evaluation", "project_self_evaluation"):
        assert {f"generator/forms/{form}/form.html", f"generator/forms/{form}/skeleton.yaml"} <= names


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with only the wheel installed; its dependencies are borrowed from the test
    environment's site-packages (appended to sys.path), so nothing is fetched and jixiao's own
    code and templates can only come from the wheel."""
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    return env


def run(env: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(env / "bin" / "jixiao"), *args], cwd=cwd, capture_output=True, text=True, env=clean, timeout=300)


def test_installed_jixiao_works_in_an_empty_folder(installed, tmp_path):
    where = subprocess.run([str(installed / "bin" / "python"), "-c", "import generator; print(generator.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(installed), where  # the wheel's copy, not the repository

    made = run(installed, "new", "--year", "2025", "--id", "test-town", "--name", "测试镇人民政府", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    skeleton = tmp_path / "declarations" / "2025" / "test-town.yaml"
    assert 'name: "测试镇人民政府"' in skeleton.read_text(encoding="utf-8")
    assert (tmp_path / "declarations" / "declaration.schema.json").is_file()  # what its first line names
    skeleton.unlink()

    (tmp_path / "declarations" / "2024" / "nansha-dongchong" / "projects").mkdir(parents=True)
    shutil.copy(SEED, tmp_path / "declarations" / "2024" / SEED.name)
    shutil.copy(PROJECT, tmp_path / "declarations" / "2024" / "nansha-dongchong" / "projects" / PROJECT.name)
    checked = run(installed, "validate", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[-1] == "检查了 2 个申报文件：0 个错误，1 个警告"

    pdf = run(installed, "build", "pdf", cwd=tmp_path)
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "output" / "pdf" / "2024" / "nansha-dongchong.pdf").stat().st_size > 10_000
    assert (tmp_path / "output" / "pdf" / "2024" / "nansha-dongchong" / "projects" / "water-town-culture.pdf").is_file()

    site = run(installed, "build", "site", cwd=tmp_path)
    assert site.returncode == 0, site.stderr
    page = tmp_path / "output" / "site" / "2024" / "nansha-dongchong" / "projects" / "water-town-culture" / "index.html"
    assert "东涌水乡文化旅游品牌建设（示例）" in page.read_text(encoding="utf-8")
    assert (tmp_path / "output" / "site" / "static" / "form.css").is_file()


def test_init_from_the_installed_wheel_writes_the_wheels_address(installed, wheel, tmp_path):
    """pip recorded where the wheel came from: the new repository's README and CI install that, not a bare name."""
    made = run(installed, "init", "repo", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    readme = (tmp_path / "repo" / "README.md").read_text(encoding="utf-8")
    assert f'pip install "{wheel.resolve().as_uri()}"' in readme, readme
    assert "占位符" not in made.stderr


def test_the_guide_is_followed_with_the_installed_wheel(installed, tmp_path):
    """docs/first-filing.md and docs/self-evaluation.md, command by command in an empty folder with the
    wheel's jixiao, end in a PDF of each of the four forms; what the console blocks show is what it prints."""
    from test_docs import DOCS, FORM_PDFS, follow

    printed = follow(tmp_path, installed / "bin", [DOCS / "first-filing.md", DOCS / "self-evaluation.md"])
    assert printed and all(got == expected for _, _, expected, got in printed), printed
    for name in FORM_PDFS:
        assert (tmp_path / "output" / "pdf" / "2025" / name).read_bytes().startswith(b"%PDF-"), name
