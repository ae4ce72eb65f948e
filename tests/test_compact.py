"""Fonts as generator/pdf/compact.py writes them: CID-keyed CJK faces cut straight to a bare CFF, any
other face subset by WeasyPrint from its whole file (read only then), WeasyPrint left as it was."""

from __future__ import annotations

import subprocess

import pytest

from generator.pdf.compact import cid_subsets, finish
from fixtures import pdffonts, squash


def _write(tmp_path, family: str, text: str):
    from weasyprint import HTML

    html = f'<html lang="zh-CN"><body><p style="font-family: \'{family}\'">{text}</p></body></html>'
    with cid_subsets():
        data = HTML(string=html).write_pdf(finisher=finish)
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return path


def _installed(family: str) -> bool:
    found = subprocess.run(["fc-match", "-f", "%{family}", family], capture_output=True, text=True).stdout
    return family in found


def test_a_cjk_face_is_embedded_as_its_bare_cff(tmp_path):
    path = _write(tmp_path, "Noto Serif CJK SC", "部门整体预算绩效目标申报表 2024")
    fonts = pdffonts(path)
    assert [font.type for font in fonts] == ["CID Type 0C"]
    assert all(font.embedded and font.subset for font in fonts)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert squash(text) == "部门整体预算绩效目标申报表2024"


def test_a_truetype_face_is_subset_from_its_whole_file(tmp_path):
    # DejaVu is glyf-outlined, not CFF: cid_subsets hands it to WeasyPrint's own subsetting, which
    # reads the file the font was first made without.
    assert _installed("DejaVu Sans"), "DejaVu Sans is installed with fontconfig (fonts-dejavu-core)"
    path = _write(tmp_path, "DejaVu Sans", "Budget performance 2024")
    fonts = pdffonts(path)
    assert len(fonts) == 1 and "DejaVu" in fonts[0].name and "TrueType" in fonts[0].type
    assert fonts[0].embedded and fonts[0].subset
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert squash(text) == squash("Budget performance 2024")


def test_weasyprint_is_left_as_it_was():
    import weasyprint.pdf.fonts as pdf_fonts
    from weasyprint.pdf.fonts import Font

    before = (pdf_fonts.get_hb_object_data, Font.__init__, Font.subset, Font.type, Font.__dict__.get("file_content"))
    with pytest.raises(RuntimeError), cid_subsets():
        raise RuntimeError("a failed write")
    after = (pdf_fonts.get_hb_object_data, Font.__init__, Font.subset, Font.type, Font.__dict__.get("file_content"))
    assert after == before
