"""A document as reusable data: JSON (valid against the schema), its tables as CSV for Excel, a ZIP per year."""

from __future__ import annotations

import csv
import io
import json
import zipfile


# Excel opens a CSV as UTF-8 only when it starts with a BOM.
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def declaration_json(declaration) -> str:
    """Amounts as exact strings ("9830.96"), as the schema allows, never as binary floats."""
    data = declaration.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return BOM + buffer.getvalue()


def table_csv(table) -> str:
    """One of a form's tables (forms.Table) as CSV."""
    return _csv(table.header, table.rows)


def year_bundle(entries: list[tuple[str, bytes]], date_time: tuple) -> bytes:
    """A ZIP with fixed timestamps and order, so the same data gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    return buffer.getvalue()
