"""click's own words, as a user meets them: usage lines, errors and --help are Chinese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from generator.cli import cli

JIXIAO = Path(sys.executable).parent / "jixiao"
ENGLISH = ("Usage", "Options", "Commands", "Error", "Show this message", "Show the version", "Invalid value",
           "No such", "Missing", "is not", "does not exist", "Try '", "Got unexpected", "requires an argument")


def _commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("args", [(), *_commands(cli)], ids=lambda a: " ".join(a) or "jixiao")
def test_every_help_page_is_chinese(args):
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="jixiao")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"用法: jixiao {' '.join(args)}".rstrip() + " ")
    assert "选项:" in result.output and "显示本帮助并退出。" in result.output
    assert not [word for word in ENGLISH if word in result.output], result.output


@pytest.mark.parametrize(
    "args, last",
    [
        (["new", "--year", "x", "--id", "a"], "错误：'--year' 的值不对：「x」不是有效的数字。"),
        (["new", "--year", "1900", "--id", "a"], "错误：'--year' 的值不对：1900 不在范围 2000<=x<=2100 内。"),
        (["new", "--year", "2024"], "错误：缺少选项 '--id'。"),
        (["new", "--year", "2024", "--id", "A B"], "错误：--id 的值不对：只能用小写字母、数字和连字符，以字母或数字开头"),
        (["validate", "--nope"], "错误：没有选项 --nope。"),
        (["bogus"], "错误：没有命令 bogus。"),
        (["validate", "--format", "xml"], "错误：'--format' 的值不对：「xml」不对，可选的有：'text', 'github', 'json', 'sarif'。"),
        (["build", "pdf", "--out"], "错误：选项 --out 后面要写一个值。"),
        (["schema", "a", "b"], "错误：多出了参数（a b）"),
    ],
)
def test_usage_errors_are_chinese_through_the_console_script(tmp_path, args, last):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LANG": "C", "LC_ALL": "C"}
    result = subprocess.run([str(JIXIAO), *args], cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    if len(lines) > 1:  # an error found while parsing has no usage lines
        assert lines[0].startswith("用法: jixiao "), result.stderr
        assert lines[1].startswith("运行 jixiao ") and lines[1].endswith(" --help 查看帮助。"), result.stderr
    assert lines[-1] == last, result.stderr
    assert not [word for word in ENGLISH if word in result.stderr], result.stderr
