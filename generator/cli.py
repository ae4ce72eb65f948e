"""The command line; the only module that prints or sets an exit status."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import NoReturn

import click

from generator import __version__, cli_i18n, report
from generator.pipeline import PdfOutput, SiteOutput, XlsxOutput, build, default_jobs, load_all
from generator.core.problems import Problem, StageFailed

# The forms (pydantic, openpyxl) and WeasyPrint are imported by the commands that use them: a build
# with nothing to do, or --help, starts in a fraction of the time.

DEFAULT_PATHS = ("declarations",)
cli_i18n.install()  # click's own words (Usage:, Error:, --help) in Chinese


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _report(problems: list[Problem], files: int, err: bool = False) -> int:
    for problem in problems:
        click.echo(problem.format(), err=err)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    click.echo(f"检查了 {files} 个申报文件：{errors} 个错误，{warnings} 个警告", err=err)
    return 1 if errors else 0


class FormKind(click.ParamType):
    """A form's kind, checked against the registry when used, so forms registered later are known."""

    name = "KIND"

    def convert(self, value, param, ctx):
        from generator.core import registry

        if value in registry.forms():
            return value
        self.fail(f"「{value}」不是已知的表；可写的有：{'、'.join(registry.forms())}", param, ctx)

    def get_metavar(self, param, ctx=None):
        from generator.core import registry

        return "[" + "|".join(registry.forms()) + "]"


def _form_choice():
    return FormKind()


@click.group(cls=cli_i18n.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao")
def cli() -> None:
    """jixiao（绩效）：预算绩效目标申报表与绩效自评表（部门整体、项目支出）的检查、排版、交换与公开。"""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--strict", is_flag=True, help="把警告也当作错误。")
@click.option(
    "--format", "output_format", type=click.Choice(report.FORMATS), default="text", show_default=True,
    help="text：每个问题一行；github：GitHub Actions 的注释；json：机器可读；sarif：SARIF 2.1.0（代码扫描）。",
)
def validate(paths: tuple[str, ...], strict: bool, output_format: str) -> None:
    """检查申报文件（默认 declarations/ 下全部）：格式、必填项、金额合计、指标体系、表与表之间。"""
    documents, problems = load_all(list(paths or DEFAULT_PATHS), strict=strict)
    click.echo(report.RENDER[output_format](problems, len(documents)), nl=False)
    sys.exit(1 if any(p.is_error for p in problems) else 0)


def _check_id(value: str, option: str) -> None:
    from generator.core.fields import ID_PATTERN

    if not re.match(ID_PATTERN, value):
        raise click.BadParameter("只能用小写字母、数字和连字符，以字母或数字开头", param_hint=option)


def _existing(form, year: int, department: str, ident: str):
    """Another form already in declarations/ (the department's target form, a project's), or None."""
    from generator.input.load import load_file

    path = Path("declarations") / f"{form.new_location(year, department, ident)}.yaml"
    return load_file(path).declaration if path.is_file() else None


@cli.command()
@click.option("--form", "kind", type=_form_choice(), default=None, help="哪一种表（默认：部门整体表）。")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="预算年度，如 2025。")
@click.option("--id", "ident", required=True, help="标识（小写字母、数字、连字符）：部门整体表和部门自评表是部门标识，项目表和项目自评表是项目标识。")
@click.option("--name", default="", help="名称：部门整体表是部门全称，项目表是项目名称。")
@click.option("--department", default="", help="项目表的主管部门标识，如 nansha-dongchong。")
@click.option("--department-name", default="", help="项目表的主管部门全称（默认从该部门的整体申报读取）。")
@click.option("--out", type=click.Path(dir_okay=False), help="写到哪里（默认 declarations/ 下约定的位置）。")
def new(kind: str, year: int, ident: str, name: str, department: str, department_name: str, out: str | None) -> None:
    """写出一个带注释的新申报文件骨架，填好后即可通过检查。"""
    from generator.core import registry
    from generator.scaffold.skeleton import render_skeleton

    form = registry.form(kind) if kind else registry.default()
    _check_id(ident, "--id")
    if form.scope == "department":  # the id is the department's, the name its name
        department, department_name = department or ident, department_name or name
    elif not department:
        raise click.UsageError(f"{form.title}需要 --department（主管部门的标识）")
    if department != ident:
        _check_id(department, "--department")
    # A self-evaluation starts from its target form: its indicators and target values are copied in.
    evaluated = _existing(registry.form(form.evaluates), year, department, ident) if form.evaluates else None
    if not department_name:
        own = _existing(registry.default(), year, department, department)
        department_name = own.department.name if own is not None else ""
    target = Path(out) if out else Path("declarations") / f"{form.new_location(year, department, ident)}.yaml"
    if target.exists():
        _fail(f"{target}: 文件已存在，没有覆盖")
    schema_path = Path("declarations") / "declaration.schema.json"
    text = render_skeleton(
        form, year=year, department=department, department_name=department_name, ident=ident, name=name,
        target=target, schema_path=schema_path, evaluated=evaluated,
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{target.parent}: 无法建立文件夹（{exc.strerror or exc}）")
    try:
        with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        _fail(f"{target}: 文件已存在，没有覆盖")
    except OSError as exc:
        _fail(f"{target}: 无法写入（{exc.strerror or exc}）")
    if not schema_path.exists():  # the editor schema the file's first line names, in a new repository
        from generator.scaffold.schema import json_schema

        schema_path.parent.mkdir(parents=True, exist_ok=True)
        schema_path.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    click.echo(f"已写出 {target}；填好后运行 jixiao validate {target}")


@cli.command()
@click.argument("directory", type=click.Path())
@click.option(
    "--source", default=None,
    help="README、CI 和提交前检查安装 jixiao 用的 pip 参数（git+https://…/jixiao@版本 或 wheel 的网址）；默认取本机 jixiao 的安装来源。",
)
def init(directory: str, source: str | None) -> None:
    """建立一个申报仓库：部门名册、编辑器 Schema、GitHub/GitLab 的自动检查与发布、提交前检查和说明。"""
    from generator.scaffold.repository import InitError, init_repository
    from generator.scaffold.install_source import installed_source

    placeholder = False
    if source is None:
        source, placeholder = installed_source()
    try:
        written, left = init_repository(Path(directory), source)
    except InitError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or directory}: 无法写入（{exc.strerror or exc}）")
    for path in written:
        click.echo(str(path))
    for path in left:
        click.echo(f"{path}（已有，保留原样）")
    click.echo(f"已建立申报仓库 {directory}；改好 declarations/departments.yaml，再用 jixiao new 写申报，详见 {Path(directory) / 'README.md'}")
    if placeholder:
        click.echo(
            f"注意：本机的 jixiao 不是从可下载的地址安装的，README.md 和 CI 里安装 jixiao 的一行是占位符「{source}」，"
            "请改成 jixiao 的 git 地址（git+https://…/jixiao@版本）或 wheel 文件的网址，或重新运行 jixiao init --source …",
            err=True,
        )


@cli.command()
@click.option("--form", "kind", type=_form_choice(), help="只输出这一种表的 Schema（默认：全部表，按 form: 区分）。")
@click.option("--out", type=click.Path(dir_okay=False), help="写入文件而不是打印。")
def schema(kind: str | None, out: str | None) -> None:
    """打印申报文件的 JSON Schema（编辑器据此提示和检查）。"""
    from generator.scaffold.schema import form_schema, json_schema

    text = json.dumps(form_schema(kind) if kind else json_schema(), ensure_ascii=False, indent=2) + "\n"
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"{out}: 无法写入（{exc.strerror or exc}）")
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
def score(paths) -> None:
    """按计分规则算出自评表的得分：预算执行率、每项指标（及所用规则）、总分与等级。"""
    documents, problems = load_all(list(paths or DEFAULT_PATHS))
    for problem in problems:
        if problem.is_error:
            click.echo(problem.format(), err=True)
    for item in documents:
        if item.declaration is not None and item.form.breakdown is not None:
            for line in item.form.breakdown(item.declaration):
                click.echo(line)
    sys.exit(1 if any(p.is_error for p in problems) else 0)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--year", "years", type=click.IntRange(2000, 2100), multiple=True, help="只看这一年度（可重复；默认：申报中有的每一年）。")
@click.option("--format", "output_format", type=click.Choice(["html", "text", "json"]), default="html", show_default=True,
              help="html：写出审核台页面；text、json：打印。")
@click.option("--out", default="output/review", show_default=True, type=click.Path(file_okay=False), help="html 写到哪里。")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="有这一级（warning：警告或错误，含缺报）的问题时退出码为 1，供 CI 把关。")
def review(paths, years, output_format, out, fail_on) -> None:
    """预算科的审核台：先列需要人处理的（错误、缺报、表间不符、自评中差、警告），再是各部门、得分与问题归类（名册见 declarations/departments.yaml）。"""
    from generator.site.review import as_json, as_text, load_roster_of, read_withheld, review as review_year, write_page

    sources = list(paths or DEFAULT_PATHS)
    documents, problems = load_all(sources)
    roster, _roster_problems = load_roster_of(sources)
    withheld = read_withheld(Path(out).parent)
    reviews = review_year(documents, problems, roster, list(years) or None, withheld=withheld)
    # What belongs to no department's row — a folder that is not there, a broken roster — is said
    # here, and the desk is not to be trusted without it: exit 1.
    placed = {p.file for r in reviews for row in r.departments for p in row.findings}
    unplaced = [p for p in problems if p.is_error and p.file not in placed and p.file not in {d.display for d in documents}]
    for problem in unplaced:
        click.echo(problem.format(), err=True)
    if not reviews and not unplaced:
        click.echo(f"{'、'.join(sources)}：还没有申报（用 --year 列出名册中某一年度应报的表）", err=True)
    if output_format == "json":
        click.echo(json.dumps(as_json(reviews), ensure_ascii=False, indent=2))
    elif output_format == "text":
        for line in as_text(reviews):
            click.echo(line)
    else:
        page = write_page(reviews, Path(out), documents)
        click.echo(f"审核台 → {page}")
    errors = any(p.is_error for p in problems)
    gaps = bool(problems) or any(row.missing for r in reviews for row in r.departments)
    failing = (fail_on == "error" and errors) or (fail_on == "warning" and (errors or gaps))
    sys.exit(1 if unplaced or failing else 0)


@cli.command()
def codes() -> None:
    """列出全部检查代码（Markdown 表格，README 中的表由此生成）。"""
    from generator.core.catalogue import markdown_table
    from generator.core.registry import all_codes

    all_codes()
    click.echo(markdown_table(), nl=False)


@cli.group("build")
def build_group() -> None:
    """生成 PDF、Excel 工作簿或网站。"""


def _font_options(command):
    command = click.option(
        "--font-dir", type=click.Path(file_okay=False), envvar="JIXIAO_FONT_DIR", show_envvar=True,
        help="自备字体所在文件夹（如 仿宋_GB2312、方正小标宋）。",
    )(command)
    command = click.option("--body-font", envvar="JIXIAO_BODY_FONT", show_envvar=True, help="正文字体族名，默认 Noto Serif CJK SC。")(command)
    command = click.option("--heading-font", envvar="JIXIAO_HEADING_FONT", show_envvar=True, help="标题字体族名，默认 Noto Sans CJK SC。")(command)
    return command


def _settings_or_exit(font_dir=None, body_font=None, heading_font=None):
    """The faces the PDFs are set in, both installed (fc-match; WeasyPrint is not loaded for this)."""
    from generator.core.fonts import FontError, FontSettings, resolve_font

    settings = FontSettings.from_env(body_font, heading_font, font_dir)
    try:
        for family in (settings.body, settings.heading):
            resolve_font(family, settings.folder)
    except FontError as exc:
        _fail(f"jixiao: {exc}")
    return settings


def _build_or_exit(*args, **kwargs):
    from generator.core.fonts import FontError

    try:
        return build(*args, **kwargs)
    except FontError as exc:  # found when a renderer is made: HarfBuzz's subsetter missing
        _fail(f"jixiao: {exc}")


def _progress(items):
    if not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label="生成 PDF", file=sys.stderr, item_show_func=lambda i: i and i[0].display) as bar:
        yield from bar


def _counting(label: str):
    """A progress bar over a sized iterable, on a terminal only: build's output stays one line a stage."""
    def show(items):
        if not sys.stderr.isatty():
            yield from items
            return
        with click.progressbar(items, length=len(items) if hasattr(items, "__len__") else None, label=label, file=sys.stderr) as bar:
            yield from bar
    return show


def _stage_lines(result, out: Path | None = None) -> None:
    """One summary line per stage that ran."""
    if result.pdf is not None:
        click.echo(f"PDF：生成 {len(result.pdf.written)} 个，未改动跳过 {len(result.pdf.skipped)} 个")
    if result.xlsx is not None:
        click.echo(f"Excel：生成 {len(result.xlsx.written)} 个，未改动跳过 {len(result.xlsx.skipped)} 个")


def _finish(result, stopped_message: str) -> None:
    """Report a build's problems and exit 1 when it failed; warnings alone are not printed."""
    if result.failed:
        _report(result.problems, result.count, err=True)
        if result.stopped:
            click.echo(stopped_message, err=True)
        sys.exit(1)


class ShardType(click.ParamType):
    """I/N: the I-th of N parts (1 ≤ I ≤ N)."""

    name = "I/N"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
        if not found or not 1 <= int(found[1]) <= int(found[2]):
            self.fail(f"「{value}」应写成 I/N，如 2/4（共 N 片中的第 I 片，1 ≤ I ≤ N）", param, ctx)
        return int(found[1]), int(found[2])


def _jobs_option(command):
    return click.option(
        "--jobs", "-j", type=click.IntRange(1), default=None,
        help="同时排版（网站：同时写页面和下载文件）的进程数（默认：本机全部 CPU 核）；--jobs 1 在本进程内做。",
    )(command)


def _shard_option(command):
    return click.option(
        "--shard", type=ShardType(), default=None,
        help="只生成第 I 片（共 N 片，按输出路径稳定划分），供 CI 在 N 台机器上分头生成；检查仍针对全部申报。",
    )(command)


def _jobs(jobs):
    return jobs or default_jobs()


def _skip_option(command):
    return click.option(
        "--skip-invalid", is_flag=True,
        help="有错误的文件（及依赖它、因而无法核对的文件）暂不生成，其余照常生成；每个暂未生成的文件打印一行，清单写到 withheld.json，退出码为 0。",
    )(command)


def _print_withheld(result) -> None:
    for withheld in result.withheld:
        click.echo(withheld.line(), err=True)
    if result.withheld:
        click.echo(f"{len(result.withheld)} 个文件暂未生成（--skip-invalid）；其余 {len(result.documents)} 份照常生成。", err=True)


@build_group.command("pdf")
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--out", default="output", show_default=True, type=click.Path(file_okay=False), help="输出文件夹。")
@click.option("--force", is_flag=True, help="即使输入没有改动也重新生成。")
@_jobs_option
@_shard_option
@_font_options
@_skip_option
def build_pdf(paths, out, force, jobs, shard, font_dir, body_font, heading_font, skip_invalid) -> None:
    """把申报文件排成可打印、盖章、归档的 PDF：output/pdf/<年度>/<部门标识>.pdf，项目表在 <部门标识>/projects/ 下。"""
    settings = _settings_or_exit(font_dir, body_font, heading_font)
    output = PdfOutput(Path(out), settings, force, _progress, jobs=_jobs(jobs), shard=shard)
    result = _build_or_exit(list(paths or DEFAULT_PATHS), pdf=output, skip_invalid=skip_invalid)
    _finish(result, "有错误，没有生成任何文件。")
    _print_withheld(result)
    made = result.pdf
    part = f"（第 {shard[0]}/{shard[1]} 片）" if shard else ""
    click.echo(f"PDF：生成 {len(made.written)} 个，未改动跳过 {len(made.skipped)} 个，共 {result.count} 个申报{part} → {Path(out) / 'pdf'}")


@build_group.command("site")
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--out", default="output/site", show_default=True, type=click.Path(file_okay=False), help="网站写到哪个文件夹。")
@click.option("--pdf-cache", default="output", show_default=True, type=click.Path(file_okay=False), help="PDF 和 Excel 生成在哪里（未改动的不重排）。")
@click.option(
    "--pdf-from", type=click.Path(file_okay=False, exists=True), default=None,
    help="不排 PDF，用这个文件夹里已生成的（如 CI 各片 build pdf/build xlsx 的输出合在一起）：<文件夹>/pdf/…、<文件夹>/xlsx/…。",
)
@click.option("--no-search", is_flag=True, help="不建搜索索引（预览、测速时更快）。")
@_jobs_option
@_font_options
@_skip_option
def build_site_command(paths, out, pdf_cache, pdf_from, no_search, jobs, font_dir, body_font, heading_font, skip_invalid) -> None:
    """生成静态公开网站：每份申报一页（与 PDF 同一版式）、PDF 与数据下载、全文搜索。"""
    pdf = None
    if pdf_from is None:
        settings = _settings_or_exit(font_dir, body_font, heading_font)
        pdf = PdfOutput(Path(pdf_cache), settings, progress=_progress, jobs=_jobs(jobs))
    site = SiteOutput(
        Path(out), search=not no_search, cache=Path(pdf_cache), pdf_from=Path(pdf_from) if pdf_from else None, jobs=_jobs(jobs),
        progress=_counting("生成 Excel"),
    )
    result = _build_or_exit(list(paths or DEFAULT_PATHS), pdf=pdf, site=site, skip_invalid=skip_invalid)
    _finish(result, "有错误，没有生成任何文件。")
    _print_withheld(result)
    _stage_lines(result)
    click.echo(f"网站：{len(result.documents)} 份申报 → {Path(out) / 'index.html'}")


@build_group.command("xlsx")
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--out", default="output", show_default=True, type=click.Path(file_okay=False), help="输出文件夹。")
@click.option("--force", is_flag=True, help="即使输入没有改动也重新生成。")
@_jobs_option
@_shard_option
@_skip_option
def build_xlsx(paths, out, force, jobs, shard, skip_invalid) -> None:
    """把申报文件写成官方版式的 Excel 工作簿：output/xlsx/<年度>/<部门标识>.xlsx，另每年一本 jixiao-<年度>.xlsx。"""
    output = XlsxOutput(Path(out), force, shard, jobs=_jobs(jobs), progress=_counting("生成 Excel"))
    result = build(list(paths or DEFAULT_PATHS), xlsx=output, skip_invalid=skip_invalid)
    _finish(result, "有错误，没有生成任何文件。")
    _print_withheld(result)
    made = result.xlsx
    part = f"（第 {shard[0]}/{shard[1]} 片）" if shard else ""
    click.echo(f"Excel：{result.count} 份申报{part}，写出工作簿 {len(made.written)} 本，未改动跳过 {len(made.skipped)} 本 → {Path(out) / 'xlsx'}")


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--id", "ident", help="标识：部门整体表的部门标识，项目表的项目标识（只导入一份申报时可用）；默认由名称转拼音生成。")
@click.option("--year", type=click.IntRange(2000, 2100), help="预算年度；默认取表上的“XXXX年度”。")
@click.option("--out", default="declarations", show_default=True, type=click.Path(file_okay=False), help="写到 <out>/<年度>/<部门标识>.yaml，项目表写到 <out>/<年度>/<部门标识>/projects/<项目标识>.yaml。")
@click.option("--force", is_flag=True, help="覆盖已有的申报文件。")
def import_command(files, ident, year, out, force) -> None:
    """从 Excel 工作簿（.xlsx、.xls、.ods）导入申报表：每个含申报表的工作表写出一份 YAML，并逐份检查。"""
    from generator.excel.importer import import_files

    if ident is not None:
        _check_id(ident, "--id")
    if ident is not None and len(files) > 1:
        raise click.BadParameter("导入多个工作簿时不能指定 --id（每份申报的标识由部门名称生成）", param_hint="--id")
    updated: dict = {}
    written, problems = import_files([Path(f) for f in files], Path(out), ident=ident, year=year, force=force, updated=updated)
    if written:  # the checks of `jixiao validate` over the folder written into, the ones across files included
        mine = {path.resolve() for path in written}
        problems += [p for p in load_all([Path(out)])[1] if Path(p.file).resolve() in mine]
    for problem in problems:
        click.echo(problem.format(), err=True)
    for path in written:
        click.echo(f"{path}（{updated[path]}）" if path in updated else str(path))
    errors = sum(p.is_error for p in problems)
    if written:  # a workbook refused whole is its one line; no summary under it
        click.echo(f"导入了 {len(written)} 份申报：{errors} 个错误，{len(problems) - errors} 个警告", err=True)
    sys.exit(1 if errors else 0)


@cli.command("serve")
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--out", default="output/site", show_default=True, type=click.Path(file_okay=False))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="端口；0 表示随便选一个空闲的。")
def serve_command(paths, out, port) -> None:
    """在本机预览网站：生成、提供 http://127.0.0.1:端口/，申报或模板改动后自动重建并刷新浏览器。"""
    from generator.core import registry
    from generator.render.templates import DOCS, TEMPLATES
    from generator.site.serve import Outcome, serve

    sources = list(paths or DEFAULT_PATHS)
    # One output stage for every rebuild: its renderer, made by the first, stays warm.
    pdf = PdfOutput(Path("output"), _settings_or_exit(), jobs=1, warm=True)

    def rebuild() -> Outcome:
        result = _build_or_exit(sources, pdf=pdf, site=SiteOutput(Path(out)))
        if result.failed:
            _report(result.problems, result.count, err=True)
            click.echo("有错误，网站保持上一次的版本。", err=True)
            return Outcome(False, [p.format() for p in result.problems if p.is_error])
        return Outcome(True, [])

    first = rebuild()
    if not first.built and not (Path(out) / "index.html").is_file():
        sys.exit(1)
    watched = [Path(p) for p in sources] + [TEMPLATES, DOCS] + [form.folder for form in registry.forms().values()]
    try:
        serve(Path(out), watched, rebuild, port, click.echo, problems=first.problems)
    except OSError as exc:
        click.echo(f"jixiao: 无法在 127.0.0.1:{port} 上提供服务：{exc.strerror or exc}", err=True)
        sys.exit(1)


def main() -> None:
    try:
        cli(prog_name="jixiao")
    except KeyboardInterrupt:
        sys.exit(130)
    except StageFailed as exc:
        _fail(f"jixiao: {exc}")
    except OSError as exc:
        # A full disk or a folder that cannot be written: say which file, in Chinese, not a traceback.
        from generator.core.oserrors import describe

        _fail(f"jixiao: {describe(exc)}")
    finally:
        # What the command loaded is dropped with the process: hidden from the collection Python
        # makes at exit, which walks every object left (a second after a 1,600-file build).
        import gc

        gc.freeze()
