"""The site's open data: per year one CSV with a row per document, described with the yearly
workbook and ZIP by a Frictionless Data Package (datapackage.json) at the site's root."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from generator.site.export import _csv

PACKAGE = "datapackage.json"


def year_csv_name(year: int) -> str:
    return f"jixiao-{year}.csv"


@dataclass(frozen=True)
class Field:
    name: str  # the CSV's header, as a reader of the table sees it
    type: str  # Table Schema type
    description: str
    unit: str = ""


FIELDS = (
    Field("年度", "integer", "预算年度"),
    Field("部门标识", "string", "部门的标识（网址中用）"),
    Field("部门名称", "string", "部门全称"),
    Field("表", "string", "哪一种表"),
    Field("名称", "string", "部门整体表、部门自评表为部门名称；项目表、项目自评表为项目名称"),
    Field("金额", "number", "部门整体表：部门预算支出合计；项目表：年度资金总额；自评表不填", "万元"),
    Field("项目数", "integer", "部门整体表：本部门当年的项目支出申报表份数"),
    Field("项目资金", "number", "部门整体表：本部门当年项目年度资金合计", "万元"),
    Field("指标数", "integer", "三级绩效指标的个数"),
    Field("总分", "number", "自评表：自评总分（满分 100）"),
    Field("等级", "string", "自评表：自评等级（优、良、中、差）"),
    Field("执行率", "number", "自评表：预算执行率", "%"),
    Field("网页", "string", "本表网页的地址（相对于网站根目录）"),
    Field("PDF", "string", "本表 PDF 的地址（相对于网站根目录）"),
)


def _plain(value: Decimal | None) -> str:
    """An exact amount without thousands separators, two decimals unless it has more."""
    if value is None:
        return ""
    two = value.quantize(Decimal("0.01"))
    return format(two if two == value else value.normalize(), "f")


def year_rows(writer, year: int) -> list[list[str]]:
    """A row per document of the year, in the site's order (department, then form, then folder)."""
    from generator.site.figures import indicator_count

    rows = []
    for entry in writer.entries:
        if entry.year != year:
            continue
        row = writer.rows[(entry.year, entry.department.id)]
        amount = entry.form.headline(entry.d)[1] if entry.form.headline is not None else None
        score = writer.scores.get(entry.folder)
        department_form = entry.is_department_form
        rows.append([
            str(entry.year), entry.department.id, entry.department.name, entry.form.title, entry.name, _plain(amount),
            str(row.project_count) if department_form else "", _plain(row.project_funds) if department_form else "",
            "" if indicator_count(entry) is None else str(indicator_count(entry)), _plain(score.total) if score else "", score.grade if score else "",
            _plain((score.rate * 100).quantize(Decimal("0.01"))) if score and score.rate is not None else "",
            f"{entry.folder}/index.html", f"{entry.folder}/{entry.base}.pdf",
        ])
    return rows


def year_csv(writer, year: int) -> bytes:
    return _csv([f.name for f in FIELDS], year_rows(writer, year)).encode("utf-8")


def _schema() -> dict:
    fields = []
    for f in FIELDS:
        item = {"name": f.name, "type": f.type, "description": f.description}
        if f.unit:
            item["unit"] = f.unit  # Table Schema has no unit property; kept beside the title as well
            item["title"] = f"{f.name}（{f.unit}）"
        fields.append(item)
    return {"fields": fields, "primaryKey": ["网页"]}


def datapackage(years: list[int], workbooks: dict[int, str], sizes: dict[str, int]) -> bytes:
    """datapackage.json: every year's CSV as a tabular resource with its schema; the workbooks and
    ZIPs as plain resources beside them. Paths are relative to the site's root."""
    resources = []
    for year in sorted(years):
        path = f"{year}/{year_csv_name(year)}"
        resources.append({
            "name": f"jixiao-{year}", "path": path, "title": f"{year}年度全部申报一览",
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "bytes": sizes[path], "schema": _schema(),
        })
        if year in workbooks:
            path = workbooks[year]
            resources.append({
                "name": f"jixiao-{year}-workbook", "path": path, "title": f"{year}年度工作簿（每份申报一页，官方版式）",
                "profile": "data-resource", "type": "file", "format": "xlsx",  # official layouts, not one table "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "bytes": sizes[path],
            })
        path = f"{year}/jixiao-{year}.zip"
        resources.append({
            "name": f"jixiao-{year}-data", "path": path, "title": f"{year}年度全部申报数据（YAML、JSON、CSV）",
            "profile": "data-resource", "type": "file", "format": "zip", "mediatype": "application/zip", "bytes": sizes[path],
        })
    package = {
        "profile": "data-package", "name": "jixiao-disclosure", "title": "部门预算绩效目标与自评公开数据",
        "description": "各部门预算绩效目标申报表与绩效自评表。金额单位：万元。", "resources": resources,
    }
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
