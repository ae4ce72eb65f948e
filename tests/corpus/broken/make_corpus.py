"""Writes the broken-declaration corpus next to this script: `python tests/corpus/broken/make_corpus.py`.

Each case is BASE (a shortened copy of declarations/2024/nansha-dongchong.yaml: two tasks, prose cut
to its first sentences) with one kind of mistake made in it, or a small hand-written file. The files
are committed, so a case stays what it is if the seed is edited later; this script only records how
each was made (several are not text: GBK, UTF-16, a NUL byte). Files over 2 MB are never committed:
tests/test_load.py makes them in a temporary folder. After changing a case, regenerate the golden
output: `.venv/bin/python -m pytest tests/test_load.py --update-golden` and read it.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

BASE = """\
# 由 declarations/2024/nansha-dongchong.yaml 缩写而来（两项任务，长段文字只留开头），用于制造有问题的申报文件。
title: 部门整体预算绩效目标申报表
year: 2024
department:
  name: 广州市南沙区东涌镇人民政府
  id: nansha-dongchong
basic_info:
  staff_count: 244        # 财政供养人员数（人）
  subordinate_units: 15   # 下属二级单位数（个）
budget:                   # 预算整体情况，金额单位：万元
  spending:               # 部门预算支出
    basic: 9830.96        # 基本支出
    project: 83136.13     # 项目支出
  income:                 # 收入来源
    - {label: 财政拨款, amount: 96502.03}
    - {label: 其他资金, amount: 98.17}
  development:            # 事业发展性支出
    - {label: 财政专项资金, amount: 21.07}
    - {label: 其他事业发展性支出, amount: 21390.66}
  by_level:               # 按预算级次划分
    - {label: 镇本级使用资金, amount: 52906.00}
    - {label: 区级转移支付支出, amount: 40061.09}
overall_goal: >-
  坚持以习近平新时代中国特色社会主义思想为指导，推动东涌镇经济社会各项事业全面迈上新台阶。
tasks:                    # 年度重点工作任务
  - name: "经济追赶超越“建新功”"
    content: >-
      ①强化先行启动区引领带动作用。
      ②加快构建现代化产业体系。
    funds: 1081.46
    goal: >-
      锚定国家战略任务，坚持把发展经济的着力点放在实体经济上。
  - name: "“百千万工程”“聚合力”"
    content: |-
      ①深化典型镇建设。

      ②加强生态文明建设。
    funds: 10076.58
    goal: >-
      学习运用“千万工程”蕴含的发展理念、工作方法和推进机制。
other_tasks:              # 其他需完成的任务（可选填）：原表为空
indicators:               # 绩效指标
  - level1: 产出指标
    groups:
      - level2: 质量指标
        items:
          - level3: 接待游客
            period_value: ≥ 30万人次
            annual_value: ≥ 30万人次
          - level3: 工程竣工验收合格率
            period_value: 100%
            annual_value: 100%
      - level2: 时效指标
        items:
          - level3: 惠农补贴发放及时率
            period_value: 100%
            annual_value: 100%
  - level1: 效益指标
    groups:
      - level2: 社会效益
        items:
          - level3: 提升城镇化建设水平
            period_value: 有效提升
            annual_value: 有效提升
  - level1: 满意度指标
    groups:
      - level2: 服务对象满意度指标
        items:
          - level3: 辖区居民满意度
            period_value: ≥ 90%
            annual_value: ≥ 90%
"""


def edit(*pairs: str, text: str = BASE) -> str:
    """BASE with each (old, new) replaced; each old must occur exactly once."""
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def accepted(name: str, text: str) -> str:
    """A case that must load: its department id is its file name, so only the seed's own warning remains."""
    return edit("id: nansha-dongchong", f"id: {name}", text=text)


def alias_bomb() -> str:
    lines = ['a: &a ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


CASES: dict[str, str | bytes] = {
    # YAML syntax
    "syntax-bad-indentation": edit("  id: nansha-dongchong", " id: nansha-dongchong"),
    "syntax-list-item-misaligned": edit("    - {label: 其他资金", "   - {label: 其他资金"),
    "syntax-unclosed-quote": edit('  - name: "经济追赶超越“建新功”"', '  - name: "经济追赶超越“建新功”'),
    "syntax-unclosed-quote-to-end": edit('  - name: "“百千万工程”“聚合力”"', "  - name: '“百千万工程”“聚合力”"),
    "syntax-stray-colon": edit("title: 部门整体预算绩效目标申报表", "title: 部门整体: 预算绩效目标申报表"),
    "syntax-no-space-after-colon": edit("year: 2024", "year:2024"),
    "syntax-fullwidth-colon": edit("year: 2024", "year：2024"),
    "syntax-unclosed-brace": edit("{label: 其他资金, amount: 98.17}", "{label: 其他资金, amount: 98.17"),
    "syntax-missing-comma-in-braces": edit("{label: 其他资金, amount: 98.17}", "{label: 其他资金 amount: 98.17}"),
    "syntax-greater-than-sign": edit("            period_value: ≥ 90%", "            period_value: > 90%"),
    "syntax-tab-indentation": edit("  name: 广州市南沙区东涌镇人民政府", "\tname: 广州市南沙区东涌镇人民政府"),
    "syntax-tab-after-value": edit("year: 2024", "year: 2024\t"),
    "syntax-multiple-documents": BASE + "---\ntitle: 第二份申报表\n",
    # wrong types
    "type-mapping-for-text": edit(
        "  name: 广州市南沙区东涌镇人民政府", "  name:\n    全称: 广州市南沙区东涌镇人民政府"
    ),
    "type-text-for-amount": edit("basic: 9830.96", "basic: 九千"),
    "type-bad-comma-groups": edit("basic: 9830.96", 'basic: "98,30.96"'),
    "type-comma-split-amount": edit("amount: 96502.03}", "amount: 96,502.03}"),
    "type-list-for-mapping": edit(
        "  staff_count: 244        # 财政供养人员数（人）\n  subordinate_units: 15   # 下属二级单位数（个）",
        "  - 244\n  - 15",
    ),
    "type-number-in-prose": edit("other_tasks:      ", "other_tasks: 2024"),
    "type-bool-in-text": edit("level3: 接待游客", "level3: true"),
    "type-count-with-unit": edit("staff_count: 244", "staff_count: 244人"),
    "type-empty-list": edit(
        "  income:                 # 收入来源\n"
        "    - {label: 财政拨款, amount: 96502.03}\n"
        "    - {label: 其他资金, amount: 98.17}\n",
        "  income: []             # 收入来源\n",
    ),
    "type-bad-year": edit("year: 2024", "year: 二〇二四"),
    "type-bad-id": edit("id: nansha-dongchong", "id: Nansha_Dongchong"),
    "type-bad-date": BASE + "filing:\n  date: 2024-02-30\n",
    "type-value-and-period-value": edit(
        "            annual_value: 有效提升\n", "            annual_value: 有效提升\n            value: 有效提升\n"
    ),
    # missing required fields
    "missing-department-id": edit("  id: nansha-dongchong\n", ""),
    "missing-task-funds": edit("    funds: 10076.58\n", ""),
    "missing-empty-value": edit(
        "overall_goal: >-\n  坚持以习近平新时代中国特色社会主义思想为指导，推动东涌镇经济社会各项事业全面迈上新台阶。\n",
        "overall_goal:\n",
    ),
    # unknown keys
    "unknown-key-overal-goal": edit("overall_goal:", "overal_goal:"),
    "unknown-key-taks": edit("\ntasks:", "\ntaks:"),
    "unknown-key-in-list-item": edit("    funds: 1081.46", "    fund: 1081.46"),
    "unknown-key-no-suggestion": BASE + "remarks: 无\n",
    "unknown-key-fullwidth-indent": edit("  id: nansha-dongchong", "\u3000\u3000id: nansha-dongchong"),
    # duplicate keys
    "duplicate-key-top-level": edit("year: 2024\n", "year: 2024\nyear: 2025\n"),
    "duplicate-key-deep": edit(
        "            annual_value: 有效提升\n", "            annual_value: 有效提升\n            annual_value: 明显提升\n"
    ),
    "duplicate-key-flow-mapping": edit("{label: 财政拨款, amount: 96502.03}", "{label: 财政拨款, label: 其他, amount: 96502.03}"),
    "duplicate-key-in-list-item": edit("    funds: 1081.46\n", "    funds: 1081.46\n    funds: 1000\n"),
    # YAML 1.1 traps
    "yaml11-yes-no-stay-text": accepted(
        "yaml11-yes-no-stay-text",
        edit("level3: 接待游客", "level3: yes", "other_tasks:      ", "other_tasks: no   "),
    ),
    "yaml11-octal-count": edit("subordinate_units: 15", "subordinate_units: 010"),
    "yaml11-date-in-filing": accepted("yaml11-date-in-filing", BASE + "filing:\n  date: 2024-01-31\n"),
    "yaml11-date-in-prose": accepted("yaml11-date-in-prose", edit("other_tasks:      ", "other_tasks: 2024-01-31")),
    # encodings and bytes
    "encoding-utf8-bom": b"\xef\xbb\xbf" + accepted("encoding-utf8-bom", BASE).encode("utf-8"),
    "encoding-gbk": BASE.encode("gbk"),
    "encoding-utf16": BASE.encode("utf-16"),
    "encoding-utf16-no-bom": BASE.encode("utf-16-be"),
    "encoding-invalid-utf8": BASE.encode("utf-8").replace("政府\n".encode(), "政府".encode()[:-1] + b"\n", 1),
    "control-nul": edit("year: 2024", "year: 20\x0024"),
    # structure
    "structure-empty": "",
    "structure-comments-only": "# 部门整体预算绩效目标申报表（还没有填写）\n",
    "structure-plain-text": "部门整体预算绩效目标申报表\n",
    "structure-top-level-list": "- title: 部门整体预算绩效目标申报表\n- year: 2024\n",
    "structure-alias-bomb": alias_bomb(),
    "structure-deep-nesting": "title: " + "[" * 3000 + "]" * 3000 + "\n",
    "tag-python-object": edit(
        "title: 部门整体预算绩效目标申报表", 'title: !!python/object/apply:os.system ["echo 被执行了"]'
    ),
    "tag-custom": edit("title: 部门整体预算绩效目标申报表", "title: !foo 部门整体预算绩效目标申报表"),
}


def main() -> None:
    for old in HERE.glob("*.yaml"):
        old.unlink()
    for name, content in CASES.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (HERE / f"{name}.yaml").write_bytes(data)
    print(f"wrote {len(CASES)} cases to {HERE}")


if __name__ == "__main__":
    main()
