"""The command line; the only module that prints or sets an exit status."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .build import load_and_check
from .model import ID_PATTERN, json_schema
from .problems import Problem
from .skeleton import render_skeleton

DEFAULT_PATHS = ("declarations",)


def _report(problems: list[Problem], files: int, err: bool = False) -> int:
    for problem in problems:
        click.echo(problem.format(), err=err)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    click.echo(f"检查了 {files} 个申报文件：{errors} 个错误，{warnings} 个警告", err=err)
    return 1 if errors else 0


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao")
def cli() -> None:
    """jixiao（绩效）：部门整体预算绩效目标申报表的检查、排版与公开。"""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--strict", is_flag=True, help="把警告也当作错误。")
def validate(paths: tuple[str, ...], strict: bool) -> None:
    """检查申报文件（默认 declarations/ 下全部）：格式、必填项、金额合计、指标体系。"""
    loaded, problems = load_and_check(list(paths or DEFAULT_PATHS), strict=strict)
    sys.exit(_report(problems, len(loaded)))


@cli.command()
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="预算年度，如 2025。")
@click.option("--id", "dept_id", required=True, help="部门标识（小写字母、数字、连字符），如 nansha-dongchong。")
@click.option("--name", default="", help="部门全称，如 广州市南沙区东涌镇人民政府。")
@click.option("--out", type=click.Path(dir_okay=False), help="写到哪里（默认 declarations/<年度>/<部门标识>.yaml）。")
def new(year: int, dept_id: str, name: str, out: str | None) -> None:
    """写出一个带注释的新申报文件骨架，填好后即可通过检查。"""
    import re

    if not re.match(ID_PATTERN, dept_id):
        raise click.BadParameter("只能用小写字母、数字和连字符，以字母或数字开头", param_hint="--id")
    target = Path(out) if out else Path("declarations") / str(year) / f"{dept_id}.yaml"
    if target.exists():
        click.echo(f"{target}: 文件已存在，没有覆盖", err=True)
        sys.exit(1)
    schema_path = Path("declarations") / "declaration.schema.json"
    text = render_skeleton(year=year, dept_id=dept_id, name=name, target=target, schema_path=schema_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"已写出 {target}；填好后运行 jixiao validate {target}")


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False), help="写入文件而不是打印。")
def schema(out: str | None) -> None:
    """打印申报文件的 JSON Schema（编辑器据此提示和检查）。"""
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def main() -> None:
    try:
        cli(prog_name="jixiao")
    except KeyboardInterrupt:
        sys.exit(130)
