"""jixiao: 部门整体预算绩效目标申报表 as YAML in git → checked data, print-ready PDF, disclosure site."""

__version__ = "0.1.0"
