"""`jixiao init DIR`: a bureau's repository that checks and publishes itself. The files parse, every
jixiao command they name is real, nothing is overwritten, and the pre-commit hook — installed by the
real `pre-commit` from this repository, as it would be from GitHub — refuses a broken declaration."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from generator import __version__
from generator.core import registry
from generator.scaffold.install_source import PLACEHOLDER, installed_source, source_from
from generator.cli import cli
from generator.core.fields import ID_PATTERN

from test_cli import ROOT, SEED, jixiao, lines

FILES = [
    "README.md",
    ".gitignore",
    "declarations/departments.yaml",
    ".github/workflows/jixiao.yml",
    ".gitlab-ci.yml",
    ".pre-commit-config.yaml",
    "declarations/declaration.schema.json",
]
YAML_FILES = [name for name in FILES if name.endswith((".yml", ".yaml"))]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("init") / "bureau"
    result = jixiao("init", str(folder), cwd=folder.parent)
    assert result.returncode == 0, result.stderr
    return folder, result


def test_init_writes_the_repository_and_names_every_file(made):
    folder, result = made
    assert sorted(lines(result.stdout)[:-1]) == sorted(str(folder / name) for name in FILES)
    assert lines(result.stdout)[-1].startswith(f"已建立申报仓库 {folder}")
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == sorted(FILES)
    assert set((folder / ".gitignore").read_text(encoding="utf-8").split()) >= {"output/", ".venv/"}
    written = json.loads((folder / "declarations" / "declaration.schema.json").read_text(encoding="utf-8"))
    committed = json.loads((ROOT / "declarations" / "declaration.schema.json").read_text(encoding="utf-8"))
    assert written == committed  # what `jixiao schema` prints


@pytest.mark.parametrize("name", YAML_FILES)
def test_every_yaml_file_parses(made, name):
    folder, _ = made
    assert isinstance(yaml.safe_load((folder / name).read_text(encoding="utf-8")), dict)


def test_the_roster_example_names_real_forms(made):
    roster = yaml.safe_load((made[0] / "declarations" / "departments.yaml").read_text(encoding="utf-8"))
    assert roster["departments"]
    for department in roster["departments"]:
        assert set(department) == {"id", "name", "level", "owes"}
        assert re.match(ID_PATTERN, department["id"]) and department["name"] and department["level"]
        assert department["owes"] and set(department["owes"]) <= set(registry.forms())
    assert {"镇本级", "区直"} <= {d["level"] for d in roster["departments"]}


# ---- every `jixiao …` named is a real command ----------------------------------------------------

COMMAND = re.compile(r"(?<![\w$+/.-])jixiao((?: +[a-z0-9-][^\s`\"'|)]*)+)")


def named_commands(text: str) -> list[list[str]]:
    """The jixiao command lines in a text, each cut where prose or a placeholder (anything not ASCII)
    or a comment begins."""
    found = []
    for match in COMMAND.finditer(text):
        words = []
        for word in match.group(1).split():
            plain = re.match(r"[!-~]*", word).group(0)
            if plain and not plain.startswith("#"):
                words.append(plain)
            if plain != word or plain.startswith("#"):
                break
        found.append(words)
    return found


def check_command(words: list[str]) -> str:
    """Walk the click command tree; every subcommand and option must exist. Returns the command's path."""
    command, path = cli, []
    for word in words:
        if isinstance(command, click.Group) and not word.startswith("-"):
            assert word in command.commands, f"jixiao {' '.join(words)}: no command {word!r} in {' '.join(['jixiao', *path])}"
            command = command.commands[word]
            path.append(word)
        elif word.startswith("-"):
            options = {opt for param in command.params for opt in param.opts}
            assert word.split("=")[0] in options, f"jixiao {' '.join(words)}: {' '.join(path)} has no option {word}"
    assert not isinstance(command, click.Group), f"jixiao {' '.join(words)} names a group, not a command"
    return " ".join(path)


def test_commands_named_in_the_files_are_real_jixiao_commands(made):
    folder, _ = made
    named = {}
    for name in [*FILES[:-1]]:
        named[name] = {check_command(words) for words in named_commands((folder / name).read_text(encoding="utf-8"))}
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    named["hooks"] = {check_command(words) for words in named_commands(hook["entry"])}
    assert named[".github/workflows/jixiao.yml"] == {"validate", "build pdf", "build xlsx", "build site", "review"}
    assert named[".gitlab-ci.yml"] == {"validate", "build pdf", "build xlsx", "build site", "review"}
    assert {"new", "validate", "build pdf", "import"} <= named["README.md"]
    assert named["hooks"] == {"validate"}


def test_the_checker_would_catch_a_misnamed_command():
    assert named_commands("run: jixiao build pdfs --force # later") == [["build", "pdfs", "--force"]]
    with pytest.raises(AssertionError):
        check_command(["build", "pdfs"])
    with pytest.raises(AssertionError):
        check_command(["validate", "--formats", "github"])
    with pytest.raises(AssertionError):
        check_command(["build"])


# ---- CI --------------------------------------------------------------------------------------------

SYSTEM_PACKAGES = {"fonts-noto-cjk", "libpango-1.0-0", "libharfbuzz-subset0"}


def test_github_workflow_validates_pull_requests_and_publishes_main_to_pages(made):
    workflow = yaml.safe_load((made[0] / ".github" / "workflows" / "jixiao.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    assert workflow["env"]["JIXIAO"] == installed_source()[0]
    jobs = workflow["jobs"]
    runs = {name: [step.get("run", "") for step in job["steps"]] for name, job in jobs.items()}
    uses = {name: [step.get("uses", "").split("@")[0] for step in job["steps"]] for name, job in jobs.items()}
    assert "jixiao validate --format github" in runs["validate"] and 'pip install "$JIXIAO"' in runs["validate"]
    # Pull requests are checked strictly; main publishes what is valid and hands the desk to the bureau.
    assert jobs["validate"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["build"]["if"] == jobs["deploy"]["if"] == "github.event_name != 'pull_request'"
    assert [r for r in runs["build"] if r.startswith("jixiao")] == [
        "jixiao build pdf --skip-invalid", "jixiao build xlsx --skip-invalid", "jixiao build site --skip-invalid", "jixiao review"
    ]
    assert {"name": "review", "path": "output/review"} in [step.get("with") for step in jobs["build"]["steps"]]
    assert SYSTEM_PACKAGES <= set(" ".join(runs["build"]).split())
    assert "actions/upload-pages-artifact" in uses["build"] and uses["deploy"] == ["actions/deploy-pages"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert jobs["deploy"]["needs"] == "build" and "needs" not in jobs["build"]


def test_gitlab_ci_publishes_public_from_a_pages_job(made):
    pipeline = yaml.safe_load((made[0] / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert pipeline["variables"]["JIXIAO"] == installed_source()[0]
    pages = pipeline["pages"]
    assert "public" in pages["artifacts"]["paths"]
    assert "jixiao build site --skip-invalid --out public" in pages["script"]
    assert "jixiao build pdf --skip-invalid" in pages["script"] and "output/review" in pages["artifacts"]["paths"]
    assert pipeline["validate"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert SYSTEM_PACKAGES <= set(" ".join(pages["script"]).split())
    assert 'pip install "$JIXIAO"' in pages["script"] and 'pip install "$JIXIAO"' in pipeline["validate"]["script"]


def test_the_install_line_is_one_option(tmp_path):
    source = "git+https://example.org/bureau/jixiao@v0.2.0"
    result = jixiao("init", "repo", "--source", source, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    repo = tmp_path / "repo"
    assert yaml.safe_load((repo / ".github/workflows/jixiao.yml").read_text(encoding="utf-8"))["env"]["JIXIAO"] == source
    assert yaml.safe_load((repo / ".gitlab-ci.yml").read_text(encoding="utf-8"))["variables"]["JIXIAO"] == source
    # From a git repository, pre-commit installs jixiao's own hook from it.
    [entry] = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
    assert (entry["repo"], entry["rev"], entry["hooks"][0]["id"]) == ("https://example.org/bureau/jixiao", "v0.2.0", "jixiao-validate")
    bad = jixiao("init", "other", "--source", 'jixiao"; rm -rf ~', cwd=tmp_path)
    assert bad.returncode == 1 and "不像 pip 的安装参数" in bad.stderr
    assert not (tmp_path / "other").exists()


def test_pre_commit_files_are_valid_by_pre_commits_own_schema(made, tmp_path):
    from pre_commit.clientlib import load_config, load_manifest

    [hook] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["entry"], hook["language"], hook["files"], hook["pass_filenames"]) == (
        "jixiao-validate", "jixiao validate", "python", r"\.ya?ml$", True
    )
    [local] = load_config(str(made[0] / ".pre-commit-config.yaml"))["repos"]
    assert local["repo"] == "local" and local["hooks"][0]["id"] == "jixiao-validate"
    assert local["hooks"][0]["additional_dependencies"] == [installed_source()[0]]
    jixiao("init", "git", "--source", "git+https://example.org/jixiao", cwd=tmp_path)
    [remote] = load_config(str(tmp_path / "git" / ".pre-commit-config.yaml"))["repos"]
    assert remote["repo"] == "https://example.org/jixiao" and remote["rev"].startswith("v")


# ---- never overwrites ------------------------------------------------------------------------------


def test_init_adds_what_is_missing_and_leaves_what_is_there(tmp_path):
    target = tmp_path / "bureau"
    (target / ".github" / "workflows").mkdir(parents=True)
    (target / ".github" / "workflows" / "jixiao.yml").write_text("# ours\n", encoding="utf-8")
    (target / "README.md").write_text("# 我们的说明\n", encoding="utf-8")
    result = jixiao("init", "bureau", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "bureau/README.md（已有，保留原样）" in lines(result.stdout)
    assert "bureau/.github/workflows/jixiao.yml（已有，保留原样）" in lines(result.stdout)
    assert (target / "README.md").read_text(encoding="utf-8") == "# 我们的说明\n"
    assert (target / ".github" / "workflows" / "jixiao.yml").read_text(encoding="utf-8") == "# ours\n"
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()) == sorted(FILES)


def test_init_after_new_in_the_same_folder(tmp_path):
    """`jixiao new` wrote a declaration and the schema; init adds the rest and says it kept the schema."""
    assert jixiao("new", "--year", "2025", "--id", "demo", "--name", "示例部门", cwd=tmp_path).returncode == 0
    result = jixiao("init", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "declarations/declaration.schema.json（已有，保留原样）" in lines(result.stdout)
    assert (tmp_path / ".github" / "workflows" / "jixiao.yml").is_file()
    assert (tmp_path / "declarations" / "2025" / "demo.yaml").is_file()
    assert jixiao("validate", cwd=tmp_path).returncode in (0, 1)  # the skeleton is still to be filled in


@pytest.mark.parametrize(
    "record, expected",
    [
        (None, ("jixiao==0.2.0", False)),  # from a package index
        ('{"url": "https://example.org/bureau/jixiao.git", "vcs_info": {"vcs": "git", "requested_revision": "v0.2.0", '
         '"commit_id": "0123abcd"}}', ("git+https://example.org/bureau/jixiao.git@v0.2.0", False)),
        ('{"url": "https://example.org/bureau/jixiao.git", "vcs_info": {"vcs": "git", "commit_id": "0123abcd"}}',
         ("git+https://example.org/bureau/jixiao.git@0123abcd", False)),
        ('{"url": "https://example.org/dist/jixiao-0.2.0-py3-none-any.whl", "archive_info": {}}',
         ("https://example.org/dist/jixiao-0.2.0-py3-none-any.whl", False)),
        ('{"url": "file:///srv/wheels/jixiao-0.2.0-py3-none-any.whl", "archive_info": {"hashes": {}}}',
         ("file:///srv/wheels/jixiao-0.2.0-py3-none-any.whl", False)),
        ('{"url": "file:///home/me/jixiao", "dir_info": {"editable": true}}', (PLACEHOLDER.format(version=__version__), True)),
    ],
)
def test_the_install_line_comes_from_how_jixiao_was_installed(record, expected):
    assert source_from(record, "0.2.0") == expected


def test_a_placeholder_install_line_is_marked_and_refused_by_pip(tmp_path):
    """From a source folder there is no address to give: init says so, and the line cannot install anything."""
    result = jixiao("init", "repo", cwd=tmp_path)
    source, placeholder = installed_source()
    assert result.returncode == 0, result.stderr
    if placeholder:  # this test environment is an editable install from the repository
        assert source.startswith("TODO-") and f"占位符「{source}」" in result.stderr
    readme = (tmp_path / "repo" / "README.md").read_text(encoding="utf-8")
    assert f'pip install "{source}"' in readme and 'pip install "jixiao"' not in readme


def test_init_refuses_a_file_as_target(tmp_path):
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = jixiao("init", "afile", cwd=tmp_path)
    assert result.returncode == 1 and lines(result.stderr) == ["afile: 不是文件夹"]


def test_init_into_an_existing_git_repository(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = jixiao("init", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".github" / "workflows" / "jixiao.yml").is_file()


# ---- the hook, run by pre-commit -------------------------------------------------------------------


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=600)


def test_pre_commit_refuses_a_broken_declaration_and_lets_the_fixed_one_through(tmp_path):
    # The tests run in a clone of this repository (make test, CI): its HEAD is what pre-commit installs.
    head = git("rev-parse", "HEAD", cwd=ROOT)
    assert head.returncode == 0, f"this test installs jixiao from the repository's HEAD: {head.stderr}"
    # pre-commit clones this repository at HEAD and pip-installs jixiao from it, as from GitHub.
    repo = tmp_path / "bureau"
    assert jixiao("init", str(repo), "--source", f"git+{ROOT.as_uri()}@{head.stdout.strip()}", cwd=tmp_path).returncode == 0
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PYTHONIOENCODING": "utf-8",
           "GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "t@example.org"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=repo, capture_output=True, text=True, encoding="utf-8", env=env, timeout=900)

    assert run("git", "init", "-q").returncode == 0
    assert run("git", "add", "-A").returncode == 0
    assert run("git", "commit", "-qm", "jixiao init").returncode == 0  # before the hook is installed
    pre_commit = Path(sys.executable).parent / "pre-commit"
    installed = run(str(pre_commit), "install")
    assert installed.returncode == 0, installed.stderr

    target = repo / "declarations" / "2024" / SEED.name
    target.parent.mkdir(parents=True)
    seed = SEED.read_text(encoding="utf-8")
    target.write_text(seed.replace("staff_count: 244 ", "staff_count: 二百四十四"), encoding="utf-8")
    run("git", "add", "-A")
    refused = run("git", "commit", "-m", "东涌镇 2024")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "declarations/2024/nansha-dongchong.yaml:9:16: 错误 J011: basic_info.staff_count（财政供养人员数）: 「二百四十四」不是非负整数" in output
    assert run("git", "rev-list", "--count", "HEAD").stdout.strip() == "1"

    target.write_text(seed, encoding="utf-8")
    run("git", "add", "-A")
    accepted = run("git", "commit", "-m", "东涌镇 2024")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert re.search(r"jixiao validate\.+Passed", accepted.stdout + accepted.stderr)
    assert run("git", "rev-list", "--count", "HEAD").stdout.strip() == "2"
