"""click's own words (usage lines, "Error:", option errors, --help) in Chinese.

click marks them for gettext: each of its modules calls `_()` (gettext.gettext) and `ngettext()`
by the names it imported. Those names are replaced in click's modules with lookups in the table
below, so the words are Chinese whatever the user's locale, and anything not in the table stays as
click wrote it.
"""

from __future__ import annotations

import gettext
import importlib

import click

WORDS = {
    # --help
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（运行时决定）",
    "deprecated": "已弃用",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    # errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 {command} {option} 查看帮助。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少子命令。",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such command {name!r}.": "没有命令 {name}。",
    "Did you mean {possibility}?": "你是不是想写 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（你是不是想写其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name} 后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面要写 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name} 后面不能写值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 要 {nargs} 个值。",
    "Takes {nargs} values but 1 was given.": "要 {nargs} 个值，只写了 1 个。",
    "Takes {nargs} values but {len} were given.": "要 {nargs} 个值，写了 {len} 个。",
    "Aborted!": "已中止。",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件「{filename}」：{message}",
    # values
    "{value!r} is not {choice}.": "「{value}」不对，只能是 {choice}。",
    "{value!r} is not one of {choices}.": "「{value}」不对，可选的有：{choices}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "「{value}」不是有效的数字。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "「{value}」不是是/否；可写：{states}",
    "{value!r} does not match the format {format}.": "「{value}」不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "「{value}」不符合格式 {formats}。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}「{filename}」不存在。",
    "{name} {filename!r} is a file.": "{name}「{filename}」是文件，这里要文件夹。",
    "{name} {filename!r} is a directory.": "{name}「{filename}」是文件夹，这里要文件。",
    "{name} {filename!r} is not readable.": "{name}「{filename}」无法读取。",
    "{name} {filename!r} is not writable.": "{name}「{filename}」无法写入。",
    "{name} {filename!r} is not executable.": "{name}「{filename}」不能执行。",
    "Do you want to continue?": "要继续吗？",
    "Repeat for confirmation": "再输入一次确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入不对",
}

_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")


def _gettext(message: str) -> str:
    return WORDS.get(message) or gettext.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return WORDS.get(chosen) or gettext.ngettext(singular, plural, n)


def install() -> None:
    """Point click's translation calls at WORDS (idempotent)."""
    missing = click.exceptions.MissingParameter
    if not getattr(missing.format_message, "chinese", False):
        english = missing.format_message

        def format_message(self) -> str:  # click ends "缺少选项 '--id'" with its own "."
            text = english(self)
            return text[:-1] + "。" if text.endswith(".") else text.replace(". ", "。", 1)

        format_message.chinese = True
        missing.format_message = format_message
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext


class Command(click.Command):
    """A command whose usage line reads 用法：jixiao validate [选项] …"""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    command_class = Command
    group_class = type  # subgroups are Groups like this one

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)
