"""Every problem code: its severity, a title for the README's table, and its message template.

The shared codes are listed here; a form adds its own (Form.codes) when it is registered. A check
reports by code and values (`loaded.report("J201", path, …)`), and the README's table of codes is
generated from this catalogue (`jixiao codes`). Below the codes, the tables of wording that stages
compose messages from: typing mistakes, operating-system errors, unreadable and oversized workbooks,
what a sheet reader says at a cell. Where a code's template is `{detail}`, the detail is still
composed where the problem is found: the YAML syntax messages of input/parse.py and input/load.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.problems import Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title: str  # what the code means, one line, for the README's table
    message: str = "{detail}"  # str.format template filled by the check that reports it

    def text(self, **values) -> str:
        return self.message.format(**values)


CODES: dict[str, Code] = {}


def register(*codes: Code) -> None:
    for code in codes:
        known = CODES.get(code.code)
        if known is not None and known != code:
            raise ValueError(f"problem code {code.code} is registered twice with different meanings")
        CODES[code.code] = code


def unregister(*names: str) -> None:
    for name in names:
        CODES.pop(name, None)


def code(name: str) -> Code:
    return CODES[name]


register(
    Code("J000", ERROR, "文件或文件夹不存在，或无法读取"),
    Code("J001", ERROR, "YAML 语法错误（Tab 缩进、引号未闭合、缩进不齐、`*别名`、不可打印的控制字符……）"),
    Code("J002", ERROR, "不是 UTF-8 编码（如 GBK/“ANSI”、UTF-16），请另存为 UTF-8"),
    Code("J003", ERROR, "同一层里有重复的键"),
    Code("J004", ERROR, "文件过大（超过 2 MB）或某一行过长"),
    Code("J005", WARNING, "文件夹里一份申报也没有", "文件夹里没有申报文件（*.yaml）"),
    Code(
        "J006", WARNING, "申报文件是符号链接，指向申报文件夹以外（在 git 仓库里时：仓库以外）的文件，公开的是那个文件",
        "这是一个符号链接，指向申报文件夹以外的 {target}；发布的是那个文件的内容，请确认它应当公开",
    ),
    Code("J010", ERROR, "缺少必填字段，或必填的值为空"),
    Code("J011", ERROR, "值的类型或格式不对（金额、整数、日期、应加引号的文字……），或文件是空的、顶层不是“键: 值”"),
    Code("J012", ERROR, "未知字段（常是拼写错误，会给出最接近的字段名）"),
    Code(
        "J013", ERROR, "`form:` 不是已知的表，或文件像另一种表却没有写 `form:`",
    ),
    Code("J205", ERROR, "金额为负数", "金额 {amount} 为负数"),
    Code(
        "J206", ERROR, "金额的小数位过多（部门整体表两位，项目表至多六位）",
        "金额 {amount} 超过{places}位小数；金额以万元计，{rule}",
    ),
    Code("J207", ERROR, "同一列表里两行同名（如两行“其他资金”、两项同名任务）", "{what}「{name}」重复（第 {line} 行已有）"),
    Code(
        "J301", ERROR, "一级指标不在官方指标体系中",
        "一级指标「{name}」不在官方指标体系中，应为 产出指标、效益指标、满意度指标 或 成本指标",
    ),
    Code("J302", WARNING, "二级指标不在官方指标体系中", "二级指标「{name}」不在官方指标体系中，请核对名称"),
    Code("J303", WARNING, "二级指标放在了不属于它的一级指标下", "二级指标「{name}」按官方指标体系属于{home}，不属于{level1}"),
    Code(
        "J304", ERROR, "三级指标的名称是一级或二级指标名（多半是转录时错了一列）",
        "三级指标「{name}」是一级或二级指标的名称；这一行可能错了一列（表格转录时常见）",
    ),
    Code("J305", ERROR, "指标值为空（两列写法缺了其中一个也算）", "三级指标「{name}」的指标值为空"),
    Code("J306", WARNING, "指标值只有数字没有单位（如 `100`，应为 `100%`）", "指标值「{value}」只有数字没有单位（如 %、个、万人次）"),
    Code("J307", ERROR, "同一二级指标下三级指标重复", "三级指标「{name}」重复（第 {line} 行已有）"),
    Code(
        "J309", ERROR, "同一份文件里既有一列写法（`value`）又有两列写法（`period_value`/`annual_value`）",
        "同一张表的指标值列不一致：这一项写 {this}，第一个指标（第 {line} 行）写 {first}",
    ),
    Code("J310", ERROR, "缺少产出指标或效益指标（必备的一级指标）", "缺少一级指标「{name}」；绩效指标至少要有产出指标和效益指标"),
    Code("J311", WARNING, "缺少满意度指标", "没有满意度指标；服务对象满意度一般应作为一级指标列出"),
    Code(
        "J312", ERROR, "模板占位符没有替换（`*`、`**`、`XX`、`××`、单独的 `—`）",
        "「{value}」像是模板里的占位符（{mark}），请填上实际内容",
    ),
    Code(
        "J313", WARNING, "数量、质量、时效、成本指标用了模糊的说法（有效提升、进一步提高……）",
        "{level2}「{name}」的指标值「{value}」没有数字，难以衡量；请写成可核验的数值，如 ≥ 95%",
    ),
    Code("J401", WARNING, "文件名或所在文件夹与文件里的标识不一致", "{detail}"),
    Code("J402", WARNING, "预算年度与所在文件夹不一致", "预算年度 {year} 与所在文件夹「{folder}」不一致"),
    Code("J403", ERROR, "两个文件会写到同一个位置（同一年度同一部门标识，或同一部门的同一项目标识）", "{what}已被 {other} 使用"),
    Code(
        "J404", WARNING, "同一部门同一年度的两个文件是同一个项目（项目名称或项目编码相同）",
        "{what}与 {other} 相同：同一个项目只应有一个文件，请删去或合并其中一个",
    ),
    Code(
        "J405", ERROR, "部门标识与网站自身的文件夹同名（help、pagefind、static）",
        "部门标识「{id}」与网站自身的文件夹同名（{names}），该部门跨年度的页面会与网站的文件混在一起；请换一个标识",
    ),
    Code("J601", ERROR, "导入时：工作簿无法读取（损坏、空文件、不是 Excel/OpenDocument 工作簿、没有任何内容）"),
    Code("J602", ERROR, "导入时：工作簿设有打开密码（已加密）"),
    Code("J603", ERROR, "导入时：文件过大（超过 10 MB，或解压后超过 100 MB），或单元格、合并单元格、文字过多（如单表填了内容的超过 1 万格）"),
    Code("J604", ERROR, "导入时：整本工作簿里没有申报表", "工作簿里没有找到申报表：没有哪个工作表含有「部门名称」「三级指标」等栏目"),
    Code("J605", ERROR, "导入时：表中找不到必需的栏目（如「总体绩效目标」「部门预算支出」），或找不到预算年度"),
    Code("J606", ERROR, "导入时：单元格的值不对（金额、人数不是数字，有金额没有项目名称，一级/二级指标为空……）"),
    Code("J607", WARNING, "导入时：非空单元格不在申报表的任何栏目里，没有导入（列出单元格和内容）"),
    Code("J608", ERROR, "导入时：目标文件已存在，没有覆盖（`--force` 覆盖）", "{target} 已存在，没有覆盖（要覆盖请加 --force）"),
    Code("J609", ERROR, "导入时：无法由部门名称生成部门标识，或对含多份申报的工作簿用了 `--id`"),
    Code("J610", ERROR, "导入时：两张表得到同一个目标文件（同一年度、同一部门标识）", "与 {other} 得到同一个文件 {target}，请分别导入并用 --id 区分"),
    Code("J611", WARNING, "导入时：某个工作表里没有申报表，跳过", "这个工作表里没有申报表（找不到「部门名称」「三级指标」等栏目），跳过"),
    Code(
        "J612", WARNING, "导入时：申报表在隐藏的工作表里（照样导入，请确认它应当申报）",
        "工作表「{sheet}」是隐藏的；其中的申报表照样导入了，请确认这一份应当申报",
    ),
    Code(
        "J614", ERROR, "导入时：`--id` 给了新标识，而文件夹里已有这份申报（标识不同），没有另写一份",
        "{existing} 已是这份申报（{why}），标识为「{own_id}」；不写 --id 再导入即更新它，要改用「{ident}」请先把那个文件改名或删去",
    ),
    Code(
        "J613", ERROR, "导入时：单元格是公式，却没有保存计算结果（多由程序生成、未经 Excel 打开保存）",
        "单元格 {cell} 是公式，没有保存计算结果：请在 Excel/WPS 中打开、保存后再导入",
    ),
    Code("J501", ERROR, "排 PDF 时：字体里没有申报中的某个字符（会印成空框），指出字符、字段和行"),
    Code("J510", ERROR, "排 PDF 时：WeasyPrint 报告了警告（样式被忽略、字体缺失……），一律当作错误", "排版时 WeasyPrint 报告：{detail}"),
    Code(
        "J414", WARNING, "审核台：所依赖的表有错误，依赖它的表未与之核对（代替逐个的 J410、J412、J413、J720—J723）",
        "此{what}有错误，其 {count} 个{others}未与之核对",
    ),
    Code("J530", WARNING, "发布时（`--skip-invalid`）：文件有错误，暂未公开（写出第一个错误）", "有错误，暂未公开（第一个错误在第 {line} 行）：{first}"),
    Code("J531", WARNING, "发布时（`--skip-invalid`）：所依赖的文件暂未公开，无法核对，也暂未公开", "所依赖的 {file} 有错误，无法与之核对，暂未公开"),
    Code("J520", ERROR, "发布网站时：`--pdf-from` 的文件夹里缺少某份申报的 PDF", "{pdf} 不存在；请先用 jixiao build pdf 生成（分片构建时，把各片的输出合到同一个文件夹）"),
    Code(
        "J532", ERROR, "生成时：另一个 jixiao 正在向同一个输出文件夹生成",
        "另一个 jixiao（进程 {pid}）正在向这个文件夹生成；请等它结束后再试，或用 --out 换一个文件夹",
    ),
)


# Operating-system errors (generator/core/oserrors.py), by errno name: what a user is told, after the path.
OS_ERRORS = {
    "ENOSPC": "磁盘已满，写不下；请腾出空间后再运行（没写完的文件下次会重新生成）",
    "EDQUOT": "超出了磁盘配额，写不下；请腾出空间后再运行（没写完的文件下次会重新生成）",
    "EROFS": "所在的文件系统是只读的，无法写入；请换一个可写的文件夹（如 --out）",
    "EACCES": "没有权限（读取、写入或进入被拒绝）；请检查这个文件或文件夹的权限",
    "EPERM": "操作不被允许（权限或文件属性所限）；请检查这个文件或文件夹的权限",
    "ENAMETOOLONG": "路径或文件名过长；请用短一些的文件夹或文件名",
    "ENOENT": "文件或文件夹不存在",
    "ENOTDIR": "路径中的某一段不是文件夹",
    "EISDIR": "这是一个文件夹，应是文件",
    "ENOTEMPTY": "文件夹不是空的",
    "EEXIST": "已经存在",
    "ELOOP": "符号链接绕成了圈",
    "EMFILE": "同时打开的文件过多",
    "ENFILE": "同时打开的文件过多",
    "EIO": "读写出错（磁盘或网络存储故障）",
    "EBUSY": "正被占用",
    "ETXTBSY": "正被占用",
    "EXDEV": "不能跨文件系统移动",
    "EFBIG": "文件过大，超过了允许的大小",
}
# What made a workbook too big to read (generator/excel/guard.py), said with J603.
WORKBOOK_LIMITS = {
    "filled": "工作表「{sheet}」填了内容的单元格超过 {limit:,} 个，不像申报表",
    "written": "工作表「{sheet}」写入的单元格（含没有内容、只有格式的）超过 {limit:,} 个，不像申报表",
    "book": "整本工作簿写入的单元格超过 {limit:,} 个，不像申报表",
    "book_filled": "整本工作簿填了内容的单元格超过 {limit:,} 个，不像申报表",
    "book_area": "整本工作簿各表填了内容的范围合计超过 {limit:,} 格，不像申报表",
    "area": "工作表「{sheet}」填了内容的范围过大（{rows:,} 行 × {columns:,} 列），不像申报表",
    "merges": "工作表「{sheet}」的合并单元格超过 {limit:,} 处，不像申报表",
    "merged": "工作表「{sheet}」的合并单元格（截到填了内容的范围后）覆盖的单元格超过 {limit:,} 个，不像申报表",
    "strings": "工作簿里的文字（共享字符串）超过 {limit:,} 条，不像申报表",
    "string_chars": "工作簿里的文字（共享字符串）合计超过 {limit:,} 个字，不像申报表",
}
# Why a workbook cannot be read at all (generator/excel/read.py), said with J000, J601, J602 or J603.
WORKBOOK_ERRORS = {
    "missing": "文件不存在",
    "unreadable": "无法读取文件（{reason}）",
    "empty_file": "文件是空的（0 字节），不是工作簿",
    "file_size": "文件过大（{size} MB），申报表工作簿不应超过 {limit} MB",
    "too_large": "文件过大，申报表工作簿不应超过 {limit} MB",
    "encrypted": "工作簿设有打开密码（已加密），请在 Excel 中取消密码后另存，再导入",
    "not_workbook": "不是 Excel 或 OpenDocument 工作簿（.xlsx、.xls、.ods），或文件已损坏",
    "no_cells": "工作簿是空的：没有任何填了内容的单元格",
    "corrupt": "文件已损坏，无法读取（{reason}）",
    "corrupt_as": "文件已损坏，无法作为 {kind} 读取（{reason}）",
    "zip_bomb": "工作簿解压后过大（可能是压缩炸弹），拒绝读取",
    "broken_zip": "文件已损坏：不是完整的 .xlsx（zip）文件",
    "other_zip": "这是一个 zip 文件，但不是 Excel（.xlsx）或 OpenDocument（.ods）工作簿",
    "sheet_cells": "工作表「{sheet}」的单元格过多（超过 {limit} 个），不像申报表",
    "sheet_large": "工作表「{sheet}」过大，不像申报表",
}
# What a form's sheet reader says at a cell (generator/excel/read.py's SheetReader.report), with J605–J607.
SHEET_MESSAGES = {
    "no_column": "表中找不到栏目「{label}」",
    "no_indicator_column": "绩效指标的表头找不到「{label}」",
    "no_value_column": "绩效指标的表头找不到「指标值」（或「实施周期指标值」「年度指标值」）",
    "no_task_column": "年度重点工作任务的表头找不到「{label}」",
    "no_budget_amount_column": "预算整体情况的表头找不到「预算金额（万元）」",
    "not_in_row": "「{header}」同一行找不到「{label}」",
    "no_amount_below": "「{block}」下面找不到「{label}」的金额",
    "not_amount": "「{text}」不是金额",
    "negative_amount": "金额 {text} 是负数",
    "not_count": "「{text}」不是非负整数",
    "not_period": "「{text}」不是项目期（应为 2024年—2026年 或起止日期）",
    "not_one_choice": "「{text}」里应当正好有一项选中（■）",
    "no_department_name": "「部门名称」右边没有填部门全称",
    "amount_without_name": "有金额但没有{name}",
    "missing_value": "「{text}」没有填{what}",
    "empty_level1": "一级指标为空",
    "empty_level2": "二级指标为空",
    "not_imported": "「{text}」没有导入：它不在申报表的任何栏目里",
}
FORMULA_PLACEHOLDER = "（公式，没有保存计算结果）"  # put in the formula's cell, so no neighbour is read in its place
OS_ERROR_OTHER = "操作系统报告错误：{reason}"
NOT_A_REGULAR_FILE = "不是普通文件，而是{kind}；申报文件应是普通的 YAML 文件"
SPECIAL_FILES = {"fifo": "命名管道（FIFO）", "char": "字符设备", "block": "块设备", "socket": "套接字"}
NO_PATH = "（路径不明）"


def markdown_table() -> str:
    """The README's table of codes, in code order: the shared codes and those of the forms
    registered so far (core.registry.all_codes() registers every form first)."""
    rows = ["| 代码 | 级别 | 含义 |", "| --- | --- | --- |"]
    for name in sorted(CODES):
        entry = CODES[name]
        rows.append(f"| {entry.code} | {entry.severity.label} | {entry.title} |")
    return "\n".join(rows) + "\n"


# Typing mistakes found in the raw text (generator/mistakes.py): kind → message template, reported
# as J001 (J012 for a Chinese key, J011 for Chinese quotes) at the line where the mistake is.
MISTAKES = {
    "fullwidth_colon": "「{key}」后面用了全角冒号“：”；要用英文冒号加一个空格，写成 {key}: …",
    "no_space": "「{key}」的冒号后缺少空格；要写成 {key}: {value}（英文冒号后加一个空格）",
    "fullwidth_space_after_colon": "「{key}」的冒号后是全角空格；要用英文冒号加半角空格，写成 {key}: …",
    "fullwidth_indent": "缩进里有全角空格（中文输入法下打出的空格）；缩进只能用半角空格，请切换到英文输入法重打",
    "tab_indent": "缩进里有制表符（Tab）；缩进只能用空格，每层两个空格",
    "chinese_quotes": "值两边用了中文引号 {quote}；YAML 只认英文引号，请改成英文双引号 \"…\"，或去掉引号",
    "block_text_same_line": "「{key}: {marker}」后面不能在同一行接着写文字；把文字移到下一行，并比「{key}」多缩进两格",
    "block_not_indented": "「{key}: {marker}」下面的文字没有缩进；每行文字都要比「{key}」多缩进两格",
    "list_item_no_dash": "这一项缺少列表项开头的“- ”：「{parent}」下的每一项都要以英文减号加空格“- ”开头",
    "fullwidth_dash": "列表项开头用了“{dash}”；要用英文减号加空格“- ”",
    "fullwidth_comma": "“{{ }}”里用了全角逗号“，”；各项之间要用英文逗号“,”分开",
    "chinese_key": "「{title}」是表上的中文栏目名，键要写英文：{key}（完整路径 {path}）{colon}",
    "and_colon": "；冒号也要用英文冒号加空格“: ”",
}
