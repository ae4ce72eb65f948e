"""The `jixiao` console script as a user runs it: exit codes and the exact lines it prints."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import fill_skeleton

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
JIXIAO = Path(sys.executable).parent / "jixiao"  # the console script installed next to this Python
SEED_WARNING = "收入来源合计 96,600.20 万元，比部门预算支出合计 92,967.09 万元多 3,633.11 万元"


def jixiao(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert JIXIAO.exists(), f"{JIXIAO} is not installed; run make test"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [str(JIXIAO), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=60
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    return result


def lines(text: str) -> list[str]:
    return text.splitlines()


def line_of(path: Path, needle: str) -> int:
    found = [n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line]
    assert len(found) == 1, found
    return found[0]


def seed_warning_line(display: str, path: Path = SEED) -> str:
    return f"{display}:{line_of(path, '{label: 财政拨款')}:5: 警告 J202: budget.income（收入来源）: {SEED_WARNING}"


# ---- validate ------------------------------------------------------------------------------------


def test_validate_seed_prints_the_income_gap_warning_and_exits_0():
    display = "declarations/2024/nansha-dongchong.yaml"
    result = jixiao("validate", display, cwd=ROOT)
    assert result.returncode == 0
    assert lines(result.stdout) == [seed_warning_line(display), "检查了 1 个申报文件：0 个错误，1 个警告"]
    assert result.stderr == ""


def test_strict_makes_the_warning_an_error_and_exits_1():
    display = "declarations/2024/nansha-dongchong.yaml"
    result = jixiao("validate", "--strict", display, cwd=ROOT)
    assert result.returncode == 1
    assert lines(result.stdout) == [
        seed_warning_line(display).replace("警告 J202", "错误 J202"),
        "检查了 1 个申报文件：1 个错误，0 个警告",
    ]


def test_validate_reports_every_problem_of_every_file(tmp_path):
    folder = tmp_path / "decls" / "2024"
    folder.mkdir(parents=True)
    shutil.copy(SEED, folder / SEED.name)
    seed = SEED.read_text(encoding="utf-8")
    broken = (
        seed.replace("staff_count: 244 ", "staff_count: 二百四十四")
        .replace("    basic: 9830.96", "    basci: 9830.96")
        .replace("id: nansha-dongchong", "id: broken")
    )
    (folder / "broken.yaml").write_text(broken, encoding="utf-8")
    (folder / "tabs.yml").write_text("year: 2024\n\tdepartment: x\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a declaration", encoding="utf-8")

    result = jixiao("validate", "decls", cwd=tmp_path)

    assert result.returncode == 1
    staff = line_of(folder / "broken.yaml", "staff_count:")
    basci = line_of(folder / "broken.yaml", "basci:")
    assert lines(result.stdout) == [
        f"decls/2024/broken.yaml:{staff}:16: 错误 J011: basic_info.staff_count（财政供养人员数）: 「二百四十四」不是非负整数",
        f"decls/2024/broken.yaml:{basci}:5: 错误 J010: budget.spending.basic（基本支出）: 缺少必填字段「basic」（基本支出）",
        f"decls/2024/broken.yaml:{basci}:5: 错误 J012: budget.spending.basci: 未知字段「basci」，你是不是想写「basic」？",
        seed_warning_line("decls/2024/nansha-dongchong.yaml"),
        "decls/2024/tabs.yml:2:1: 错误 J001: （文件）: 缩进里有制表符（Tab）；缩进只能用空格，每层两个空格",
        "检查了 3 个申报文件：4 个错误，1 个警告",
    ]
    assert result.stderr == ""


def test_validate_names_a_missing_path_and_still_checks_the_rest(tmp_path):
    shutil.copy(SEED, tmp_path / SEED.name)
    result = jixiao("validate", "nope.yaml", SEED.name, cwd=tmp_path)
    assert result.returncode == 1
    assert lines(result.stdout) == [
        seed_warning_line(SEED.name),
        "nope.yaml:1:1: 错误 J000: （文件）: 文件或文件夹不存在",
        "检查了 1 个申报文件：1 个错误，1 个警告",
    ]


# ---- new -----------------------------------------------------------------------------------------

# What a finance officer types into the skeleton's empty values, in the order the keys appear.
FILL = {
    "staff_count": ["36"],
    "subordinate_units": ["2"],
    "basic": ["500.00"],
    "project": ["1500.00"],
    # income, development, by_level: two lines each, in that order
    "amount": ["1900.00", '"100.00"', "300.00", "200.00", '"1,200.00"', "800.00"],
    "overall_goal": ["完成年度各项重点工作，群众满意度稳步提升。"],
    "name": ["乡村振兴"],
    "content": ["①改善人居环境。②发展村级集体经济。"],
    "funds": ["300.00"],
    "goal": ["村容村貌明显改善。"],
    "level3": ["完成村道修缮", "群众获得感", "辖区居民满意度"],
    "period_value": ["≥ 10公里", "有效提升", "≥ 90%"],
    "annual_value": ["≥ 10公里", "有效提升", "≥ 90%"],
}


def fill_in(skeleton: str) -> str:
    """Type a value after every empty key the skeleton leaves for the user, keeping every comment."""
    return fill_skeleton(skeleton, FILL)


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.split("\n") if "#" in line]


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory):
    """`jixiao new` run once in an empty folder: (folder, the command's result, the file it wrote)."""
    folder = tmp_path_factory.mktemp("new")
    result = jixiao("new", "--year", "2025", "--id", "x", "--name", "测试镇人民政府", cwd=folder)
    return folder, result, folder / "declarations" / "2025" / "x.yaml"


def test_new_writes_a_commented_skeleton_pointing_at_the_schema(skeleton):
    folder, result, target = skeleton
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout) == ["已写出 declarations/2025/x.yaml；填好后运行 jixiao validate declarations/2025/x.yaml"]
    text = target.read_text(encoding="utf-8")
    first = text.split("\n")[0]
    assert first == "# yaml-language-server: $schema=../declaration.schema.json"
    schema = (target.parent / first.split("$schema=")[1]).resolve()
    assert schema == (folder / "declarations" / "declaration.schema.json").resolve()
    assert "year: 2025" in text and 'name: "测试镇人民政府"' in text and "id: x " in text
    # Every field a user fills in is explained by a comment; the form's labels appear in them.
    for label in ("财政供养人员数", "基本支出", "收入来源", "按预算级次划分", "总体绩效目标", "三级指标", "年度指标值"):
        assert any(label in c for c in comments(text)), label


def test_new_with_out_points_at_the_schema_relatively(tmp_path):
    result = jixiao("new", "--year", "2025", "--id", "x", "--out", "drafts/2025/x.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first = (tmp_path / "drafts" / "2025" / "x.yaml").read_text(encoding="utf-8").split("\n")[0]
    assert first == "# yaml-language-server: $schema=../../declarations/declaration.schema.json"


def test_new_refuses_to_overwrite(tmp_path):
    target = tmp_path / "declarations" / "2025" / "x.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("# my work\n", encoding="utf-8")
    result = jixiao("new", "--year", "2025", "--id", "x", "--name", "测试镇人民政府", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert lines(result.stderr) == ["declarations/2025/x.yaml: 文件已存在，没有覆盖"]
    assert target.read_text(encoding="utf-8") == "# my work\n"


def test_new_refuses_a_bad_id(tmp_path):
    result = jixiao("new", "--year", "2025", "--id", "Dong_Chong", cwd=tmp_path)
    assert result.returncode == 2
    assert lines(result.stderr)[-1] == "错误：--id 的值不对：只能用小写字母、数字和连字符，以字母或数字开头"
    assert not (tmp_path / "declarations").exists()


def test_new_reports_an_unwritable_target_without_a_traceback(tmp_path):
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = jixiao("new", "--year", "2025", "--id", "x", "--out", "afile/x.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert lines(result.stderr)[0].startswith("afile: 无法建立文件夹")


def test_empty_skeleton_fails_validation_naming_what_to_fill(skeleton):
    folder, _, _ = skeleton
    result = jixiao("validate", cwd=folder)
    assert result.returncode == 1
    out = lines(result.stdout)
    staff = line_of(skeleton[2], "staff_count:")
    column = len("  staff_count:") + 1
    assert f"declarations/2025/x.yaml:{staff}:{column}: 错误 J010: basic_info.staff_count（财政供养人员数）: 不能为空" in out
    assert out[-1].startswith("检查了 1 个申报文件：") and "：0 个错误" not in out[-1]


def test_filled_in_skeleton_validates_cleanly(skeleton, tmp_path):
    filled = fill_in(skeleton[2].read_text(encoding="utf-8"))
    assert comments(filled) == comments(skeleton[2].read_text(encoding="utf-8"))
    target = tmp_path / "declarations" / "2025" / "x.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(filled, encoding="utf-8")
    result = jixiao("validate", cwd=tmp_path)  # no paths: the declarations/ folder
    assert lines(result.stdout) == ["检查了 1 个申报文件：0 个错误，0 个警告"]
    assert result.returncode == 0


@pytest.mark.parametrize("dept_id", ["440115", "null", "2024-01-31", "nansha-dongchong"])
def test_skeleton_for_any_valid_id_validates_once_filled_in(dept_id):
    # An id YAML would read as a number, null or date must be written quoted, or the file never validates.
    from generator.core import registry
    from generator.input.load import load_text
    from generator.input.checks import run_checks
    from generator.scaffold.skeleton import render_skeleton

    target = Path("declarations") / "2025" / f"{dept_id}.yaml"
    text = render_skeleton(
        registry.default(), year=2025, department=dept_id, department_name="测试镇人民政府", ident=dept_id, name="",
        target=target, schema_path=Path("declarations") / "declaration.schema.json",
    )
    loaded = load_text(fill_in(text), str(target))
    assert [p.format() for p in loaded.problems + run_checks(loaded)] == []
    assert loaded.declaration.department.id == dept_id


# ---- schema --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema_output(tmp_path_factory):
    return jixiao("schema", cwd=tmp_path_factory.mktemp("schema"))


def test_schema_prints_the_json_schema(schema_output, tmp_path):
    assert schema_output.returncode == 0
    schema = json.loads(schema_output.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    department = schema["definitions"]["department-target"]
    assert department["title"] == "部门整体预算绩效目标申报表"
    assert {"year", "department", "basic_info", "budget", "overall_goal", "tasks", "indicators"} <= set(
        department["required"]
    )
    assert set(schema["properties"]["form"]["enum"]) == {
        "department-target", "project-target", "department-self-evaluation", "project-self-evaluation"
    }
    written = jixiao("schema", "--out", "s.json", cwd=tmp_path)
    assert (written.returncode, written.stdout) == (0, "")
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == schema_output.stdout


def test_committed_schema_is_up_to_date(schema_output):
    # Editors check files against declarations/declaration.schema.json; `make schema` regenerates it.
    committed = (ROOT / "declarations" / "declaration.schema.json").read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(schema_output.stdout), "run: make schema"


def test_help_lists_the_commands(tmp_path):
    result = jixiao("--help", cwd=tmp_path)
    assert result.returncode == 0
    commands = [line.split()[0] for line in result.stdout.split("命令:")[1].strip().splitlines()]
    assert {"validate", "new", "schema"} <= set(commands)


# ---- the README shows what the program really does -----------------------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_blocks() -> list[list[tuple[str, list[str]]]]:
    """Each ```console block of the README as [(command, its output lines), ...]."""
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", README, re.S):
        runs: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                runs.append((line[2:], []))
            else:
                runs[-1][1].append(line)
        blocks.append(runs)
    return blocks


def console_block(first_command: str) -> list[tuple[str, list[str]]]:
    """The README's console block whose first command starts with `first_command`."""
    [found] = [runs for runs in console_blocks() if runs and runs[0][0].startswith(first_command)]
    return found


def run_readme_command(command: str, cwd: Path) -> list[str]:
    program, *args = command.split()
    assert program == "jixiao"
    return lines(jixiao(*args, cwd=cwd).stdout)


def test_readme_validate_examples_are_real_output():
    runs = console_block("jixiao validate declarations/2024/nansha-dongchong.yaml")
    assert [command for command, _ in runs] == [
        "jixiao validate declarations/2024/nansha-dongchong.yaml",
        "jixiao validate --strict declarations/2024/nansha-dongchong.yaml",
    ]
    for command, output in runs:
        assert run_readme_command(command, ROOT) == output, command


def test_readme_broken_file_example_is_real_output(tmp_path):
    # The README says: 244 written as 二百四十四 and basic misspelt basci.
    target = tmp_path / "declarations" / "2024" / SEED.name
    target.parent.mkdir(parents=True)
    text = SEED.read_text(encoding="utf-8")
    target.write_text(text.replace("staff_count: 244 ", "staff_count: 二百四十四").replace("basic:", "basci:"), "utf-8")
    [(command, output)] = [runs for runs in console_blocks() if runs and runs[0][0] == "jixiao validate"][0]
    assert run_readme_command(command, tmp_path) == output


def test_readme_score_and_project_new_examples_are_real_output(tmp_path):
    [(command, output)] = console_block("jixiao score")
    assert run_readme_command(command, ROOT) == output
    [(command, output)] = console_block("jixiao new --form project-target")
    assert run_readme_command(command, tmp_path) == output


def test_readme_new_example_is_real_output(tmp_path):
    [(command, output)] = console_block("jixiao new --year")
    assert run_readme_command(command, tmp_path) == output
    assert (tmp_path / "declarations" / "2025" / "nansha-dongchong.yaml").is_file()


def model_fields(model=None, prefix: str = "") -> dict[str, str]:
    """Every field path of the declaration model (lists written as []) → its 中文标签."""
    import typing

    from pydantic import BaseModel

    from generator.forms.department_target.model import DepartmentTarget as Declaration

    found = {}
    for name, info in (model or Declaration).model_fields.items():
        path = prefix + name
        found[path] = info.title
        inner = [info.annotation]
        while inner:
            arg = inner.pop()
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                is_list = typing.get_origin(info.annotation) is list
                found.update(model_fields(arg, path + ("[]." if is_list else ".")))
                break
            inner.extend(typing.get_args(arg))
    return found


def readme_section(heading: str) -> str:
    start = README.index(f"\n## {heading}")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def field_rows(text: str) -> dict[str, str]:
    return {key: label.strip() for key, label in re.findall(r"^\| `([a-z_.\[\]0-9]+)` \| ([^|]+) \|", text, re.M)}


def test_readme_field_table_matches_the_model():
    table = field_rows(readme_section("申报文件格式"))
    expected = model_fields()
    # The three BudgetLine lists share label/amount; the table describes them once in words.
    expected = {k: v for k, v in expected.items() if not re.match(r"budget\.\w+\[\]\.", k)}
    # Grouping mappings (department, basic_info, budget, budget.spending) are implied by their children.
    expected = {k: v for k, v in expected.items() if k not in ("department", "basic_info", "budget", "budget.spending")}
    assert table == expected


def test_readme_project_field_table_names_real_fields_with_their_labels():
    from generator.forms.project_target.model import ProjectTarget

    table = field_rows(readme_section("项目支出绩效目标申报表"))
    fields = model_fields(ProjectTarget)
    assert table and all(fields.get(key) == label for key, label in table.items()), {
        key: (label, fields.get(key)) for key, label in table.items() if fields.get(key) != label
    }
    # Every top-level field is described (department as one row for its name and id).
    described = {key.split(".")[0] for key in table} | {"department"}
    assert described == set(ProjectTarget.model_fields)


def test_readme_project_example_validates_and_renders(tmp_path):
    """The README's complete project form, as a user would copy it, beside a department form."""
    section = readme_section("项目支出绩效目标申报表")
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    folder = tmp_path / "declarations" / "2025"
    (folder / "nansha-dongchong" / "projects").mkdir(parents=True)
    (folder / "nansha-dongchong" / "projects" / "river-cleanup.yaml").write_text(example, encoding="utf-8")
    seed = SEED.read_text(encoding="utf-8").replace("year: 2024", "year: 2025")
    (folder / "nansha-dongchong.yaml").write_text(seed, encoding="utf-8")
    checked = jixiao("validate", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert lines(checked.stdout)[-1] == "检查了 2 个申报文件：0 个错误，1 个警告"  # the seed's own J202
    built = jixiao("build", "pdf", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "output/pdf/2025/nansha-dongchong/projects/river-cleanup.pdf").stat().st_size > 10_000


def test_readme_code_table_is_the_catalogue():
    from generator.core.catalogue import markdown_table

    assert markdown_table() in README, "README's table of codes differs from `jixiao codes`: paste its output"
