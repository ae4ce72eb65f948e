"""jixiao: 预算绩效目标申报表（部门整体、项目支出）as YAML in git → checked data, print-ready PDF, disclosure site."""

__version__ = "0.2.0"
